// OAuth state: bound to user and provider, ten minutes, single use; only its digest is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthStateStore } from '../../../src/services/connections/oauth-states.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { oauthStates } from '../../../src/services/db/schema.js';
import { purgeExpiredSecrets } from '../../../src/services/security/housekeeping.js';
import { seedOrganisation } from '../sync/fixtures.js';
import { openPglite } from '../../helpers/databases.js';

let h: DatabaseHandle;
let userId: string;
let otherUser: string;
let clock = Date.parse('2026-12-04T15:00:00Z');
const now = () => clock;

beforeAll(async () => {
  h = await openPglite();
  ({ userId } = await seedOrganisation(h.db));
  ({ userId: otherUser } = await seedOrganisation(h.db, 'Other Ltd'));
});
afterAll(() => h.close());

describe('oauth state store', () => {
  it('accepts a state once, for the user and provider it was issued to', async () => {
    const store = createOAuthStateStore({ db: h.db, now });
    const state = await store.issue({ userId, provider: 'xero' });
    expect(state).toMatch(/^[\w-]{43}$/);
    const stored = await h.db.select().from(oauthStates);
    expect(stored.map((r) => r.state)).not.toContain(state);
    expect(await store.consume({ state, userId, provider: 'xero' })).toEqual({ ok: true });
    expect(await store.consume({ state, userId, provider: 'xero' })).toEqual({ ok: false, reason: 'used' });
  });

  it('refuses an unknown, expired or misbound state, and burns it on the first try', async () => {
    const store = createOAuthStateStore({ db: h.db, now });
    expect(await store.consume({ state: 'made-up', userId, provider: 'xero' })).toEqual({
      ok: false,
      reason: 'unknown',
    });

    const stolen = await store.issue({ userId, provider: 'quickbooks' });
    expect(await store.consume({ state: stolen, userId: otherUser, provider: 'quickbooks' })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(await store.consume({ state: stolen, userId, provider: 'quickbooks' })).toEqual({
      ok: false,
      reason: 'used',
    });

    const crossed = await store.issue({ userId, provider: 'quickbooks' });
    expect(await store.consume({ state: crossed, userId, provider: 'stripe' })).toEqual({
      ok: false,
      reason: 'mismatch',
    });

    const late = await store.issue({ userId, provider: 'stripe' });
    clock += 10 * 60_000;
    expect(await store.consume({ state: late, userId, provider: 'stripe' })).toEqual({ ok: false, reason: 'expired' });
    // The housekeeping sweep keeps spent states a day, so a second try still hears "used", then drops them.
    expect((await purgeExpiredSecrets(h.db, clock)).oauthStates).toBe(0);
    expect(await store.consume({ state: late, userId, provider: 'stripe' })).toEqual({ ok: false, reason: 'used' });
    clock += 86_400_000;
    expect((await purgeExpiredSecrets(h.db, clock)).oauthStates).toBeGreaterThanOrEqual(4);
    expect(await h.db.select().from(oauthStates)).toEqual([]);
  });
});
