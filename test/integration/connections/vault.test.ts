// The connection vault on both engines: sealed tokens, refresh ahead of expiry exactly once across callers,
// invalid_grant, reconnect and disconnect. The tokens are real grants of the QuickBooks and Xero simulators, refreshed,
// revoked and unlinked there by the real provider OAuth code (the simulators rotate refresh tokens and refuse a revoked
// grant with invalid_grant; their token endpoints can pause or fail once on request).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuickbooksOAuth } from '../../../integrations/quickbooks/oauth.js';
import type { TokenSet } from '../../../integrations/types.js';
import { createXeroOAuth } from '../../../integrations/xero/oauth.js';
import { xeroUrlsAt } from '../../../integrations/xero/urls.js';
import { startQuickbooksSimulator, type QuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import { simulatorClient, startXeroSimulator, type XeroSimulator } from '../../../simulators/xero/index.js';
import { createConnectionVault, type VaultDeps } from '../../../src/services/connections/vault.js';
import type { ConnectionBrokenEvent } from '../../../src/services/connections/types.js';
import { openDatabase, type DatabaseHandle } from '../../../src/services/db/index.js';
import { connections } from '../../../src/services/db/schema.js';
import { freshPostgresUrl, openPglite } from '../../helpers/databases.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { seedOrganisation } from '../sync/fixtures.js';

const MINUTE = 60_000;
const keyRing = testKeyRing();
const handles: DatabaseHandle[] = [];
let qbSim: QuickbooksSimulator;
let xeroSim: XeroSimulator;
let qbApp: { clientId: string; clientSecret: string };
beforeAll(async () => {
  [qbSim, xeroSim] = await Promise.all([startQuickbooksSimulator(), startXeroSimulator({ tenants: [] })]);
  qbApp = qbSim.admin.createApp({ redirectUris: ['https://app.shortfall.test/oauth/quickbooks/callback'] });
});
afterAll(async () => {
  for (const h of handles) await h.close();
  await Promise.all([qbSim?.close(), xeroSim?.close()]);
});

const quickbooks = () => createQuickbooksOAuth({ ...qbApp, urls: qbSim.urls });
const xero = () => createXeroOAuth({ ...simulatorClient, urls: xeroUrlsAt(xeroSim.url) });

/** A QuickBooks grant for a company, as Intuit issued it, that Shortfall treats as expiring in `inMs`. */
function quickbooksGrant(realmId: string, inMs: number): TokenSet {
  const t = qbSim.admin.grantTokens(qbApp.clientId, realmId);
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: new Date(Date.now() + inMs).toISOString(),
  };
}

/** One Xero grant linking these organisations, expiring (for Shortfall) in `inMs`. */
function xeroGrant(tenantIds: readonly string[], inMs: number): TokenSet {
  const t = xeroSim.admin.grant({ clientId: simulatorClient.clientId, tenantIds });
  return {
    accessToken: t.access_token,
    ...(t.refresh_token && { refreshToken: t.refresh_token }),
    expiresAt: new Date(Date.now() + inMs).toISOString(),
  };
}

/** Refresh-token grants the simulators' token endpoints have received so far (answered or refused). */
const refreshesAt = {
  quickbooks: () => qbSim.admin.oauthRequests().filter((r) => r.grantType === 'refresh_token').length,
  xero: () => xeroSim.admin.tokenRequests().filter((r) => r.grantType === 'refresh_token').length,
};
/** Counts from now on. */
function refreshCounter(provider: keyof typeof refreshesAt) {
  const before = refreshesAt[provider]();
  return () => refreshesAt[provider]() - before;
}

/**
 * Which of `among` a Xero grant still links, as Xero's /connections lists them to the real OAuth code (the simulator
 * has one user, so it lists the organisations every earlier test linked too).
 */
const linkedAt = async (tokens: TokenSet, among: readonly string[]) =>
  (await xero().listAccounts(tokens))
    .map((a) => a.accountId)
    .filter((id) => among.includes(id))
    .sort();

/**
 * An outage at Intuit's endpoint that outlasts intuit-oauth's own retries (it retries a 503 three times, after 1, 2
 * and 4 seconds), so the call fails.
 */
const intuitOutage = (endpoint: 'token' | 'revoke') => qbSim.admin.failNextOAuth(endpoint, 503, 4);

