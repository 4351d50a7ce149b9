// Connecting several Xero organisations from one grant, through the whole stack: the web app's callback and
// choice page, the real connections port and vault on PGlite, and xero-node against the simulator. The
// organisations share one rotating refresh token, so they refresh together and leave the grant one by one.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionsPort, type ConnectionsService } from '../../../src/services/connections/port.js';
import { createOAuthStateStore } from '../../../src/services/connections/oauth-states.js';
import { createPendingGrantStore } from '../../../src/services/connections/pending-grants.js';
import type { Connection, ConnectionBrokenEvent } from '../../../src/services/connections/types.js';
import { createConnectionVault, type ConnectionVault } from '../../../src/services/connections/vault.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { connections, users } from '../../../src/services/db/schema.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { csrfOf, textOf, type InjectBrowser } from '../web/browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from '../web/harness.js';
import { demo, harbour, kestrel, redirectUri, startHarness, type Harness } from './harness.js';
import { openPglite } from '../../helpers/databases.js';

const MINUTE = 60_000;
let x: Harness;
let db: DatabaseHandle;
let w: WebHarness;
let b: InjectBrowser;
let vault: ConnectionVault;
let port: ConnectionsService;
let orgId: string;
const events: string[] = [];
const broken: ConnectionBrokenEvent[] = [];

beforeAll(async () => {
  x = await startHarness();
  db = await openPglite();
  const keyRing = testKeyRing();
  const oauth = x.oauth();
  vault = createConnectionVault({ db: db.db, keyRing, now: x.clock, onBroken: (e) => void broken.push(e) });
  port = createConnectionsPort({
    db: db.db,
    vault,
    states: createOAuthStateStore({ db: db.db, now: x.clock }),
    pending: createPendingGrantStore({ db: db.db, keyRing, now: x.clock }),
    providers: {
      get: () => ({
        oauth,
        connector: () => {
          throw new Error('no sync in this test');
        },
      }),
    },
    redirectUri: () => redirectUri,
    onConnected: async (c: Connection, restored: boolean) =>
      void events.push(`${restored ? 'restored' : 'connected'}:${c.name}`),
    onDisconnected: async (c: Connection) => void events.push(`disconnected:${c.name}`),
  });
  w = await createWebHarness({
    db,
    connections: port,
    settings: { providers: { quickbooks: 'unavailable', xero: 'simulated', stripe: 'unavailable' } },
  });
  orgId = (await seedOrganisation(db, { email: 'ana@brightside.example' })).org.id;
  b = w.browser();
  await signIn(w, b, 'ana@brightside.example');
});
afterAll(async () => {
  await w?.close();
  await db?.close();
  await x?.close(); // also asserts zero OpenAPI violations
});

