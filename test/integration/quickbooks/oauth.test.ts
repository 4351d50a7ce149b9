// intuit-oauth against the simulator's OAuth server over real HTTP: consent, code exchange, rotation, revoke.
import OAuthClient from 'intuit-oauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { intuitUrls } from '../../../integrations/quickbooks/urls.js';
import type { OAuthProvider } from '../../../integrations/types.js';
import { tokenLifetimes } from '../../../simulators/quickbooks/index.js';
import { manualClock, redirectUri, startHarness, type Harness, type ManualClock } from './harness.js';

let h: Harness;
let clock: ManualClock;
let oauth: OAuthProvider;

beforeEach(async () => {
  clock = manualClock();
  h = await startHarness({ clock: clock.now });
  oauth = h.oauth();
});
afterEach(() => h.close());

const callbackQuery = (location: string | null) => Object.fromEntries(new URL(location ?? '').searchParams);

async function consent(decision: 'allow' | 'deny'): Promise<Record<string, string>> {
  const page = await fetch(oauth.authorizeUrl({ state: 'st-123', redirectUri }));
  const html = await page.text();
  const hidden = Object.fromEntries(
    [...html.matchAll(/name="(\w+)" value="([^"]*)"/g)].map(([, k = '', v = '']) => [
      k,
      v.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))),
    ]),
  );
  const answer = await fetch(new URL('/connect/oauth2/consent', h.sim.url), {
    method: 'POST',
    body: new URLSearchParams({ ...hidden, realmId: h.realmId, decision }),
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  return callbackQuery(answer.headers.get('location'));
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e as IntegrationError,
  );

describe('QuickBooks OAuth', () => {
  it('connects through the consent page: code, state and realmId come back and exchange for tokens', async () => {
    const query = await consent('allow');
    const grant = await oauth.exchangeCode({ query, redirectUri });

    expect(query).toMatchObject({ state: 'st-123', realmId: h.realmId });
    expect(grant.accounts).toEqual([{ accountId: h.realmId, name: h.realmId }]);
    expect(grant.tokens).toMatchObject({
      expiresAt: new Date(clock.now() + tokenLifetimes.accessSeconds * 1000).toISOString(),
      refreshExpiresAt: new Date(clock.now() + tokenLifetimes.refreshSeconds * 1000).toISOString(),
      hardExpiresAt: new Date(clock.now() + tokenLifetimes.hardCapSeconds * 1000).toISOString(),
      scope: 'com.intuit.quickbooks.accounting',
    });
    await expect(h.connector({ tokens: grant.tokens }).getInvoice('404')).resolves.toBeNull();
  });

  it('lets a test follow the redirect with a plain fetch when auto=1', async () => {
    const res = await fetch(`${oauth.authorizeUrl({ state: 'st-auto', redirectUri })}&auto=1`, { redirect: 'manual' });
    const grant = await oauth.exchangeCode({ query: callbackQuery(res.headers.get('location')), redirectUri });

    expect(res.status).toBe(302);
    expect(grant.accounts[0]?.accountId).toBe(h.realmId);
  });

  it('reports a refused consent, and a code used twice, as auth errors', async () => {
    const refused = await consent('deny');
    await expect(oauth.exchangeCode({ query: refused, redirectUri })).rejects.toMatchObject({
      kind: 'auth',
      details: { code: 'access_denied' },
    });

    const query = await consent('allow');
    await oauth.exchangeCode({ query, redirectUri });
    await expect(oauth.exchangeCode({ query, redirectUri })).rejects.toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_grant', status: 400 },
    });
  });

  it('rotates the refresh token and refuses the spent one with invalid_grant', async () => {
    clock.advance(3600_000);
    const refreshed = await oauth.refresh(h.tokens);

    expect(refreshed.refreshToken).not.toBe(h.tokens.refreshToken);
    expect(refreshed.expiresAt).toBe(new Date(clock.now() + 3600_000).toISOString());
    // The five-year cap counts from consent: a later refresh reports the same instant.
    expect(refreshed.hardExpiresAt).toBe(
      new Date(clock.now() - 3600_000 + tokenLifetimes.hardCapSeconds * 1000).toISOString(),
    );
    const reused = await rejection(oauth.refresh(h.tokens));
    expect(reused).toBeInstanceOf(IntegrationError);
    expect(reused).toMatchObject({ kind: 'auth', details: { code: 'invalid_grant' } });
  });

  it('refuses a refresh token left unused past its ~101-day lifetime', async () => {
    clock.advance(tokenLifetimes.refreshSeconds * 1000);

    await expect(oauth.refresh(h.tokens)).rejects.toMatchObject({ kind: 'auth', details: { code: 'invalid_grant' } });
  });

  it('lets exactly one of two concurrent refreshes win, and its chain keeps working', async () => {
    const outcomes = await Promise.allSettled([oauth.refresh(h.tokens), oauth.refresh(h.tokens)]);
    const winners = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const losers = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as IntegrationError] : []));

    expect(winners).toHaveLength(1);
    expect(losers).toMatchObject([{ kind: 'auth', details: { code: 'invalid_grant' } }]);
    const next = await oauth.refresh(winners[0] ?? h.tokens);
    await expect(h.connector({ tokens: next }).getInvoice('404')).resolves.toBeNull();
  });

  it("keeps providers for different hosts apart and leaves intuit-oauth's global endpoints as they were", async () => {
    const other = await startHarness({ clock: clock.now });
    try {
      const [mine, theirs] = await Promise.all([oauth.refresh(h.tokens), other.oauth().refresh(other.tokens)]);

      expect(mine.accessToken).not.toBe(theirs.accessToken);
      expect(OAuthClient.tokenEndpoint).toBe(intuitUrls.token);
      expect(OAuthClient.authorizeEndpoint).toBe(intuitUrls.authorize);
    } finally {
      await other.close();
    }
  });

  it('refuses a wrong client secret as invalid_client', async () => {
    await expect(h.oauth('not-the-secret').refresh(h.tokens)).rejects.toMatchObject({
      kind: 'auth',
      details: { code: 'invalid_client', status: 401 },
    });
  });

  it('surfaces an expired access token as auth until it is refreshed', async () => {
    clock.advance(tokenLifetimes.accessSeconds * 1000);
    await expect(h.connector().getInvoice('1')).rejects.toMatchObject({
      kind: 'auth',
      details: { status: 401, code: '3200' },
    });

    const refreshed = await oauth.refresh(h.tokens);
    await expect(h.connector({ tokens: refreshed }).getInvoice('1')).resolves.toBeNull();
  });

  it('revokes the whole grant: API calls and refreshes stop working', async () => {
    await oauth.revoke(h.tokens);

    await expect(h.connector().getInvoice('1')).rejects.toMatchObject({ kind: 'auth', details: { status: 401 } });
    await expect(oauth.refresh(h.tokens)).rejects.toMatchObject({ kind: 'auth', details: { code: 'invalid_grant' } });
    await expect(oauth.revoke(h.tokens)).resolves.toBeUndefined();
  });
});
