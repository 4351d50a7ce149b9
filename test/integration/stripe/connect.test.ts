// Connecting a Stripe account both ways — Connect OAuth and a restricted key — against the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { createStripeConnector } from '../../../integrations/stripe/connector.js';
import { restrictedKeyScope, stripeClientForConnection } from '../../../integrations/stripe/connection.js';
import { createStripeConnect, type StripeConnect } from '../../../integrations/stripe/oauth.js';
import { createStripeWebhookVerifier, isDeauthorization } from '../../../integrations/stripe/webhook.js';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { eventually, startReceiver, type Receiver } from './harness.js';

const redirectUri = 'http://127.0.0.1:3000/oauth/stripe/callback';
const webhookSecret = 'whsec_connect_endpoint';

/** Plays the merchant: opens the consent page, approves (or denies) and follows the redirect back. */
async function consent(url: string, decision: 'approve' | 'deny', accountId = ''): Promise<Record<string, string>> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('would like to connect to your Stripe account');
  const q = new URL(url).searchParams;
  const form = new URLSearchParams({
    client_id: q.get('client_id') ?? '',
    scope: q.get('scope') ?? '',
    state: q.get('state') ?? '',
    redirect_uri: q.get('redirect_uri') ?? '',
    decision,
    account: accountId,
  });
  const res = await fetch(new URL('/oauth/authorize', url), { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe(redirectUri);
  return Object.fromEntries(location.searchParams);
}

describe('Stripe Connect OAuth', () => {
  let sim: StripeSimulator;
  let receiver: Receiver;
  let connect: StripeConnect;

  beforeAll(async () => {
    receiver = await startReceiver(
      createStripeWebhookVerifier({ secrets: [webhookSecret], platformAccountId: 'acct_platform' }),
    );
    sim = await startStripeSimulator({ webhook: { url: receiver.url, secret: webhookSecret } });
    connect = createStripeConnect({
      secretKey: sim.admin.platform.secretKey,
      clientId: sim.admin.platform.clientId,
      baseUrl: sim.url,
    });
  });
  // An account that existed before the consent, with an invoice: consenting with no account makes Stripe create a new,
  // empty one, which the connector rightly refuses (oauth.ts refuseEmptyNewAccount) unless it happened within the same
  // second the consent began, which a busy machine does not promise.
  const existingAccount = () => sim.admin.scenarios.partialPayment().accountId;

  afterAll(async () => {
    await sim?.close();
    await receiver?.close();
  });

  it('connects an account and then acts on it with the platform key and Stripe-Account', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Harbour Design Studio' });
    const url = connect.authorizeUrl({ state: 'st-123', redirectUri });
    expect(url.startsWith(`${sim.url}/oauth/authorize?`)).toBe(true);
    const query = await consent(url, 'approve', accountId);
    expect(query.state).toBe('st-123');

    const grant = await connect.exchangeCode({ query, redirectUri });
    expect(grant.accounts).toEqual([{ accountId, name: 'Harbour Design Studio' }]);
    expect(grant.tokens).toMatchObject({ scope: 'read_write' });
    expect(grant.tokens.refreshToken).toBeTruthy();

    const seeded = sim.admin.scenarios.partialPayment({ accountId });
    const client = stripeClientForConnection(
      { accountId, tokens: grant.tokens },
      { secretKey: sim.admin.platform.secretKey, baseUrl: sim.url },
    );
    const invoice = await createStripeConnector({ client, accountId }).getInvoice(seeded.invoiceId);
    expect(invoice?.balance).toEqual({ minor: 18_000, currency: 'USD' });
    expect(sim.admin.requests({ path: `/v1/invoices/${seeded.invoiceId}` }).at(-1)?.accountId).toBe(accountId);
  });

  it('reports a declined consent as an auth error', async () => {
    const query = await consent(connect.authorizeUrl({ state: 'st-no', redirectUri }), 'deny');
    expect(query.error).toBe('access_denied');
    await expect(connect.exchangeCode({ query, redirectUri })).rejects.toMatchObject({
      kind: 'auth',
      details: { code: 'access_denied' },
    });
  });

  it('refuses to redeem an authorization code twice', async () => {
    const query = await consent(connect.authorizeUrl({ state: 's', redirectUri }), 'approve', existingAccount());
    await connect.exchangeCode({ query, redirectUri });
    await expect(connect.exchangeCode({ query, redirectUri })).rejects.toMatchObject({ kind: 'auth' });
  });

  it('refreshes to a new access token that works', async () => {
    const query = await consent(connect.authorizeUrl({ state: 's', redirectUri }), 'approve', existingAccount());
    const grant = await connect.exchangeCode({ query, redirectUri });
    const refreshed = await connect.refresh(grant.tokens);
    expect(refreshed.accessToken).not.toBe(grant.tokens.accessToken);
    expect(refreshed.refreshToken).toBe(grant.tokens.refreshToken);
    expect(sim.admin.oauthRequests().filter((r) => r.grantType === 'refresh_token')).toEqual([
      { path: '/oauth/token', grantType: 'refresh_token', status: 200 },
    ]);
  });

  it('revokes: deauthorizes, Stripe sends account.application.deauthorized, and the account is unreachable', async () => {
    const query = await consent(connect.authorizeUrl({ state: 's', redirectUri }), 'approve', existingAccount());
    const grant = await connect.exchangeCode({ query, redirectUri });
    const accountId = grant.accounts[0]?.accountId ?? '';
    await connect.revoke(grant.tokens);

    await eventually(() =>
      expect(receiver.accepted.some((e) => isDeauthorization(e) && e.accountId === accountId)).toBe(true),
    );
    const client = stripeClientForConnection(
      { accountId, tokens: grant.tokens },
      { secretKey: sim.admin.platform.secretKey, baseUrl: sim.url },
    );
    await expect(createStripeConnector({ client, accountId }).getInvoice('in_any')).rejects.toMatchObject({
      kind: 'auth',
    });
    await expect(connect.revoke(grant.tokens)).resolves.toBeUndefined(); // already gone: nothing left to do
    // The second revoke finds the grant gone at its first read and asks Connect for nothing.
    expect(sim.admin.oauthRequests().filter((r) => r.stripeUserId === accountId)).toEqual([
      { path: '/oauth/deauthorize', stripeUserId: accountId, status: 200 },
    ]);
  });

  it("the account's owner disconnects the platform in the Dashboard: Stripe sends the withdrawal, the grant stops working, the owner's own key does not", async () => {
    const query = await consent(connect.authorizeUrl({ state: 's', redirectUri }), 'approve', existingAccount());
    const grant = await connect.exchangeCode({ query, redirectUri });
    const accountId = grant.accounts[0]?.accountId ?? '';
    const ownKey = sim.admin.issueRestrictedKey(accountId);
    sim.admin.disconnectPlatform(accountId);

    const withdrawal = () => receiver.accepted.find((e) => isDeauthorization(e) && e.accountId === accountId);
    await eventually(() => expect(withdrawal()).toBeDefined());
    const eventId = withdrawal()!.eventId;
    await sim.admin.webhooks.idle();
    // Signed as Stripe signs; what the endpoint answered is kept with the attempt, as the Dashboard shows it.
    expect(sim.admin.webhooks.deliveries().filter((d) => d.eventId === eventId)).toEqual([
      {
        eventId,
        type: 'account.application.deauthorized',
        attempt: 1,
        status: 200,
        response: '{"received":1}',
      },
    ]);
    expect(
      sim.admin.oauthRequests().filter((r) => r.path === '/oauth/deauthorize' && r.stripeUserId === accountId),
    ).toEqual([]);
    const client = (tokens: typeof grant.tokens) =>
      stripeClientForConnection({ accountId, tokens }, { secretKey: sim.admin.platform.secretKey, baseUrl: sim.url });
    await expect(
      createStripeConnector({ client: client(grant.tokens), accountId }).getInvoice('in_any'),
    ).rejects.toMatchObject({ kind: 'auth' });
    await expect(
      createStripeConnector({
        client: client({ accessToken: ownKey, scope: restrictedKeyScope }),
        accountId,
      }).getInvoice('in_missing'),
    ).resolves.toBeNull();
    expect(() => sim.admin.disconnectPlatform(accountId)).toThrow(/not connected/);
  });
});

