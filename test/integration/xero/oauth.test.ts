import { Issuer } from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { createXeroOAuth, xeroScopes } from '../../../integrations/xero/oauth.js';
import { xeroUrlsAt } from '../../../integrations/xero/urls.js';
import { simulatorClient } from '../../../simulators/xero/index.js';
import { demo, harbour, kestrel, redirectUri, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const callbackQuery = (location: string | null) => Object.fromEntries(new URL(location ?? '').searchParams);

async function consentVia(url: string): Promise<Record<string, string>> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return callbackQuery(res.headers.get('location'));
}

/** Walks the consent screen like a person: reads the form, ticks the given organisations, allows. */
async function consentOnPage(url: string, tenantIds: readonly string[]): Promise<Record<string, string>> {
  const html = await (await fetch(url)).text();
  const form = new URLSearchParams();
  for (const [, name = '', value = ''] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.append(
      name,
      value.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c))),
    );
  const offered = [...html.matchAll(/name="tenantId" value="([^"]+)"/g)].map((m) => m[1]);
  expect(offered).toEqual([harbour, kestrel, demo]);
  for (const id of tenantIds) form.append('tenantId', id);
  form.append('decision', 'allow');
  const res = await fetch(`${h.sim.url}/connect/authorize/decision`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return callbackQuery(res.headers.get('location'));
}

async function authError(p: Promise<unknown>): Promise<IntegrationError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IntegrationError);
  return e as IntegrationError;
}

