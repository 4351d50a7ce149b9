// The connections page through the app's real port (src/services/connections/port.ts) over the real vault on
// PGlite, with the provider simulators behind the real provider code: the OAuth round trip through a simulator's
// consent page, a forged and a replayed callback refused, a connection broken because access was revoked at the
// provider, the QuickBooks hard expiry of a stored grant, disconnecting, and the Stripe restricted-key form.
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { connections } from '../../../src/services/db/schema.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { dateTimeFormatter } from '../../../src/domain/time-format.js';
import {
  connectSimulatedCompany,
  consentAt,
  revokeAtProvider,
  type ProviderSimulators,
} from '../../helpers/provider-connections.js';
import type { InjectBrowser } from './browser.js';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
let b: InjectBrowser;
let orgId: string;
let userId: string;
let sims: ProviderSimulators;
beforeAll(async () => {
  w = await createWebHarness();
  const seeded = await seedOrganisation(w.h, { email: 'ana@brightside.example' });
  orgId = seeded.org.id;
  userId = seeded.user.id;
  b = w.browser();
  await signIn(w, b, 'ana@brightside.example');
});
afterAll(async () => {
  await w?.close();
});

const connection = async (id: string) => (await w.connections.list(orgId)).find((c) => c.id === id)!;

describe('connections page', () => {
  it('offers each provider, labels simulated ones and says when one is not configured', async () => {
    const text = textOf((await b.get('/connections')).body);
    expect(text).toContain('Nothing is connected yet');
    expect(text).toMatch(/QuickBooks Online Sandbox \(simulated\).*Connect QuickBooks Online/);
    expect(text).toContain('Connect Xero');
    expect(text).toContain(
      'Not available: this Shortfall has no Stripe app credentials. Use a restricted key below instead.',
    );
    // Every resource the sync reads (it follows the account's events), as the README lists them.
    expect(text).toContain(
      'create a restricted key with read access to invoices, customers, charges, disputes and events, and write access to credit notes and disputes',
    );
    expect((await b.get('/oauth/stripe/start')).statusCode).toBe(404);
  });

  it("runs the OAuth round trip through the provider's consent page and refuses a callback whose state it did not issue", async () => {
    sims = await w.providers.simulators();
    const realmId = sims.quickbooks.admin.createCompany({ name: 'Brightside Design Co' });
    const start = await b.get('/oauth/quickbooks/start');
    expect(start.statusCode).toBe(303);
    const authorize = new URL(start.headers.location as string);
    expect(authorize.origin).toBe(new URL(sims.quickbooks.url).origin);
    expect(authorize.searchParams.get('redirect_uri')).toBe('https://app.shortfall.test/oauth/quickbooks/callback');

    const forged = await b.get(`/oauth/quickbooks/callback?code=abc&state=made-up&realmId=${realmId}`);
    expect(forged.statusCode).toBe(400);
    expect(textOf(forged.body)).toContain('That sign-in attempt is not one we started. Please connect again');

    // The owner picks the company on QuickBooks' consent page; QuickBooks sends the browser back with a code.
    const callback = await consentAt(authorize.toString(), { accounts: [realmId] });
    expect(callback).toMatch(/^\/oauth\/quickbooks\/callback\?/);
    const ok = await b.get(callback);
    expect(ok.headers.location).toBe('/connections?notice=connected');
    const page = textOf((await b.get('/connections?notice=connected')).body);
    expect(page).toContain('Connected. The first sync has started');
    // A real QuickBooks grant carries its five-year hard expiry, which the row shows from the start.
    expect(page).toMatch(
      /QuickBooks Online Brightside Design Co Sandbox \(simulated\) Working Access ends [^;]+; connect again before then\. Last sync: Not yet Result: Not synced yet\. None/,
    );
    const [made] = (await w.connections.list(orgId)).filter((c) => c.name === 'Brightside Design Co');
    expect(made).toMatchObject({ provider: 'quickbooks', status: 'active', sandbox: true });
    expect(w.providers.lifecycle).toEqual([`connected:${made!.id}`]); // its first sync is asked for

    const replay = await b.get(callback);
    expect(replay.statusCode).toBe(400);
    expect(textOf(replay.body)).toContain('That sign-in link was already used. Please connect again');
    expect((await w.connections.list(orgId)).filter((c) => c.name === 'Brightside Design Co')).toHaveLength(1);

    // Cancel on Xero's consent page: Xero sends the browser back with access_denied, and nothing is connected.
    sims.xero.admin.addTenant({ name: 'Brightside Ltd' });
    const cancelled = await consentAt((await b.get('/oauth/xero/start')).headers.location as string, {
      decision: 'deny',
    });
    expect(new URL(cancelled, PUBLIC).searchParams.get('error')).toBe('access_denied');
    const denied = await b.get(cancelled);
    expect(denied.statusCode).toBe(400);
    expect(textOf(denied.body)).toContain('Xero did not grant access. Please try again.');
    expect((await w.connections.list(orgId)).map((c) => c.provider)).toEqual(['quickbooks']);
  });

  it('shows health per connection with Reconnect for a broken one, and disconnects only with a CSRF token', async () => {
    const xero = await connectSimulatedCompany(w.providers, userId, 'xero', 'Brightside Ltd');
    // A sync pass reads the organisation (on 1 December, 14:00 UTC), through the real sync activity and store.
    const sync = createSyncActivities({
      connections: w.providers.vault,
      providers: sims.registry,
      sync: createSyncStore({ db: w.h.db, now: () => Date.parse('2026-12-01T14:00:00.000Z') }),
      // No case is opened from an empty organisation: a Temporal call here would fail the test.
      cases: createCaseStarter({
        db: w.h.db,
        client: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
        taskQueue: 'unused',
      }),
      heartbeat: () => undefined,
    });
    expect(await sync.syncPage({ connectionId: xero.id })).toMatchObject({ actions: [] });
    // Then the owner revokes Shortfall's access in Xero; the next token refresh is refused.
    await revokeAtProvider(w.providers, xero.id);
    expect(await connection(xero.id)).toMatchObject({
      status: 'needs_reconnect',
      lastError: 'The provider refused the refresh token (invalid_grant)',
    });

    const html = (await b.get('/connections')).body;
    const text = textOf(html);
    expect(text).toContain('Needs reconnecting');
    expect(text).toContain('Tue, Dec 1, 2026, 9:00 AM EST'); // last sync, in the organisation's time zone
    // In plain words with what to do; the provider's own text under Details, for support.
    expect(text).toContain(
      "Xero no longer accepts Shortfall's access: the sign-in expired, or someone revoked it in Xero. Reconnect Xero on this page; syncing resumes where it stopped. Details The provider refused the refresh token (invalid_grant)",
    );
    expect(html).toContain(
      '<a class="button" href="/oauth/xero/start">Reconnect<span class="vh"> Xero Brightside Ltd</span></a>',
    );

    const action = `/connections/${xero.id}/disconnect`;
    expect((await b.post(action, {})).statusCode).toBe(403);
    expect((await connection(xero.id)).status).toBe('needs_reconnect');
    const done = await b.post(action, { _csrf: csrfOf(html, action) });
    expect(done.headers.location).toBe('/connections?notice=disconnected');
    expect((await connection(xero.id)).status).toBe('disconnected');
    expect(w.providers.lifecycle.at(-1)).toBe(`disconnected:${xero.id}`);
    const unknown = await b.post('/connections/00000000-0000-4000-8000-000000000000/disconnect', {
      _csrf: csrfOf(html, action),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('shows when a QuickBooks grant reaches its hard expiry, so the owner reconnects in time', async () => {
    const before = Date.now();
    const qbo = await connectSimulatedCompany(w.providers, userId, 'quickbooks', 'Brightside QBO');
    const after = Date.now();
    // QuickBooks caps a grant at five years from consent, whatever the refreshes (FACTS.md).
    const { hardExpiresAt } = await connection(qbo.id);
    const fiveYears = 5 * 365 * 86_400_000;
    expect(Date.parse(hardExpiresAt!)).toBeGreaterThanOrEqual(before + fiveYears - 1000);
    expect(Date.parse(hardExpiresAt!)).toBeLessThanOrEqual(after + fiveYears);
    const inNewYork = dateTimeFormatter('en-US', 'America/New_York')(hardExpiresAt!).replace(/\s+/g, ' ');
    const year = new Date(hardExpiresAt!).getUTCFullYear();
    expect(inNewYork).toMatch(new RegExp(`^\\w{3}, \\w{3} \\d{1,2}, ${year}, \\d{1,2}:\\d{2} [AP]M E[SD]T$`));
    const text = textOf((await b.get('/connections')).body);
    expect(text).toContain(`Access ends ${inNewYork}; connect again before then.`);
  });

  it('checks the shape of a Stripe restricted key, refuses a key Stripe revoked, and stores a good one sealed', async () => {
    const { accountId } = sims.stripe.admin.createAccount({ name: 'Brightside Design' });
    const revokedKey = sims.stripe.admin.issueRestrictedKey(accountId);
    sims.stripe.admin.revokeKey(revokedKey);
    const key = sims.stripe.admin.issueRestrictedKey(accountId);

    const html = (await b.get('/connections')).body;
    const csrf = csrfOf(html, '/connections/stripe-key');
    const bad = await b.post('/connections/stripe-key', { key: 'pk_live_123', _csrf: csrf });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('Paste a Stripe restricted key: it starts with rk_live_ or rk_test_.');
    expect(bad.body).not.toContain('pk_live_123'); // a key is never echoed back into the page
    const refused = await b.post('/connections/stripe-key', { key: revokedKey, _csrf: csrf });
    expect(textOf(refused.body)).toContain(
      'Stripe did not accept that key, or it cannot read invoices. Check its permissions and paste it again.',
    );
    expect(refused.body).not.toContain(revokedKey);
    expect((await w.connections.list(orgId)).some((c) => c.provider === 'stripe')).toBe(false);

    const ok = await b.post('/connections/stripe-key', { key: ` ${key} `, _csrf: csrf });
    expect(ok.headers.location).toBe('/connections?notice=stripe_key_saved');
    const [stripe] = (await w.connections.list(orgId)).filter((c) => c.provider === 'stripe');
    expect(stripe).toMatchObject({ name: 'Brightside Design', status: 'active', sandbox: true });
    // Stored sealed, never in clear; the vault opens it to the key as pasted, without the spaces.
    const [row] = await w.h.db.select().from(connections).where(eq(connections.id, stripe!.id));
    expect(row!.credential).toBe('api_key');
    expect(row!.tokenCiphertext).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain(key);
    const auth = await w.providers.vault.getFreshAuth(stripe!.id, sims.registry.get('stripe').oauth);
    expect(auth.tokens.accessToken).toBe(key);
  });

  it('is only for signed-in owners', async () => {
    const anon = w.browser();
    expect((await anon.get('/connections')).headers.location).toBe('/sign-in?next=%2Fconnections');
    expect((await anon.get('/oauth/quickbooks/start')).statusCode).toBe(303);
    const post = await anon.post('/connections/stripe-key', { key: 'rk_test_x' });
    expect(post.statusCode).toBe(401);
  });
});

const PUBLIC = 'https://app.shortfall.test';
