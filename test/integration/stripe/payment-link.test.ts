// The payment link capability against the Stripe simulator, through the real stripe package: an open invoice's
// hosted invoice page (hosted_invoice_url), which the client can open; none for a draft, a paid or a missing invoice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { connectorFor } from './harness.js';

describe('Stripe payment links', () => {
  let sim: StripeSimulator;
  let accountId: string;

  beforeAll(async () => {
    sim = await startStripeSimulator({ rateLimit: { opsPerSecond: 1000 } });
    accountId = sim.admin.createAccount({ name: 'Harbour Design Studio' }).accountId;
  });
  afterAll(() => sim?.close());

  it("gives a short-paid invoice's hosted invoice page, which shows what remains to pay", async () => {
    const s = sim.admin.scenarios.partialPayment({ accountId });
    const connector = connectorFor(sim, accountId);
    expect(connector.paymentLink).toBeDefined();
    const link = await connector.paymentLink!(s.invoiceId);
    expect(link).toBe(`${sim.url}/invoice/${accountId}/${s.invoiceId}`);

    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Amount due 180.00 USD');
  });

  it('gives none for a draft, a paid invoice or an invoice Stripe does not have', async () => {
    const connector = connectorFor(sim, accountId);
    const customer = sim.admin.createCustomer(accountId, { name: 'Drafty', email: 'ap@drafty.example' });
    const draft = sim.admin.createInvoice(accountId, {
      customer: customer.id,
      currency: 'usd',
      draft: true,
      lines: [{ description: 'Sketches', quantity: 1, unitAmount: 5_000 }],
    });
    const paid = sim.admin.createInvoice(accountId, {
      customer: customer.id,
      currency: 'usd',
      lines: [{ description: 'Logo', quantity: 1, unitAmount: 20_000 }],
    });
    sim.admin.payInvoice(accountId, { invoice: paid.id, amount: 20_000 });

    expect(await connector.paymentLink!(draft.id)).toBeNull();
    expect(await connector.paymentLink!(paid.id)).toBeNull();
    expect(await connector.paymentLink!('in_doesnotexist')).toBeNull();
  });

  it('fails a read Stripe refuses, so the caller can fall back', async () => {
    const connector = connectorFor(sim, accountId, { client: { apiKey: 'rk_test_revoked_key' } });
    const s = sim.admin.scenarios.partialPayment({ accountId });
    await expect(connector.paymentLink!(s.invoiceId)).rejects.toMatchObject({ kind: 'auth' });
  });
});