describe('Xero consent URL', () => {
  it('carries state, redirect URI, code flow and the granular scopes by default', () => {
    const url = new URL(h.oauth().authorizeUrl({ state: 'csrf-123', redirectUri }));
    expect(`${url.origin}${url.pathname}`).toBe(`${h.sim.url}/connect/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: simulatorClient.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      state: 'csrf-123',
      scope:
        'offline_access accounting.invoices accounting.payments.read accounting.contacts.read accounting.settings.read',
    });
  });

  it('asks for the broad scopes when configured for an older app, and insists on offline_access', () => {
    const url = new URL(h.oauth({ scopeSet: 'broad' }).authorizeUrl({ state: 's', redirectUri }));
    expect(url.searchParams.get('scope')).toBe(xeroScopes.broad.join(' '));
    expect(() => h.oauth({ scopes: ['accounting.transactions'] })).toThrow(/offline_access/);
  });

  it('points at endpoints the identity server itself advertises', async () => {
    const discovered = await Issuer.discover(h.sim.identityUrl);
    const urls = xeroUrlsAt(h.sim.url);
    expect(discovered.metadata).toMatchObject({
      issuer: urls.issuer,
      authorization_endpoint: urls.authorize,
      token_endpoint: urls.token,
      revocation_endpoint: urls.revocation,
      jwks_uri: urls.jwks,
    });
  });
});

describe('Xero connect', () => {
  it('connects the two organisations the owner ticks on the consent screen', async () => {
    h.sim.admin.setConsent({ mode: 'page' });
    const query = await consentOnPage(h.oauth().authorizeUrl({ state: 'two-orgs', redirectUri }), [harbour, kestrel]);
    h.sim.admin.setConsent({ mode: 'auto' });
    expect(query.state).toBe('two-orgs');
    const grant = await createXeroOAuth({ ...simulatorClient, urls: xeroUrlsAt(h.sim.url), now: h.clock }).exchangeCode(
      { query, redirectUri },
    );
    expect(grant.accounts).toEqual([
      { accountId: harbour, name: 'Harbour Plumbing Ltd' },
      { accountId: kestrel, name: 'Kestrel Design Studio' },
    ]);
    expect(grant.tokens).toMatchObject({
      refreshToken: expect.any(String),
      scope:
        'offline_access accounting.invoices accounting.payments.read accounting.contacts.read accounting.settings.read',
      expiresAt: new Date(h.clock() + 1800_000).toISOString(),
    });
  });

  it('reports a cancelled consent as an auth error', async () => {
    h.sim.admin.setConsent({ mode: 'deny' });
    const query = await consentVia(h.oauth().authorizeUrl({ state: 'no', redirectUri }));
    h.sim.admin.setConsent({ mode: 'auto' });
    expect(query).toEqual({ error: 'access_denied', state: 'no' });
    expect(await authError(h.oauth().exchangeCode({ query, redirectUri }))).toMatchObject({
      kind: 'auth',
      details: { code: 'access_denied' },
    });
  });

  it('refuses an authorization code used twice with invalid_grant', async () => {
    const oauth = h.oauth();
    const query = await consentVia(oauth.authorizeUrl({ state: 'once', redirectUri }));
    await oauth.exchangeCode({ query, redirectUri });
    expect(await authError(oauth.exchangeCode({ query, redirectUri }))).toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_grant' },
    });
  });
});

describe('Xero token refresh', () => {
  it('rotates the refresh token on every refresh, and the new one keeps working', async () => {
    const oauth = h.oauth();
    const first = h.tokens();
    const second = await oauth.refresh(first);
    expect(second.refreshToken).toBeDefined();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    const third = await oauth.refresh(second);
    expect(third.refreshToken).not.toBe(second.refreshToken);
  });

  it('sends one request for concurrent refreshes of one token in one process', async () => {
    const oauth = h.oauth();
    const tokens = h.tokens();
    const before = h.sim.admin.tokenRequests().length;
    const [a, b] = await Promise.all([oauth.refresh(tokens), oauth.refresh(tokens)]);
    expect(a).toEqual(b);
    expect(h.sim.admin.tokenRequests().slice(before)).toEqual([{ grantType: 'refresh_token', outcome: 'ok' }]);
  });

  it('lets a second worker reuse the old refresh token once within the 30-minute grace window', async () => {
    const tokens = h.tokens();
    const before = h.sim.admin.tokenRequests().length;
    const [a, b] = await Promise.all([h.oauth().refresh(tokens), h.oauth().refresh(tokens)]);
    expect(a.refreshToken).not.toBe(b.refreshToken);
    expect(
      h.sim.admin
        .tokenRequests()
        .slice(before)
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['grace', 'ok']);
    h.clock.advance(10 * 60_000);
    expect(await authError(h.oauth().refresh(tokens))).toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_grant' },
    });
    // Both successors stay usable.
    await expect(h.oauth().refresh(a)).resolves.toMatchObject({ refreshToken: expect.any(String) });
    await expect(h.oauth().refresh(b)).resolves.toMatchObject({ refreshToken: expect.any(String) });
  });

  it('refuses the old refresh token once the grace window has passed', async () => {
    const tokens = h.tokens();
    const next = await h.oauth().refresh(tokens);
    h.clock.advance(31 * 60_000);
    expect(await authError(h.oauth().refresh(tokens))).toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_grant' },
    });
    await expect(h.oauth().refresh(next)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('maps an unknown or long-unused refresh token to invalid_grant', async () => {
    expect(await authError(h.oauth().refresh({ accessToken: 'x', refreshToken: 'never-issued' }))).toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_grant', status: 400 },
    });
    const idle = h.tokens();
    h.clock.advance(61 * 24 * 3600_000);
    expect(await authError(h.oauth().refresh(idle))).toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_grant' },
    });
  });
});

describe('Xero revoke and disconnect', () => {
  it('disconnects one organisation and keeps the others', async () => {
    const oauth = h.oauth();
    const tokens = h.tokens([harbour, kestrel, demo]);
    await oauth.disconnectAccount({ tokens, accountId: kestrel });
    expect((await oauth.listAccounts(tokens)).map((a) => a.accountId)).toEqual([harbour, demo]);
    expect(
      h.sim.admin
        .requests()
        .some((r) => r.method === 'DELETE' && r.path.startsWith('/connections/') && r.status === 204),
    ).toBe(true);
    const kestrelConnector = h.connector(kestrel, { auth: { accountId: kestrel, tokens } });
    expect(await authError(kestrelConnector.getInvoice('00000000-0000-4000-8000-000000000000'))).toMatchObject({
      kind: 'auth',
      details: { status: 403 },
    });
    await expect(
      h.connector(harbour, { auth: { accountId: harbour, tokens } }).getInvoice('00000000-0000-4000-8000-000000000000'),
    ).resolves.toBeNull();
    h.sim.admin.grant({ clientId: simulatorClient.clientId }); // reconnect every tenant for the tests after this one
  });

  it('disconnects every organisation when a grant has no refresh token to revoke', async () => {
    const oauth = h.oauth();
    const grant = h.sim.admin.grant({
      clientId: simulatorClient.clientId,
      tenantIds: [harbour, kestrel],
      scope: 'accounting.transactions',
    });
    expect(grant.refresh_token).toBeUndefined();
    const tokens = { accessToken: grant.access_token };
    await oauth.revoke(tokens);
    expect(await oauth.listAccounts(tokens)).toEqual([]);
  });

  it('revokes the grant: the refresh token stops working and the connections are gone', async () => {
    const oauth = h.oauth();
    const tokens = h.tokens();
    await oauth.revoke(tokens);
    expect(await authError(oauth.refresh(tokens))).toMatchObject({ kind: 'auth', details: { code: 'invalid_grant' } });
    expect(await authError(oauth.listAccounts(tokens))).toMatchObject({ kind: 'auth', details: { status: 401 } });
    const fresh = h.tokens([harbour]);
    expect(await oauth.listAccounts(fresh)).toEqual([{ accountId: harbour, name: 'Harbour Plumbing Ltd' }]);
  });
});
