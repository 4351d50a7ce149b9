// Issue 20 point 6: Connect OAuth with read_write cannot connect a Standard account another platform controls;
// Stripe has the merchant create a separate, empty account and connects that instead, with no error
// (docs.stripe.com/connect/oauth-changes-for-standard-platforms). Shortfall must say so, and a restricted key
// still reads the merchant's real account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { createStripeConnect, type StripeConnect } from '../../../integrations/stripe/oauth.js';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';

const redirectUri = 'http://127.0.0.1:3000/oauth/stripe/callback';

async function consent(url: string, accountId: string): Promise<Record<string, string>> {
  const q = new URL(url).searchParams;
  const form = new URLSearchParams({
    client_id: q.get('client_id') ?? '',
    scope: q.get('scope') ?? '',
    state: q.get('state') ?? '',
    redirect_uri: q.get('redirect_uri') ?? '',
    decision: 'approve',
    account: accountId,
  });
  const res = await fetch(new URL('/oauth/authorize', url), { method: 'POST', body: form, redirect: 'manual' });
  return Object.fromEntries(new URL(res.headers.get('location') ?? '').searchParams);
}

describe('a Stripe account controlled by another platform', () => {
  let sim: StripeSimulator;
  let connect: StripeConnect;
  beforeAll(async () => {
    sim = await startStripeSimulator({});
    connect = createStripeConnect({
      secretKey: sim.admin.platform.secretKey,
      clientId: sim.admin.platform.clientId,
      baseUrl: sim.url,
    });
  });
  afterAll(() => sim?.close());

  it('is not connected by Connect OAuth: the owner is told why and pointed at the restricted key', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Harbour Design Studio', controlledByAnotherPlatform: true });
    sim.admin.scenarios.partialPayment({ accountId });
    const url = connect.authorizeUrl({ state: 'st-controlled', redirectUri });
    await new Promise((r) => setTimeout(r, 1100)); // the merchant takes a moment on Stripe's page
    const query = await consent(url, accountId);
    const e = await connect.exchangeCode({ query, redirectUri }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(IntegrationError);
    expect(e).toMatchObject({ kind: 'invalid', details: { code: 'account_controlled_elsewhere' } });
    expect((e as Error).message).toMatch(/new, empty Stripe account .* managed by another platform.*restricted key/);
  });

  it('connects through a restricted key, which reads the existing account and its invoices', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Kestrel Studio', controlledByAnotherPlatform: true });
    sim.admin.scenarios.partialPayment({ accountId });
    const key = sim.admin.issueRestrictedKey(accountId);
    const connected = await connect.verifyRestrictedKey(key);
    expect(connected.account).toEqual({ accountId, name: 'Kestrel Studio' });
  });

  it('still connects an account no other platform controls', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Own Account Ltd' });
    const url = connect.authorizeUrl({ state: 'st-own', redirectUri });
    const grant = await connect.exchangeCode({ query: await consent(url, accountId), redirectUri });
    expect(grant.accounts).toEqual([{ accountId, name: 'Own Account Ltd' }]);
  });
});
