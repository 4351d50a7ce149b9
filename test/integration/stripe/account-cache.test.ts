// The Stripe provider keeps one SDK client, pacer and invoice-link cache per connected account, and no more than it
// was told to: against the Stripe simulator, through the real stripe package, a merchant who pastes a new key is read
// with a new client (the old key, deleted in the Dashboard, is never used again), accounts past the bound are
// evicted, and a disconnect (the connections port's, the deauthorization's) drops the account with its key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviders } from '../../../integrations/providers.js';
import { restrictedKeyScope } from '../../../integrations/stripe/connection.js';
import { createStripeServices } from '../../../integrations/stripe/provider.js';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';

let sim: StripeSimulator;
beforeAll(async () => {
  sim = await startStripeSimulator({ rateLimit: { opsPerSecond: 1000 } });
});
afterAll(() => sim?.close());

const pasted = (accountId: string, key: string) => ({
  accountId,
  tokens: { accessToken: key, scope: restrictedKeyScope },
});

/** The SDK client a Stripe connector reads with (the provider's connectors carry it; the port type does not). */
const clientOf = (connector: object) => (connector as { client: unknown }).client;

function shortPaidAccount(name: string) {
  const accountId = sim.admin.createAccount({ name }).accountId;
  const s = sim.admin.scenarios.partialPayment({ accountId });
  return { accountId, invoiceId: s.invoiceId, key: sim.admin.issueRestrictedKey(accountId) };
}

describe('Stripe per-account clients', () => {
  it('reads with a new client when the merchant pastes a new key, and keeps no raw key beside it', async () => {
    const { services, accounts } = createStripeServices({ secretKey: 'sk_test_platform', baseUrl: sim.url });
    const { accountId, invoiceId, key } = shortPaidAccount('Harbour Design Studio');

    const first = services.connector(pasted(accountId, key));
    expect((await first.getInvoice(invoiceId))?.ref.id).toBe(invoiceId);
    expect(clientOf(services.connector(pasted(accountId, key)))).toBe(clientOf(first)); // same key, same SDK

    // The owner rolls the key: the old one is deleted in the Dashboard, the new one pasted.
    const rolled = sim.admin.issueRestrictedKey(accountId);
    sim.admin.revokeKey(key);
    const second = services.connector(pasted(accountId, rolled));
    expect(clientOf(second)).not.toBe(clientOf(first));
    expect((await second.getInvoice(invoiceId))?.ref.id).toBe(invoiceId);

    // What the cache knows the credential by is a hash, not the key.
    const kept = JSON.stringify(accounts.peek(accountId)?.client?.credential);
    expect(kept).toMatch(/^"key:[\w-]{43}"$/); // a SHA-256, base64url
    expect(kept).not.toContain(rolled);
    expect(kept).not.toContain(key);
  });

  it('keeps at most the configured number of accounts, the least recently used going first', async () => {
    const { services, accounts } = createStripeServices({
      secretKey: 'sk_test_platform',
      baseUrl: sim.url,
      accountCache: { max: 2 },
    });
    const [a, b, c] = ['Alder Joinery', 'Birch Print', 'Cedar Catering'].map(shortPaidAccount) as [
      ReturnType<typeof shortPaidAccount>,
      ReturnType<typeof shortPaidAccount>,
      ReturnType<typeof shortPaidAccount>,
    ];
    const clientOfA = clientOf(services.connector(pasted(a.accountId, a.key)));
    for (const x of [a, b, c])
      expect((await services.connector(pasted(x.accountId, x.key)).getInvoice(x.invoiceId))?.ref.id).toBe(x.invoiceId);
    expect(accounts.size).toBe(2);
    expect(accounts.peek(a.accountId)).toBeUndefined();
    // A is read again with a client built afresh (and still reads), and B, now the oldest, goes.
    const again = services.connector(pasted(a.accountId, a.key));
    expect(clientOf(again)).not.toBe(clientOfA);
    expect((await again.getInvoice(a.invoiceId))?.ref.id).toBe(a.invoiceId);
    expect(accounts.peek(b.accountId)).toBeUndefined();
    expect(accounts.size).toBe(2);
  });

  it('drops an account, and the client holding its key, when its connection is disconnected', async () => {
    const { services, accounts } = createStripeServices({ secretKey: 'sk_test_platform', baseUrl: sim.url });
    const { accountId, invoiceId, key } = shortPaidAccount('Dockside Bakery');
    const before = services.connector(pasted(accountId, key));
    await before.getInvoice(invoiceId);
    expect(accounts.peek(accountId)).toBeDefined();

    services.forget!(accountId);
    expect(accounts.peek(accountId)).toBeUndefined();
    expect(accounts.size).toBe(0);
    // Reconnected later: a client of its own again.
    expect(clientOf(services.connector(pasted(accountId, key)))).not.toBe(clientOf(before));
  });

  it("offers the same through the app's registry, whose Stripe entry is loaded on first use", async () => {
    const { registry } = createProviders({
      configs: { stripe: { secretKey: 'sk_test_platform' } },
      baseUrls: { stripe: sim.url },
    });
    const stripe = registry.get('stripe');
    const { accountId, invoiceId, key } = shortPaidAccount('Eastgate Florist');
    stripe.forget!(accountId); // nothing loaded, nothing kept: a no-op
    expect((await stripe.connector(pasted(accountId, key)).getInvoice(invoiceId))?.ref.id).toBe(invoiceId);
    // Loaded now, so connectors are the provider's own: the same client while the account is kept.
    const kept = stripe.connector(pasted(accountId, key));
    expect(clientOf(stripe.connector(pasted(accountId, key)))).toBe(clientOf(kept));
    stripe.forget!(accountId);
    const fresh = stripe.connector(pasted(accountId, key));
    expect(clientOf(fresh)).not.toBe(clientOf(kept));
    expect((await fresh.getInvoice(invoiceId))?.ref.id).toBe(invoiceId);
  });
});
