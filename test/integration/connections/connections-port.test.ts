// The connections page's port over the real vault and state store, with a fake provider behind the registry.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { createConnectionsPort } from '../../../src/services/connections/port.js';
import { createOAuthStateStore } from '../../../src/services/connections/oauth-states.js';
import { createPendingGrantStore } from '../../../src/services/connections/pending-grants.js';
import type { Connection } from '../../../src/services/connections/types.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { connections, pendingGrants } from '../../../src/services/db/schema.js';
import type { ConnectionsPort } from '../../../src/services/ports.js';
import { FakeOAuthProvider, testKeyRing } from '../sync/fakes.js';
import { seedOrganisation } from '../sync/fixtures.js';
import { openPglite } from '../../helpers/databases.js';

let h: DatabaseHandle;
let port: ConnectionsPort;
let oauth: FakeOAuthProvider;
let owner: { organisationId: string; userId: string };
let stranger: { organisationId: string; userId: string };
const events: string[] = [];
let failNextConnected: Error | undefined;

beforeAll(async () => {
  h = await openPglite();
  owner = await seedOrganisation(h.db);
  stranger = await seedOrganisation(h.db, 'Other Ltd');
  oauth = new FakeOAuthProvider('quickbooks');
  const keyRing = testKeyRing();
  const vault = createConnectionVault({ db: h.db, keyRing });
  port = createConnectionsPort({
    db: h.db,
    vault,
    states: createOAuthStateStore({ db: h.db }),
    pending: createPendingGrantStore({ db: h.db, keyRing }),
    providers: {
      get: () => ({
        oauth,
        connector: () => {
          throw new Error('unused');
        },
      }),
    },
    redirectUri: (p) => `https://app.shortfall.test/oauth/${p}/callback`,
    apiKey: {
      provider: 'stripe',
      verify: async (key) => {
        if (key !== 'rk_test_good')
          throw new IntegrationError('auth', 'Invalid API Key provided', { provider: 'stripe', status: 401 });
        return {
          account: { accountId: 'acct_1', name: 'Brightside' },
          tokens: { accessToken: key, scope: 'restricted_key' },
          livemode: false,
        };
      },
    },
    onConnected: async (c: Connection, restored: boolean) => {
      if (failNextConnected) {
        const e = failNextConnected;
        failNextConnected = undefined;
        throw e;
      }
      events.push(`${restored ? 'restored' : 'connected'}:${c.accountId}`);
    },
    onDisconnected: async (c: Connection) => void events.push(`disconnected:${c.accountId}`),
  });
});
afterAll(() => h.close());

const stateOf = (url: string) => new URL(url).searchParams.get('state')!;

describe('connections port', () => {
  it('connects through the OAuth round trip and refuses a replayed or foreign callback', async () => {
    const url = await port.startUrl(owner.userId, 'quickbooks');
    expect(url).toContain('redirect_uri=https%3A%2F%2Fapp.shortfall.test%2Foauth%2Fquickbooks%2Fcallback');
    const state = stateOf(url);
    const done = await port.completeCallback(owner.userId, 'quickbooks', { state, code: 'c1', realmId: 'realm-1' });
    expect(done).toEqual({
      ok: true,
      value: {
        kind: 'connected',
        connections: [expect.objectContaining({ provider: 'quickbooks', name: 'Fake Co', status: 'active' })],
      },
    });
    expect(events).toEqual(['connected:realm-1']);
    expect(await port.completeCallback(owner.userId, 'quickbooks', { state, code: 'c1' })).toEqual({
      ok: false,
      message: expect.stringContaining('already used'),
    });
    const other = stateOf(await port.startUrl(owner.userId, 'quickbooks'));
    expect(await port.completeCallback(stranger.userId, 'quickbooks', { state: other, code: 'c2' })).toMatchObject({
      ok: false,
    });
    expect(await port.list(owner.organisationId)).toHaveLength(1);
  });

  it('turns a refused grant or a bad Stripe key into a message for the owner', async () => {
    oauth.failExchange = new IntegrationError('auth', 'access_denied');
    const state = stateOf(await port.startUrl(owner.userId, 'quickbooks'));
    expect(await port.completeCallback(owner.userId, 'quickbooks', { state, error: 'access_denied' })).toEqual({
      ok: false,
      message: 'QuickBooks Online did not grant access. Please try again.',
    });
    expect(await port.saveApiKey(owner.organisationId, 'rk_test_bad')).toMatchObject({
      ok: false,
      message: expect.stringContaining('did not accept'),
    });
    expect(await port.saveApiKey(owner.organisationId, 'rk_test_good')).toEqual({
      ok: true,
      value: expect.objectContaining({ provider: 'stripe', sandbox: true }),
    });
    // Stored as a pasted key, so a withdrawal of our Stripe app (deauthorization) leaves it alone.
    expect(
      await h.db
        .select({ provider: connections.provider, credential: connections.credential })
        .from(connections)
        .orderBy(connections.provider),
    ).toEqual([
      { provider: 'quickbooks', credential: 'oauth' },
      { provider: 'stripe', credential: 'api_key' },
    ]);
  });

  it("disconnects only a connection of the caller's organisation", async () => {
    const [connection] = (await port.list(owner.organisationId)).filter((c) => c.provider === 'quickbooks');
    expect(await port.disconnect(stranger.organisationId, connection!.id)).toBe(false);
    expect(await port.disconnect(owner.organisationId, connection!.id)).toBe(true);
    expect(events.at(-1)).toBe('disconnected:realm-1');
    expect((await port.list(owner.organisationId)).find((c) => c.id === connection!.id)?.status).toBe('disconnected');
  });

  it('gives a choice back when storing it failed, so the owner can submit it again', async () => {
    delete oauth.failExchange;
    oauth.grantAccounts = [
      { accountId: 'tenant-1', name: 'North Ltd' },
      { accountId: 'tenant-2', name: 'South Ltd' },
    ];
    const state = stateOf(await port.startUrl(owner.userId, 'quickbooks'));
    const callback = await port.completeCallback(owner.userId, 'quickbooks', { state, code: 'c9' });
    if (!callback.ok || callback.value.kind !== 'choose') throw new Error('expected a choice');
    const { choiceId } = callback.value;
    failNextConnected = new Error('Temporal is unavailable');
    await expect(port.choose(owner.userId, choiceId, ['tenant-2'])).rejects.toThrow('Temporal is unavailable');
    expect(await port.choose(owner.userId, choiceId, ['tenant-2'])).toEqual({
      ok: true,
      value: [expect.objectContaining({ name: 'South Ltd', status: 'active' })],
    });
    expect(await port.choose(owner.userId, choiceId, ['tenant-2'])).toEqual({
      ok: false,
      message: expect.stringContaining('already chosen'),
    });
    const [row] = await h.db
      .select({ sealed: pendingGrants.sealed })
      .from(pendingGrants)
      .where(eq(pendingGrants.id, choiceId));
    expect(row).toEqual({ sealed: '' }); // finished: the tokens left the table
  });
});