/** Whether the simulator still refreshes this refresh token (false once its grant was revoked). */
async function grantAlive(oauth: ReturnType<typeof quickbooks> | ReturnType<typeof xero>, tokens: TokenSet) {
  try {
    await oauth.refresh(tokens);
    return true;
  } catch (e) {
    expect(e).toMatchObject({ details: { code: 'invalid_grant' } });
    return false;
  }
}

/** The token endpoint pauses while `run` runs, so two refreshes asked at once overlap. */
async function withSlowTokenEndpoint<T>(sim: { admin: { setTokenLatency(ms: number): void } }, run: () => Promise<T>) {
  sim.admin.setTokenLatency(150);
  try {
    return await run();
  } finally {
    sim.admin.setTokenLatency(0);
  }
}

/** Two handles on the same database: on Postgres two pools (two sessions), on PGlite the one in-process client. */
const engines: [string, () => Promise<[DatabaseHandle, DatabaseHandle]>][] = [
  [
    'PGlite',
    async () => {
      const h = await openPglite();
      handles.push(h);
      return [h, h];
    },
  ],
  [
    'Postgres',
    async () => {
      const url = await freshPostgresUrl();
      const a = await openDatabase({ kind: 'postgres', url });
      const b = await openDatabase({ kind: 'postgres', url });
      handles.push(a, b);
      return [a, b];
    },
  ],
];

