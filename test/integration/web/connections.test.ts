// The connections page through ConnectionsPort (an in-memory fake): OAuth round trip, health, reconnect,
// disconnect and the Stripe restricted-key form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectBrowser } from './browser.js';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
let b: InjectBrowser;
let orgId: string;
beforeAll(async () => {
  w = await createWebHarness();
  orgId = (await seedOrganisation(w.h, { email: 'ana@brightside.example' })).org.id;
  b = w.browser();
  await signIn(w, b, 'ana@brightside.example');
});
afterAll(async () => {
  await w?.close();
});

describe('connections page', () => {
  it('offers each provider, labels simulated ones and says when one is not configured', async () => {
    const text = textOf((await b.get('/connections')).body);
    expect(text).toContain('Nothing is connected yet');
    expect(text).toMatch(/QuickBooks Online Sandbox \(simulated\).*Connect QuickBooks Online/);
    expect(text).toContain('Connect Xero');
    expect(text).toContain(
      'Not available: this Shortfall has no Stripe app credentials. Use a restricted key below instead.',
    );
    expect((await b.get('/oauth/stripe/start')).statusCode).toBe(404);
  });

  it('runs the OAuth round trip through the port and refuses a callback whose state it did not issue', async () => {
    const start = await b.get('/oauth/quickbooks/start');
    expect(start.statusCode).toBe(303);
    const authorize = new URL(start.headers.location as string);
    expect(authorize.origin).toBe('https://provider.example');
    const state = authorize.searchParams.get('state')!;

    const forged = await b.get('/oauth/quickbooks/callback?code=abc&state=made-up&realmId=9');
    expect(forged.statusCode).toBe(400);
    expect(textOf(forged.body)).toContain('This sign-in with the provider expired or was not started here.');

    const ok = await b.get(`/oauth/quickbooks/callback?code=abc&state=${state}&realmId=4620816365`);
    expect(ok.headers.location).toBe('/connections?notice=connected');
    const page = textOf((await b.get('/connections?notice=connected')).body);
    expect(page).toContain('Connected. The first sync has started');
    expect(page).toMatch(
      /QuickBooks Online Account 4620816365 Sandbox \(simulated\) Working Last sync: Not yet Result: Not synced yet\. None/,
    );
    const replay = await b.get(`/oauth/quickbooks/callback?code=abc&state=${state}&realmId=4620816365`);
    expect(replay.statusCode).toBe(400);
    const denied = await b.get('/oauth/xero/callback?error=access_denied');
    expect(textOf(denied.body)).toContain('The provider said: access_denied.');
  });

  it('shows health per connection with Reconnect for a broken one, and disconnects only with a CSRF token', async () => {
    const broken = w.connections.add(orgId, {
      provider: 'xero',
      name: 'Brightside Ltd',
      status: 'needs_reconnect',
      sandbox: false,
      lastSyncAt: '2026-12-01T14:00:00.000Z',
      lastError: 'Xero refused the refresh token (invalid_grant)',
    });
    const html = (await b.get('/connections')).body;
    const text = textOf(html);
    expect(text).toContain('Needs reconnecting');
    expect(text).toContain('Tue, Dec 1, 2026, 9:00 AM EST'); // last sync, in the organisation's time zone
    // In plain words with what to do; the provider's own text under Details, for support.
    expect(text).toContain(
      "Xero no longer accepts Shortfall's access: the sign-in expired, or someone revoked it in Xero. Reconnect Xero on this page; syncing resumes where it stopped. Details Xero refused the refresh token (invalid_grant)",
    );
    expect(html).toContain(
      '<a class="button" href="/oauth/xero/start">Reconnect<span class="vh"> Xero Brightside Ltd</span></a>',
    );

    const action = `/connections/${broken.id}/disconnect`;
    expect((await b.post(action, {})).statusCode).toBe(403);
    expect((await w.connections.list(orgId)).find((c) => c.id === broken.id)!.status).toBe('needs_reconnect');
    const done = await b.post(action, { _csrf: csrfOf(html, action) });
    expect(done.headers.location).toBe('/connections?notice=disconnected');
    expect((await w.connections.list(orgId)).find((c) => c.id === broken.id)!.status).toBe('disconnected');
    const unknown = await b.post('/connections/00000000-0000-4000-8000-000000000000/disconnect', {
      _csrf: csrfOf(html, action),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('shows when a QuickBooks grant reaches its hard expiry, so the owner reconnects in time', async () => {
    w.connections.add(orgId, {
      provider: 'quickbooks',
      name: 'Brightside QBO',
      status: 'active',
      sandbox: false,
      hardExpiresAt: '2031-11-27T15:00:00.000Z',
    });
    const text = textOf((await b.get('/connections')).body);
    expect(text).toContain('Access ends Thu, Nov 27, 2031, 10:00 AM EST; connect again before then.');
  });

  it("checks the shape of a Stripe restricted key before handing it to the port, and shows the port's refusal", async () => {
    const html = (await b.get('/connections')).body;
    const csrf = csrfOf(html, '/connections/stripe-key');
    const bad = await b.post('/connections/stripe-key', { key: 'pk_live_123', _csrf: csrf });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('Paste a Stripe restricted key: it starts with rk_live_ or rk_test_.');
    expect(bad.body).not.toContain('pk_live_123'); // a key is never echoed back into the page
    const refused = await b.post('/connections/stripe-key', { key: 'rk_live_51Hrevoked0000', _csrf: csrf });
    expect(textOf(refused.body)).toContain('Stripe refused this key: it has been revoked.');
    const ok = await b.post('/connections/stripe-key', { key: ' rk_test_51HabcdefGHIJ ', _csrf: csrf });
    expect(ok.headers.location).toBe('/connections?notice=stripe_key_saved');
    expect(w.connections.keys).toEqual(['rk_test_51HabcdefGHIJ']);
  });

  it('is only for signed-in owners', async () => {
    const anon = w.browser();
    expect((await anon.get('/connections')).headers.location).toBe('/sign-in?next=%2Fconnections');
    expect((await anon.get('/oauth/quickbooks/start')).statusCode).toBe(303);
    const post = await anon.post('/connections/stripe-key', { key: 'rk_test_x' });
    expect(post.statusCode).toBe(401);
  });
});