describe('Stripe restricted keys', () => {
  let sim: StripeSimulator;
  beforeAll(async () => {
    sim = await startStripeSimulator();
  });
  afterAll(() => sim?.close());

  const connect = () =>
    createStripeConnect({
      secretKey: sim.admin.platform.secretKey,
      clientId: sim.admin.platform.clientId,
      baseUrl: sim.url,
    });

  it('verifies a pasted key with a cheap read and syncs with it', async () => {
    const seeded = sim.admin.scenarios.partialPayment();
    const key = sim.admin.issueRestrictedKey(seeded.accountId);
    const verified = await connect().verifyRestrictedKey(key);
    expect(verified).toEqual({
      account: { accountId: seeded.accountId, name: 'Harbour Design Studio' },
      tokens: { accessToken: key, scope: restrictedKeyScope },
      livemode: false,
    });
    expect(sim.admin.requests({ path: '/v1/account' }).at(-1)?.status).toBe(200);

    const client = stripeClientForConnection(
      { accountId: seeded.accountId, tokens: verified.tokens },
      { secretKey: 'sk_unused_for_restricted_keys', baseUrl: sim.url },
    );
    expect(
      (await createStripeConnector({ client, accountId: seeded.accountId }).getInvoice(seeded.invoiceId))?.number,
    ).toMatch(/-0001$/);
  });

  it('rejects a key that cannot read invoices before it is saved', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Read-less' });
    const key = sim.admin.issueRestrictedKey(accountId, { deny: ['invoices'] });
    await expect(connect().verifyRestrictedKey(key)).rejects.toMatchObject({ kind: 'auth', details: { status: 403 } });
  });

  it('rejects unknown keys, secret keys and garbage', async () => {
    await expect(connect().verifyRestrictedKey('rk_test_doesnotexist0000')).rejects.toMatchObject({
      kind: 'auth',
      details: { status: 401 },
    });
    await expect(connect().verifyRestrictedKey(sim.admin.platform.secretKey)).rejects.toMatchObject({
      kind: 'invalid',
    });
    await expect(connect().verifyRestrictedKey('hello')).rejects.toBeInstanceOf(IntegrationError);
  });
});