describe.each(engines)('connection vault on %s', (_engine, open) => {
  async function setup(expiresInMs: number, extra: Partial<VaultDeps> = {}) {
    const [a, b] = await open();
    const provider = quickbooks();
    const broken: ConnectionBrokenEvent[] = [];
    const deps = { keyRing, onBroken: (e: ConnectionBrokenEvent) => void broken.push(e), ...extra };
    const vault = createConnectionVault({ db: a.db, ...deps });
    const other = createConnectionVault({ db: b.db, ...deps });
    const { organisationId } = await seedOrganisation(a.db);
    const realmId = qbSim.admin.createCompany({ name: 'Brightside QBO' });
    const initial = quickbooksGrant(realmId, expiresInMs);
    const { connection } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: realmId,
      name: 'Brightside QBO',
      tokens: initial,
    });
    const refreshCalls = refreshCounter('quickbooks');
    return { db: a.db, vault, other, provider, broken, organisationId, connection, realmId, initial, refreshCalls };
  }

  it('stores tokens sealed to the row and never returns them with the connection', async () => {
    const { db, vault, connection, organisationId, initial, provider } = await setup(60 * MINUTE);
    const [row] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row!.tokenCiphertext).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain(initial.accessToken);
    expect(JSON.stringify(row)).not.toContain(initial.refreshToken);
    expect(JSON.stringify(await vault.listByOrganisation(organisationId))).not.toContain(initial.accessToken);
    expect(await vault.listByOrganisation(organisationId)).toEqual([
      expect.objectContaining({ id: connection.id, status: 'active', provider: 'quickbooks' }),
    ]);
    // The ciphertext is bound to its row: copied onto another connection it does not open.
    const { connection: second } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: qbSim.admin.createCompany({ name: 'Second' }),
      name: 'Second',
      tokens: { accessToken: 'x' },
    });
    await db
      .update(connections)
      .set({ tokenCiphertext: row!.tokenCiphertext, tokenKeyId: row!.tokenKeyId })
      .where(eq(connections.id, second.id));
    await expect(vault.getFreshAuth(second.id, provider)).rejects.toThrow();
  });

  it('hands out stored tokens while they are fresh, and refreshes five minutes ahead of expiry', async () => {
    const { vault, provider, connection, initial, refreshCalls } = await setup(6 * MINUTE);
    expect((await vault.getFreshAuth(connection.id, provider)).tokens.accessToken).toBe(initial.accessToken);
    expect(refreshCalls()).toBe(0);

    const soon = await setup(4 * MINUTE);
    const auth = await soon.vault.getFreshAuth(soon.connection.id, soon.provider);
    expect(soon.refreshCalls()).toBe(1);
    expect(auth.accountId).toBe(soon.realmId);
    expect(auth.tokens.accessToken).not.toBe(soon.initial.accessToken);
    expect(auth.tokens.refreshToken).not.toBe(soon.initial.refreshToken); // QuickBooks rotated it
    // The rotated refresh token was persisted: a fresh vault over the other handle reads it back.
    expect((await soon.other.getFreshAuth(soon.connection.id, soon.provider)).tokens.refreshToken).toBe(
      auth.tokens.refreshToken,
    );
    expect((await soon.vault.get(soon.connection.id)).tokenExpiresAt).toBe(auth.tokens.expiresAt);
    // …and the spent one is refused by QuickBooks, so a second refresh would have broken the connection.
    expect(await grantAlive(soon.provider, soon.initial)).toBe(false);
  });

  it('refreshes once for two concurrent callers, and both get the new token', async () => {
    const { vault, other, provider, connection, initial, refreshCalls } = await setup(MINUTE);
    const [first, second] = await withSlowTokenEndpoint(qbSim, () =>
      Promise.all([vault.getFreshAuth(connection.id, provider), other.getFreshAuth(connection.id, provider)]),
    );
    expect(refreshCalls()).toBe(1);
    expect(first.tokens.accessToken).not.toBe(initial.accessToken);
    expect(second.tokens.accessToken).toBe(first.tokens.accessToken);
  });

  it('marks the connection needs_reconnect on invalid_grant, once, and stops using it', async () => {
    const { vault, provider, connection, broken, initial, refreshCalls } = await setup(MINUTE);
    await provider.revoke(initial); // someone disconnects Shortfall in QuickBooks
    await expect(vault.getFreshAuth(connection.id, provider)).rejects.toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_grant' },
    });
    expect(await vault.get(connection.id)).toMatchObject({
      status: 'needs_reconnect',
      lastError: expect.stringContaining('invalid_grant'),
    });
    expect(broken).toEqual([
      expect.objectContaining({ kind: 'connection_broken', connectionId: connection.id, provider: 'quickbooks' }),
    ]);
    await expect(vault.getFreshAuth(connection.id, provider)).rejects.toMatchObject({
      kind: 'auth',
      details: { code: 'needs_reconnect' },
    });
    expect(refreshCalls()).toBe(1);
    expect(await vault.markNeedsReconnect(connection.id, 'again')).toBeUndefined();
    expect(broken).toHaveLength(1);
  });

  it('leaves tokens and status alone when a refresh fails for a passing reason', async () => {
    const { vault, provider, connection, initial } = await setup(MINUTE);
    intuitOutage('token');
    await expect(vault.getFreshAuth(connection.id, provider)).rejects.toMatchObject({ kind: 'transient' });
    expect((await vault.get(connection.id)).status).toBe('active');
    const auth = await vault.getFreshAuth(connection.id, provider); // the stored refresh token still works
    expect(auth.tokens.accessToken).not.toBe(initial.accessToken);
  });

  it('restores a connection after the owner reconnects the same account', async () => {
    const { vault, provider, connection, organisationId, realmId } = await setup(MINUTE);
    await vault.markNeedsReconnect(connection.id, 'invalid_grant');
    expect(await vault.markRestored(connection.id)).toBe(true);
    await vault.markNeedsReconnect(connection.id, 'invalid_grant');
    const reconnected = quickbooksGrant(realmId, 60 * MINUTE); // the owner consents again: a new grant
    const again = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: realmId,
      name: 'Brightside QBO',
      tokens: reconnected,
    });
    expect(again).toMatchObject({ restored: true, connection: { id: connection.id, status: 'active' } });
    expect(again.connection.lastError).toBeUndefined();
    expect((await vault.getFreshAuth(connection.id, provider)).tokens.accessToken).toBe(reconnected.accessToken);
  });

  it('revokes at the provider on disconnect and wipes the tokens even when revoking fails', async () => {
    const { db, vault, provider, connection, organisationId, realmId } = await setup(60 * MINUTE);
    expect(await vault.disconnect(connection.id, provider)).toEqual({ revoked: true });
    expect(qbSim.admin.grants(realmId)).toEqual([{ revoked: true }]);
    const [row] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row).toMatchObject({
      status: 'disconnected',
      tokenCiphertext: null,
      tokenKeyId: null,
      tokenExpiresAt: null,
    });

    const otherRealm = qbSim.admin.createCompany({ name: 'Other' });
    const { connection: other } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: otherRealm,
      name: 'Other',
      tokens: quickbooksGrant(otherRealm, 60 * MINUTE),
    });
    intuitOutage('revoke');
    expect(await vault.disconnect(other.id, provider)).toEqual({ revoked: false });
    expect((await vault.get(other.id)).status).toBe('disconnected');
    expect(qbSim.admin.grants(otherRealm)).toEqual([{ revoked: false }]); // left to expire unused at QuickBooks
  });

  /** Two organisations connected from one Xero grant, as the port does after the owner's choice. */
  async function sharedGrant(expiresInMs: number, alsoLinked: readonly string[] = []) {
    const base = await setup(60 * MINUTE);
    const provider = xero();
    const tenantA = xeroSim.admin.addTenant({ name: 'Harbour' });
    const tenantB = xeroSim.admin.addTenant({ name: 'Kestrel' });
    const initial = xeroGrant([tenantA, tenantB, ...alsoLinked], expiresInMs);
    const [first, second] = await base.vault.connectGrant({
      organisationId: base.organisationId,
      provider: 'xero',
      tokens: initial,
      accounts: [
        { accountId: tenantA, name: 'Harbour' },
        { accountId: tenantB, name: 'Kestrel' },
      ],
    });
    const refreshCalls = refreshCounter('xero');
    return { ...base, provider, initial, tenantA, tenantB, refreshCalls, a: first!.connection, b: second!.connection };
  }

  it('refreshes a shared grant once for two organisations asked from two sessions, and stores the rotated token for both', async () => {
    const { vault, other, provider, a, b, db, tenantA, tenantB, initial, refreshCalls } = await sharedGrant(MINUTE);
    const rows = await db
      .select({ grantId: connections.grantId, sealed: connections.tokenCiphertext })
      .from(connections)
      .where(eq(connections.provider, 'xero'));
    expect(new Set(rows.map((r) => r.grantId)).size).toBe(1);
    expect(new Set(rows.map((r) => r.sealed)).size).toBe(2); // sealed per row, bound to its id
    const [first, second] = await withSlowTokenEndpoint(xeroSim, () =>
      Promise.all([vault.getFreshAuth(a.id, provider), other.getFreshAuth(b.id, provider)]),
    );
    expect(refreshCalls()).toBe(1);
    expect(first).toEqual({
      accountId: tenantA,
      tokens: expect.objectContaining({ accessToken: expect.any(String), refreshToken: expect.any(String) }),
    });
    expect(first.tokens.refreshToken).not.toBe(initial.refreshToken);
    expect(second).toEqual({ accountId: tenantB, tokens: first.tokens });
    // Both rows hold the rotated token: read back through the other session, no second refresh.
    expect((await other.getFreshAuth(a.id, provider)).tokens.refreshToken).toBe(first.tokens.refreshToken);
    expect((await vault.getFreshAuth(b.id, provider)).tokens.refreshToken).toBe(first.tokens.refreshToken);
    expect(refreshCalls()).toBe(1);
  });

  it('breaks every organisation of a shared grant on invalid_grant; one reconnected from a new grant leaves the group', async () => {
    const { vault, provider, a, b, broken, organisationId, tenantA, initial } = await sharedGrant(MINUTE);
    await provider.revoke(initial); // someone disconnects Shortfall in Xero
    await expect(vault.getFreshAuth(b.id, provider)).rejects.toMatchObject({ details: { code: 'invalid_grant' } });
    expect(broken.map((e) => e.connectionId).sort()).toEqual([a.id, b.id].sort());
    expect((await vault.get(a.id)).status).toBe('needs_reconnect');

    const reconnected = xeroGrant([tenantA], MINUTE); // the owner consents again, to Harbour only
    const { restored } = await vault.connect({
      organisationId,
      provider: 'xero',
      accountId: tenantA,
      name: 'Harbour',
      tokens: reconnected,
    });
    expect(restored).toBe(true);
    const auth = await vault.getFreshAuth(a.id, provider);
    expect(auth.accountId).toBe(tenantA);
    expect(auth.tokens.refreshToken).not.toBe(reconnected.refreshToken); // refreshed from the new grant
    expect((await vault.get(b.id)).status).toBe('needs_reconnect'); // its own grant is still the dead one
    await expect(vault.getFreshAuth(b.id, provider)).rejects.toMatchObject({ details: { code: 'needs_reconnect' } });
  });

  it('disconnects one organisation of a shared grant without revoking it; the last one revokes', async () => {
    const { vault, provider, a, b, tenantA, tenantB } = await sharedGrant(MINUTE);
    expect(await vault.disconnect(a.id, provider)).toEqual({ revoked: true });
    expect((await vault.get(a.id)).status).toBe('disconnected');
    const { accountId, tokens } = await vault.getFreshAuth(b.id, provider);
    expect(accountId).toBe(tenantB);
    expect(await linkedAt(tokens, [tenantA, tenantB])).toEqual([tenantB]); // Harbour left the grant; the grant lives on
    expect(await vault.disconnect(b.id, provider)).toEqual({ revoked: true });
    expect(await grantAlive(provider, tokens)).toBe(false);
  });

  it('does not revoke a grant while another Shortfall organisation reads the same account; the last one revokes', async () => {
    const { vault, provider, connection, db, realmId } = await setup(60 * MINUTE);
    const { organisationId: agency } = await seedOrganisation(db, 'Agency Ltd');
    const { connection: theirs } = await vault.connect({
      organisationId: agency,
      provider: 'quickbooks',
      accountId: realmId,
      name: 'Brightside (agency)',
      tokens: quickbooksGrant(realmId, 60 * MINUTE),
    });
    expect(await vault.disconnect(connection.id, provider)).toEqual({ revoked: false });
    expect(qbSim.admin.grants(realmId)).toEqual([{ revoked: false }, { revoked: false }]);
    expect((await vault.get(connection.id)).status).toBe('disconnected');
    expect(await vault.disconnect(theirs.id, provider)).toEqual({ revoked: true });
    expect(qbSim.admin.grants(realmId).filter((g) => g.revoked)).toHaveLength(1);
  });

  it('unlinks only its own account instead of revoking when the revoke would end one another organisation reads', async () => {
    const tenantC = xeroSim.admin.addTenant({ name: 'Agency client' });
    // What the consenting user linked to the app: Harbour, Kestrel and the agency's client.
    const { vault, provider, a, b, db, initial, tenantA, tenantB } = await sharedGrant(60 * MINUTE, [tenantC]);
    expect(await linkedAt(initial, [tenantA, tenantB, tenantC])).toEqual([tenantA, tenantB, tenantC].sort());
    await vault.disconnect(b.id, provider); // a still shares the grant: b just leaves it
    const { organisationId: agency } = await seedOrganisation(db, 'Agency Ltd');
    await vault.connect({
      organisationId: agency,
      provider: 'xero',
      accountId: tenantC,
      name: 'Agency client',
      tokens: initial, // the same person consented for the agency: the same grant
    });
    expect(await vault.disconnect(a.id, provider)).toEqual({ revoked: true });
    expect(await grantAlive(provider, initial)).toBe(true); // a revoke would have ended tenant C for the agency
    expect(await linkedAt(initial, [tenantA, tenantB, tenantC])).toEqual([tenantC]); // Kestrel, then Harbour, left the grant
  });

  it('unlinks only its own account, never revokes, when it cannot tell what a revoke would end', async () => {
    const { vault, organisationId } = await setup(60 * MINUTE);
    const provider = xero();
    const tenant = xeroSim.admin.addTenant({ name: 'Solo' });
    const other = xeroSim.admin.addTenant({ name: 'Also linked' });
    const initial = xeroGrant([tenant, other], 60 * MINUTE);
    const { connection } = await vault.connect({
      organisationId,
      provider: 'xero',
      accountId: tenant,
      name: 'Solo',
      tokens: initial,
    });
    xeroSim.admin.failNext({ status: 429, pathIncludes: '/connections', headers: { 'retry-after': '60' } });
    expect(await vault.disconnect(connection.id, provider)).toEqual({ revoked: true });
    expect(await grantAlive(provider, initial)).toBe(true); // not revoked
    expect(await linkedAt(initial, [tenant, other])).toEqual([other]); // only Solo was unlinked
    expect((await vault.get(connection.id)).status).toBe('disconnected');
  });

  it('keeps the organisation linked at the provider when another Shortfall organisation still reads it', async () => {
    const { vault, provider, a, db, initial, tenantA, tenantB } = await sharedGrant(MINUTE);
    const { organisationId: agency } = await seedOrganisation(db, 'Agency Ltd');
    await vault.connect({
      organisationId: agency,
      provider: 'xero',
      accountId: tenantA,
      name: 'Harbour (agency)',
      tokens: initial,
    });
    expect(await vault.disconnect(a.id, provider)).toEqual({ revoked: false });
    const [theirs] = await vault.listByOrganisation(agency);
    const { tokens } = await vault.getFreshAuth(theirs!.id, provider);
    expect(await linkedAt(tokens, [tenantA, tenantB])).toEqual([tenantA, tenantB].sort()); // nothing unlinked, nothing revoked
    expect((await vault.get(a.id)).status).toBe('disconnected');
  });
});
