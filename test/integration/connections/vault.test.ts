// The connection vault on both engines: sealed tokens, refresh ahead of expiry exactly once across callers,
// invalid_grant, reconnect and disconnect.
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnectionVault, type VaultDeps } from '../../../src/services/connections/vault.js';
import type { ConnectionBrokenEvent } from '../../../src/services/connections/types.js';
import { openDatabase, type DatabaseHandle } from '../../../src/services/db/index.js';
import { connections } from '../../../src/services/db/schema.js';
import { IntegrationError } from '../../../integrations/errors.js';
import { freshPostgresUrl, openPglite } from '../../helpers/databases.js';
import { FakeOAuthProvider, testKeyRing } from '../sync/fakes.js';
import { seedOrganisation } from '../sync/fixtures.js';

const MINUTE = 60_000;
const keyRing = testKeyRing();
const handles: DatabaseHandle[] = [];
afterAll(async () => {
  for (const h of handles) await h.close();
});

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
    const provider = new FakeOAuthProvider();
    const broken: ConnectionBrokenEvent[] = [];
    const deps = { keyRing, onBroken: (e: ConnectionBrokenEvent) => void broken.push(e), ...extra };
    const vault = createConnectionVault({ db: a.db, ...deps });
    const other = createConnectionVault({ db: b.db, ...deps });
    const { organisationId } = await seedOrganisation(a.db);
    const { connection } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: 'realm-1',
      name: 'Brightside QBO',
      tokens: provider.initialTokens(expiresInMs),
    });
    return { db: a.db, vault, other, provider, broken, organisationId, connection };
  }

  it('stores tokens sealed to the row and never returns them with the connection', async () => {
    const { db, vault, connection, organisationId } = await setup(60 * MINUTE);
    const [row] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row!.tokenCiphertext).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain('at-0');
    expect(JSON.stringify(row)).not.toContain('rt-0');
    expect(JSON.stringify(await vault.listByOrganisation(organisationId))).not.toContain('at-0');
    expect(await vault.listByOrganisation(organisationId)).toEqual([
      expect.objectContaining({ id: connection.id, status: 'active', provider: 'quickbooks' }),
    ]);
    // The ciphertext is bound to its row: copied onto another connection it does not open.
    const { connection: second } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: 'realm-2',
      name: 'Second',
      tokens: { accessToken: 'x' },
    });
    await db
      .update(connections)
      .set({ tokenCiphertext: row!.tokenCiphertext, tokenKeyId: row!.tokenKeyId })
      .where(eq(connections.id, second.id));
    await expect(vault.getFreshAuth(second.id, new FakeOAuthProvider())).rejects.toThrow();
  });

  it('hands out stored tokens while they are fresh, and refreshes five minutes ahead of expiry', async () => {
    const { vault, provider, connection } = await setup(6 * MINUTE);
    expect((await vault.getFreshAuth(connection.id, provider)).tokens.accessToken).toBe('at-0');
    expect(provider.refreshCalls).toHaveLength(0);

    const soon = await setup(4 * MINUTE);
    const auth = await soon.vault.getFreshAuth(soon.connection.id, soon.provider);
    expect(auth).toMatchObject({ accountId: 'realm-1', tokens: { accessToken: 'at-1', refreshToken: 'rt-1' } });
    // The rotated refresh token was persisted: a fresh vault over the other handle reads it back.
    expect((await soon.other.getFreshAuth(soon.connection.id, soon.provider)).tokens.refreshToken).toBe('rt-1');
    expect((await soon.vault.get(soon.connection.id)).tokenExpiresAt).toBe(auth.tokens.expiresAt);
  });

  it('refreshes once for two concurrent callers, and both get the new token', async () => {
    const { vault, other, provider, connection } = await setup(MINUTE);
    provider.refreshDelayMs = 150;
    const [first, second] = await Promise.all([
      vault.getFreshAuth(connection.id, provider),
      other.getFreshAuth(connection.id, provider),
    ]);
    expect(provider.refreshCalls).toHaveLength(1);
    expect(first.tokens.accessToken).toBe('at-1');
    expect(second.tokens.accessToken).toBe('at-1');
  });

  it('marks the connection needs_reconnect on invalid_grant, once, and stops using it', async () => {
    const { vault, provider, connection, broken } = await setup(MINUTE);
    provider.failNextRefresh = new IntegrationError('auth', 'refresh token revoked', { code: 'invalid_grant' });
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
    expect(provider.refreshCalls).toHaveLength(1);
    expect(await vault.markNeedsReconnect(connection.id, 'again')).toBeUndefined();
    expect(broken).toHaveLength(1);
  });

  it('leaves tokens and status alone when a refresh fails for a passing reason', async () => {
    const { vault, provider, connection } = await setup(MINUTE);
    provider.failNextRefresh = new IntegrationError('transient', 'token endpoint returned 503');
    await expect(vault.getFreshAuth(connection.id, provider)).rejects.toMatchObject({ kind: 'transient' });
    expect((await vault.get(connection.id)).status).toBe('active');
    expect((await vault.getFreshAuth(connection.id, provider)).tokens.accessToken).toBe('at-1');
  });

  it('restores a connection after the owner reconnects the same account', async () => {
    const { vault, provider, connection, organisationId } = await setup(MINUTE);
    await vault.markNeedsReconnect(connection.id, 'invalid_grant');
    expect(await vault.markRestored(connection.id)).toBe(true);
    await vault.markNeedsReconnect(connection.id, 'invalid_grant');
    const again = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: 'realm-1',
      name: 'Brightside QBO',
      tokens: provider.initialTokens(60 * MINUTE),
    });
    expect(again).toMatchObject({ restored: true, connection: { id: connection.id, status: 'active' } });
    expect(again.connection.lastError).toBeUndefined();
    expect((await vault.getFreshAuth(connection.id, provider)).tokens.accessToken).toBe('at-0');
  });

  it('revokes at the provider on disconnect and wipes the tokens even when revoking fails', async () => {
    const { db, vault, provider, connection, organisationId } = await setup(60 * MINUTE);
    expect(await vault.disconnect(connection.id, provider)).toEqual({ revoked: true });
    expect(provider.revoked).toEqual([expect.objectContaining({ refreshToken: 'rt-0' })]);
    const [row] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row).toMatchObject({
      status: 'disconnected',
      tokenCiphertext: null,
      tokenKeyId: null,
      tokenExpiresAt: null,
    });

    const { connection: other } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: 'realm-9',
      name: 'Other',
      tokens: provider.initialTokens(60 * MINUTE),
    });
    provider.failRevoke = new IntegrationError('transient', 'revoke endpoint down');
    expect(await vault.disconnect(other.id, provider)).toEqual({ revoked: false });
    expect((await vault.get(other.id)).status).toBe('disconnected');
  });

  /** Two organisations connected from one grant, as the port does after the owner's choice. */
  async function sharedGrant(expiresInMs: number) {
    const base = await setup(60 * MINUTE);
    const [first, second] = await base.vault.connectGrant({
      organisationId: base.organisationId,
      provider: 'xero',
      tokens: base.provider.initialTokens(expiresInMs),
      accounts: [
        { accountId: 'tenant-a', name: 'Harbour' },
        { accountId: 'tenant-b', name: 'Kestrel' },
      ],
    });
    return { ...base, a: first!.connection, b: second!.connection };
  }

  it('refreshes a shared grant once for two organisations asked from two sessions, and stores the rotated token for both', async () => {
    const { vault, other, provider, a, b, db } = await sharedGrant(MINUTE);
    const rows = await db
      .select({ grantId: connections.grantId, sealed: connections.tokenCiphertext })
      .from(connections)
      .where(eq(connections.provider, 'xero'));
    expect(new Set(rows.map((r) => r.grantId)).size).toBe(1);
    expect(new Set(rows.map((r) => r.sealed)).size).toBe(2); // sealed per row, bound to its id
    provider.refreshDelayMs = 150;
    const [first, second] = await Promise.all([vault.getFreshAuth(a.id, provider), other.getFreshAuth(b.id, provider)]);
    expect(provider.refreshCalls).toHaveLength(1);
    expect(first).toEqual({
      accountId: 'tenant-a',
      tokens: expect.objectContaining({ accessToken: 'at-1', refreshToken: 'rt-1' }),
    });
    expect(second).toEqual({ accountId: 'tenant-b', tokens: first.tokens });
    // Both rows hold the rotated token (rt-0 is spent): read back through the other session, no second refresh.
    expect((await other.getFreshAuth(a.id, provider)).tokens.refreshToken).toBe('rt-1');
    expect((await vault.getFreshAuth(b.id, provider)).tokens.refreshToken).toBe('rt-1');
    expect(provider.refreshCalls).toHaveLength(1);
  });

  it('breaks every organisation of a shared grant on invalid_grant; one reconnected from a new grant leaves the group', async () => {
    const { vault, provider, a, b, broken, organisationId } = await sharedGrant(MINUTE);
    provider.failNextRefresh = new IntegrationError('auth', 'refresh token revoked', { code: 'invalid_grant' });
    await expect(vault.getFreshAuth(b.id, provider)).rejects.toMatchObject({ details: { code: 'invalid_grant' } });
    expect(broken.map((e) => e.connectionId).sort()).toEqual([a.id, b.id].sort());
    expect((await vault.get(a.id)).status).toBe('needs_reconnect');

    const { restored } = await vault.connect({
      organisationId,
      provider: 'xero',
      accountId: 'tenant-a',
      name: 'Harbour',
      tokens: provider.initialTokens(MINUTE),
    });
    expect(restored).toBe(true);
    const auth = await vault.getFreshAuth(a.id, provider);
    expect(auth.tokens.accessToken).toBe('at-1');
    expect((await vault.get(b.id)).status).toBe('needs_reconnect'); // its own grant is still the dead one
    await expect(vault.getFreshAuth(b.id, provider)).rejects.toMatchObject({ details: { code: 'needs_reconnect' } });
  });

  it('disconnects one organisation of a shared grant without revoking it; the last one revokes', async () => {
    const { vault, provider, a, b } = await sharedGrant(MINUTE);
    expect(await vault.disconnect(a.id, provider)).toEqual({ revoked: true });
    expect(provider.droppedAccounts).toEqual(['tenant-a']);
    expect(provider.revoked).toEqual([]);
    expect((await vault.get(a.id)).status).toBe('disconnected');
    expect((await vault.getFreshAuth(b.id, provider)).accountId).toBe('tenant-b');
    expect(await vault.disconnect(b.id, provider)).toEqual({ revoked: true });
    expect(provider.revoked).toHaveLength(1);
  });

  it('does not revoke a grant while another Shortfall organisation reads the same account; the last one revokes', async () => {
    const { vault, provider, connection, db } = await setup(60 * MINUTE);
    const { organisationId: agency } = await seedOrganisation(db, 'Agency Ltd');
    const { connection: theirs } = await vault.connect({
      organisationId: agency,
      provider: 'quickbooks',
      accountId: 'realm-1',
      name: 'Brightside (agency)',
      tokens: provider.initialTokens(60 * MINUTE),
    });
    expect(await vault.disconnect(connection.id, provider)).toEqual({ revoked: false });
    expect(provider.revoked).toEqual([]);
    expect((await vault.get(connection.id)).status).toBe('disconnected');
    expect(await vault.disconnect(theirs.id, provider)).toEqual({ revoked: true });
    expect(provider.revoked).toHaveLength(1);
  });

  it('unlinks only its own account instead of revoking when the revoke would end one another organisation reads', async () => {
    const { vault, provider, a, b, db } = await sharedGrant(60 * MINUTE);
    provider.linkedAccounts = ['tenant-a', 'tenant-b', 'tenant-c']; // what the consenting user linked to the app
    await vault.disconnect(b.id, provider); // a still shares the grant: b just leaves it
    const { organisationId: agency } = await seedOrganisation(db, 'Agency Ltd');
    await vault.connect({
      organisationId: agency,
      provider: 'xero',
      accountId: 'tenant-c',
      name: 'Agency client',
      tokens: provider.initialTokens(60 * MINUTE),
    });
    expect(await vault.disconnect(a.id, provider)).toEqual({ revoked: true });
    expect(provider.revoked).toEqual([]); // a revoke would have ended tenant-c for the agency
    expect(provider.droppedAccounts).toEqual(['tenant-b', 'tenant-a']);
  });

  it('unlinks only its own account, never revokes, when it cannot tell what a revoke would end', async () => {
    const { vault, provider, connection } = await setup(60 * MINUTE);
    provider.failListAccounts = new IntegrationError('rate_limited', 'Xero answered 429');
    expect(await vault.disconnect(connection.id, provider)).toEqual({ revoked: true });
    expect(provider.revoked).toEqual([]);
    expect(provider.droppedAccounts).toEqual(['realm-1']);
    expect((await vault.get(connection.id)).status).toBe('disconnected');
  });

  it('keeps the organisation linked at the provider when another Shortfall organisation still reads it', async () => {
    const { vault, provider, a, db } = await sharedGrant(MINUTE);
    const { organisationId: agency } = await seedOrganisation(db, 'Agency Ltd');
    await vault.connect({
      organisationId: agency,
      provider: 'xero',
      accountId: 'tenant-a',
      name: 'Harbour (agency)',
      tokens: provider.initialTokens(MINUTE),
    });
    expect(await vault.disconnect(a.id, provider)).toEqual({ revoked: false });
    expect(provider.droppedAccounts).toEqual([]);
    expect(provider.revoked).toEqual([]);
    expect((await vault.get(a.id)).status).toBe('disconnected');
  });
});