/** The owner clicks Connect Xero, consents to `consented` at Xero, and lands back on Shortfall's callback. */
async function connectXero(consented: readonly string[]) {
  x.sim.admin.setConsent({ mode: 'auto', tenantIds: consented });
  const start = await b.get('/oauth/xero/start');
  expect(start.statusCode).toBe(303);
  const consent = await fetch(start.headers.location as string, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location') ?? '');
  expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
  return b.get(`/oauth/xero/callback${back.search}`);
}

const seedOrganisationOf = async (h: DatabaseHandle, email: string) =>
  (await h.db.select().from(users).where(eq(users.email, email)))[0]!.organisationId;
const byName = async () => new Map((await vault.listByOrganisation(orgId)).map((c) => [c.name, c]));
const grantOf = async (id: string) =>
  (await db.db.select({ grantId: connections.grantId }).from(connections).where(eq(connections.id, id)))[0]?.grantId;
const refreshes = () => x.sim.admin.tokenRequests().filter((r) => r.grantType === 'refresh_token');
/** What Xero itself says the grant reaches, asked with the tokens the vault holds for this connection. */
const reachable = async (connectionId: string) =>
  (await x.oauth().listAccounts((await vault.getFreshAuth(connectionId, x.oauth())).tokens)).map((a) => a.name);

describe('choosing Xero organisations', () => {
  it('asks which of the consented organisations to connect, and connects each chosen one as its own connection', async () => {
    const callback = await connectXero([harbour, kestrel, demo]);
    expect(callback.statusCode).toBe(303);
    const choicePath = callback.headers.location as string;
    expect(choicePath).toMatch(/^\/connections\/choose\/[0-9a-f-]{36}$/);

    const html = (await b.get(choicePath)).body;
    expect(textOf(html)).toContain('You gave Shortfall access to 3 Xero organisations.');
    for (const id of [harbour, kestrel, demo])
      expect(html).toContain(`<input type="checkbox" name="accountId" value="${id}" checked>`);
    const csrf = csrfOf(html, choicePath);

    expect((await b.post(choicePath, { accountId: [harbour] })).statusCode).toBe(403); // no CSRF token
    const none = await b.post(choicePath, { _csrf: csrf });
    expect(none.statusCode).toBe(400);
    expect(textOf(none.body)).toContain('Choose at least one organisation to connect.');
    const foreign = await b.post(choicePath, { _csrf: csrf, accountId: [harbour, 'not-in-this-grant'] });
    expect(textOf(foreign.body)).toContain('Choose among the organisations listed.');
    expect(await vault.listByOrganisation(orgId)).toEqual([]);

    const done = await b.post(choicePath, { _csrf: csrf, accountId: [harbour, kestrel] });
    expect(done.headers.location).toBe('/connections?notice=connected');
    expect(events).toEqual(['connected:Harbour Plumbing Ltd', 'connected:Kestrel Design Studio']);
    const made = await byName();
    expect([...made.keys()]).toEqual(['Harbour Plumbing Ltd', 'Kestrel Design Studio']);
    expect([...made.values()].map((c) => [c.provider, c.status])).toEqual([
      ['xero', 'active'],
      ['xero', 'active'],
    ]);
    const [h, k] = [made.get('Harbour Plumbing Ltd')!, made.get('Kestrel Design Studio')!];
    expect(await grantOf(h.id)).toBe(await grantOf(k.id));
    const page = textOf((await b.get('/connections')).body);
    expect(page).toMatch(/Xero Harbour Plumbing Ltd Sandbox \(simulated\) Working/);
    expect(page).toMatch(/Xero Kestrel Design Studio Sandbox \(simulated\) Working/);

    // The organisation left unticked is disconnected at Xero: Shortfall keeps no access it was not asked for.
    expect(await reachable(h.id)).toEqual(['Harbour Plumbing Ltd', 'Kestrel Design Studio']);

    const again = await b.post(choicePath, { _csrf: csrf, accountId: [demo] });
    expect(again.statusCode).toBe(410);
    expect(textOf(again.body)).toContain('Those organisations were already chosen');
  });

  it('refreshes the shared grant once for both organisations, and both keep working on the rotated token', async () => {
    const made = await byName();
    const [h, k] = [made.get('Harbour Plumbing Ltd')!, made.get('Kestrel Design Studio')!];
    const before = refreshes().length;
    x.clock.advance(26 * MINUTE); // inside the 5-minute margin before the 30-minute access token expires
    const [ha, ka] = await Promise.all([vault.getFreshAuth(h.id, x.oauth()), vault.getFreshAuth(k.id, x.oauth())]);
    expect(refreshes().slice(before)).toEqual([{ grantType: 'refresh_token', outcome: 'ok' }]);
    expect(ha.tokens).toEqual(ka.tokens);
    expect(ha.accountId).toBe(harbour);
    expect(ka.accountId).toBe(kestrel);

    // Long past Xero's 30-minute grace for the spent token: each organisation refreshes with the rotated one.
    x.clock.advance(40 * MINUTE);
    await expect(vault.getFreshAuth(k.id, x.oauth())).resolves.toMatchObject({ accountId: kestrel });
    const inv = await x
      .connector(harbour, { auth: await vault.getFreshAuth(h.id, x.oauth()) })
      .getInvoice('00000000-0000-4000-8000-000000000000');
    expect(inv).toBeNull(); // an authorised API call for Harbour: a 404 for an unknown invoice, not a 401
    expect(
      refreshes()
        .slice(before)
        .map((r) => r.outcome),
    ).toEqual(['ok', 'ok']);
    expect(broken).toEqual([]);
  });

  it('disconnects one organisation from the grant and leaves the other working; the last one revokes it', async () => {
    const made = await byName();
    const [h, k] = [made.get('Harbour Plumbing Ltd')!, made.get('Kestrel Design Studio')!];
    const html = (await b.get('/connections')).body;
    const action = `/connections/${h.id}/disconnect`;
    expect((await b.post(action, { _csrf: csrfOf(html, action) })).headers.location).toBe(
      '/connections?notice=disconnected',
    );
    expect((await vault.get(h.id)).status).toBe('disconnected');
    expect(await reachable(k.id)).toEqual(['Kestrel Design Studio']);

    const { tokens } = await vault.getFreshAuth(k.id, x.oauth());
    const last = `/connections/${k.id}/disconnect`;
    await b.post(last, { _csrf: csrfOf((await b.get('/connections')).body, last) });
    expect((await vault.get(k.id)).status).toBe('disconnected');
    await expect(x.oauth().refresh(tokens)).rejects.toMatchObject({ kind: 'auth', details: { code: 'invalid_grant' } });
    expect(events.slice(-2)).toEqual(['disconnected:Harbour Plumbing Ltd', 'disconnected:Kestrel Design Studio']);
  });

  it('connects a grant that reaches one organisation at once, without asking', async () => {
    // After the revoke Xero has no connections left for Shortfall, so this grant reaches Kestrel alone.
    const single = await connectXero([kestrel]);
    expect(single.headers.location).toBe('/connections?notice=connected');
    expect(events.at(-1)).toBe('restored:Kestrel Design Studio');
    expect((await byName()).get('Kestrel Design Studio')?.status).toBe('active');
  });

  it('marks every organisation of a dead grant needs_reconnect, and the owner may reconnect just one', async () => {
    const path = (await connectXero([harbour, kestrel])).headers.location as string;
    const html = (await b.get(path)).body;
    await b.post(path, { _csrf: csrfOf(html, path), accountId: [harbour, kestrel] });
    expect(events.slice(-2).sort()).toEqual(['connected:Kestrel Design Studio', 'restored:Harbour Plumbing Ltd']);
    const made = await byName();
    const [h, k] = [made.get('Harbour Plumbing Ltd')!, made.get('Kestrel Design Studio')!];
    expect(await grantOf(h.id)).toBe(await grantOf(k.id));

    x.clock.advance(61 * 24 * 60 * MINUTE); // unused for longer than Xero's 60 days: the refresh token is dead
    await expect(vault.getFreshAuth(h.id, x.oauth())).rejects.toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_grant' },
    });
    expect(broken.map((e) => e.connectionId).sort()).toEqual([h.id, k.id].sort());
    await expect(vault.getFreshAuth(k.id, x.oauth())).rejects.toMatchObject({
      kind: 'auth',
      details: { code: 'needs_reconnect' },
    });
    expect(textOf((await b.get('/connections')).body).match(/Needs reconnecting/g)).toHaveLength(2);

    // Xero still lists Harbour for this app, so the new grant reaches both; the owner ticks Kestrel only.
    const again = (await connectXero([kestrel])).headers.location as string;
    const page = (await b.get(again)).body;
    expect(textOf(page)).toContain('Harbour Plumbing Ltd (needs reconnecting: this reconnects it)');
    await b.post(again, { _csrf: csrfOf(page, again), accountId: [kestrel] });
    const after = await byName();
    expect(after.get('Kestrel Design Studio')).toMatchObject({ id: k.id, status: 'active' });
    expect(after.get('Harbour Plumbing Ltd')?.status).toBe('needs_reconnect');
    expect(await grantOf(k.id)).not.toBe(await grantOf(h.id));
    // Harbour was left unticked but is still a Shortfall connection (waiting to be reconnected): Xero keeps it.
    expect((await reachable(k.id)).sort()).toEqual(['Harbour Plumbing Ltd', 'Kestrel Design Studio']);
  });

  it('shows which organisations are connected already, and a choice expires, is single-use and can be cancelled', async () => {
    const path = (await connectXero([harbour, kestrel, demo])).headers.location as string;
    const html = (await b.get(path)).body;
    expect(textOf(html)).toContain('Kestrel Design Studio (already connected: its access is renewed)');
    expect(textOf(html)).toContain('Harbour Plumbing Ltd (needs reconnecting: this reconnects it)');
    expect(html).toContain(`<input type="checkbox" name="accountId" value="${kestrel}">`); // not ticked: it works already
    expect(html).toContain(`<input type="checkbox" name="accountId" value="${harbour}" checked>`);

    const cancel = `${path}/cancel`;
    expect((await b.post(cancel, { _csrf: csrfOf(html, cancel) })).headers.location).toBe(
      '/connections?notice=connect_cancelled',
    );
    expect((await b.get(path)).statusCode).toBe(410);
    // Nothing connected, nothing kept: the organisation no connection relies on is unlinked at Xero again.
    const kestrelConnection = (await byName()).get('Kestrel Design Studio')!;
    expect((await reachable(kestrelConnection.id)).sort()).toEqual(['Harbour Plumbing Ltd', 'Kestrel Design Studio']);

    const late = (await connectXero([harbour, kestrel, demo])).headers.location as string;
    expect((await reachable(kestrelConnection.id)).sort()).toEqual([
      'Demo Company (AU)',
      'Harbour Plumbing Ltd',
      'Kestrel Design Studio',
    ]);
    x.clock.advance(11 * MINUTE);
    const expired = await b.get(late);
    expect(expired.statusCode).toBe(410);
    expect(textOf(expired.body)).toContain('That choice took longer than ten minutes. Please connect again.');
    // Left to expire, it is released like a cancel: what no connection relies on is unlinked, once.
    expect(await port.releaseExpiredChoices()).toBe(1);
    expect(await port.releaseExpiredChoices()).toBe(0);
    expect((await reachable(kestrelConnection.id)).sort()).toEqual(['Harbour Plumbing Ltd', 'Kestrel Design Studio']);
    expect((await byName()).get('Harbour Plumbing Ltd')?.status).toBe('needs_reconnect');
  });

  it('keeps a choice to the owner whose callback made it', async () => {
    const path = (await connectXero([harbour, kestrel])).headers.location as string;
    await seedOrganisation(db, { email: 'mallory@elsewhere.example', name: 'Elsewhere Ltd' });
    const other = w.browser();
    await signIn(w, other, 'mallory@elsewhere.example');
    const peek = await other.get(path);
    expect(peek.statusCode).toBe(410);
    expect(textOf(peek.body)).not.toContain('Harbour');
    const formHtml = (await other.get('/connections')).body;
    const steal = await other.post(path, { _csrf: csrfOf(formHtml), accountId: [harbour] }); // her own valid CSRF token
    expect(steal.statusCode).toBe(410);
    expect(await vault.listByOrganisation(await seedOrganisationOf(db, 'mallory@elsewhere.example'))).toEqual([]);
    expect((await b.get(path)).statusCode).toBe(200); // still the owner's to make
  });
});
