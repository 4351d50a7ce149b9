// The connections page's port over the real vault and state store, with the real provider code behind the registry
// against the QuickBooks, Xero and Stripe simulators: the owner's consent (or refusal) on the provider's page, a
// Stripe restricted key the simulator issued or revoked, and a revoke at QuickBooks on disconnect.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restrictedKeyScope } from '../../../integrations/stripe/connection.js';
import { createConnectionsPort } from '../../../src/services/connections/port.js';
import { createOAuthStateStore } from '../../../src/services/connections/oauth-states.js';
import { createPendingGrantStore } from '../../../src/services/connections/pending-grants.js';
import type { Connection } from '../../../src/services/connections/types.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { connections, pendingGrants } from '../../../src/services/db/schema.js';
import type { ConnectionsPort } from '../../../src/services/ports.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { consentAt, startProviderSimulators, type ProviderSimulators } from '../../helpers/provider-connections.js';
import { seedOrganisation } from '../sync/fixtures.js';
import { openPglite } from '../../helpers/databases.js';

const PUBLIC = 'https://app.shortfall.test';
let h: DatabaseHandle;
let sims: ProviderSimulators;
let port: ConnectionsPort;
let owner: { organisationId: string; userId: string };
let stranger: { organisationId: string; userId: string };
let realmId: string;
const events: string[] = [];
let failNextConnected: Error | undefined;

beforeAll(async () => {
  [h, sims] = await Promise.all([openPglite(), startProviderSimulators(PUBLIC)]);
  owner = await seedOrganisation(h.db);
  stranger = await seedOrganisation(h.db, 'Other Ltd');
  realmId = sims.quickbooks.admin.createCompany({ name: 'Brightside Books' });
  const keyRing = testKeyRing();
  const vault = createConnectionVault({ db: h.db, keyRing });
  port = createConnectionsPort({
    db: h.db,
    vault,
    states: createOAuthStateStore({ db: h.db }),
    pending: createPendingGrantStore({ db: h.db, keyRing }),
    providers: sims.registry,
    redirectUri: (p) => `${PUBLIC}/oauth/${p}/callback`,
    apiKey: { provider: 'stripe', verify: (key) => sims.apiKey.verify(key) },
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
afterAll(async () => {
  await sims.close();
  await h.close();
});

const stateOf = (url: string) => new URL(url).searchParams.get('state')!;
/** What the provider's redirect back to Shortfall's callback carries (code, state, realmId or error). */
const callbackParams = (pathAndQuery: string) =>
  Object.fromEntries(new URL(pathAndQuery, PUBLIC).searchParams) as Record<string, string>;

describe('connections port', () => {
  it('connects through the OAuth round trip and refuses a replayed or foreign callback', async () => {
    const url = await port.startUrl(owner.userId, 'quickbooks');
    expect(url).toContain('redirect_uri=https%3A%2F%2Fapp.shortfall.test%2Foauth%2Fquickbooks%2Fcallback');
    const params = callbackParams(await consentAt(url, { accounts: [realmId] }));
    expect(params).toMatchObject({ state: stateOf(url), realmId, code: expect.any(String) });
    const done = await port.completeCallback(owner.userId, 'quickbooks', params);
    expect(done).toEqual({
      ok: true,
      value: {
        kind: 'connected',
        connections: [expect.objectContaining({ provider: 'quickbooks', name: 'Brightside Books', status: 'active' })],
      },
    });
    expect(events).toEqual([`connected:${realmId}`]);
    expect(await port.completeCallback(owner.userId, 'quickbooks', params)).toEqual({
      ok: false,
      message: expect.stringContaining('already used'),
    });
    // A genuine consent started by the owner, brought back by someone else: refused.
    const other = callbackParams(
      await consentAt(await port.startUrl(owner.userId, 'quickbooks'), { accounts: [realmId] }),
    );
    expect(await port.completeCallback(stranger.userId, 'quickbooks', other)).toMatchObject({ ok: false });
    expect(await port.list(owner.organisationId)).toHaveLength(1);
    expect(await port.list(stranger.organisationId)).toEqual([]);
  });

  it('turns a refused grant or a bad Stripe key into a message for the owner', async () => {
    const url = await port.startUrl(owner.userId, 'quickbooks');
    const refused = callbackParams(await consentAt(url, { decision: 'deny' }));
    expect(refused).toMatchObject({ error: 'access_denied' });
    expect(await port.completeCallback(owner.userId, 'quickbooks', refused)).toEqual({
      ok: false,
      message: 'QuickBooks Online did not grant access. Please try again.',
    });
    const { accountId } = sims.stripe.admin.createAccount({ name: 'Brightside' });
    const revokedKey = sims.stripe.admin.issueRestrictedKey(accountId);
    sims.stripe.admin.revokeKey(revokedKey);
    expect(await port.saveApiKey(owner.organisationId, revokedKey)).toMatchObject({
      ok: false,
      message: expect.stringContaining('did not accept'),
    });
    expect(await port.saveApiKey(owner.organisationId, sims.stripe.admin.issueRestrictedKey(accountId))).toEqual({
      ok: true,
      value: expect.objectContaining({ provider: 'stripe', name: 'Brightside', sandbox: true }),
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
    expect(events.at(-1)).toBe(`disconnected:${realmId}`);
    expect((await port.list(owner.organisationId)).find((c) => c.id === connection!.id)?.status).toBe('disconnected');
  });

  it("forgets a disconnected Stripe account's key in this process: the next use builds a client of its own", async () => {
    const { accountId } = sims.stripe.admin.createAccount({ name: 'Quayside Prints' });
    const s = sims.stripe.admin.scenarios.partialPayment({ accountId });
    const key = sims.stripe.admin.issueRestrictedKey(accountId);
    const saved = await port.saveApiKey(owner.organisationId, key);
    expect(saved).toMatchObject({ ok: true, value: { provider: 'stripe', status: 'active' } });
    const auth = { accountId, tokens: { accessToken: key, scope: restrictedKeyScope } };
    const clientOf = () => (sims.registry.get('stripe').connector(auth) as unknown as { client: unknown }).client;
    expect((await sims.registry.get('stripe').connector(auth).getInvoice(s.invoiceId))?.ref.id).toBe(s.invoiceId);
    const kept = clientOf();
    expect(clientOf()).toBe(kept); // kept while connected

    expect(await port.disconnect(owner.organisationId, saved.ok ? saved.value.id : '')).toBe(true);
    expect(events.at(-1)).toBe(`disconnected:${accountId}`);
    expect(clientOf()).not.toBe(kept);
  });

  it('gives a choice back when storing it failed, so the owner can submit it again', async () => {
    const north = sims.xero.admin.addTenant({ name: 'North Ltd' });
    const south = sims.xero.admin.addTenant({ name: 'South Ltd' });
    const url = await port.startUrl(owner.userId, 'xero');
    const callback = await port.completeCallback(
      owner.userId,
      'xero',
      callbackParams(await consentAt(url, { accounts: [north, south] })),
    );
    if (!callback.ok || callback.value.kind !== 'choose')
      throw new Error(`expected a choice: ${JSON.stringify(callback)}`);
    const { choiceId } = callback.value;
    failNextConnected = new Error('Temporal is unavailable');
    await expect(port.choose(owner.userId, choiceId, [south])).rejects.toThrow('Temporal is unavailable');
    expect(await port.choose(owner.userId, choiceId, [south])).toEqual({
      ok: true,
      value: [expect.objectContaining({ name: 'South Ltd', status: 'active' })],
    });
    expect(await port.choose(owner.userId, choiceId, [south])).toEqual({
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
