// The simulator's wire behaviour that other teams (and the demo) rely on, checked through the stripe
// package and plain HTTP: envelopes, strict parameters, idempotency and the Events API cursors.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { connectorFor } from './harness.js';

describe('Stripe simulator wire format', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;
  let accountId: string;

  beforeAll(async () => {
    sim = await startStripeSimulator({ rateLimit: { opsPerSecond: 1000 } });
    accountId = sim.admin.createAccount({ name: 'Wire Co' }).accountId;
    stripe = new Stripe(sim.admin.issueRestrictedKey(accountId), {
      host: sim.host,
      port: sim.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
  });
  afterAll(() => sim?.close());

  it('answers Stripe error envelopes: unknown parameter, missing object, unknown URL, bad key', async () => {
    await expect(stripe.invoices.list({ limit: 10, colour: 'blue' } as Stripe.InvoiceListParams)).rejects.toMatchObject(
      { type: 'StripeInvalidRequestError', code: 'parameter_unknown', param: 'colour' },
    );
    await expect(stripe.invoices.retrieve('in_nope')).rejects.toMatchObject({
      code: 'resource_missing',
      param: 'id',
      statusCode: 404,
    });
    const res = await fetch(`${sim.url}/v1/teapots`, { headers: { authorization: 'Bearer x' } });
    expect(await res.json()).toEqual({
      error: { type: 'invalid_request_error', message: 'Unrecognized request URL (GET: /v1/teapots).' },
    });
    await expect(
      new Stripe('sk_test_wrong', { host: sim.host, port: sim.port, protocol: 'http' }).invoices.list(),
    ).rejects.toMatchObject({ type: 'StripeAuthenticationError' });
  });

  it('replays an idempotent request and refuses the key for different parameters', async () => {
    const customer = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'customer/once' });
    const res = await fetch(`${sim.url}/v1/customers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sim.admin.issueRestrictedKey(accountId)}`,
        'idempotency-key': 'customer/once',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'name=Once',
    });
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(((await res.json()) as { id: string }).id).toBe(customer.id);
    await expect(stripe.customers.create({ name: 'Twice' }, { idempotencyKey: 'customer/once' })).rejects.toMatchObject(
      { type: 'StripeIdempotencyError' },
    );
  });

  it('lists newest first; starting_after walks older, ending_before walks newer', async () => {
    const customer = sim.admin.createCustomer(accountId, { name: 'Pager' });
    const made = Array.from(
      { length: 5 },
      (_, i) =>
        sim.admin.createInvoice(accountId, {
          customer: customer.id,
          currency: 'usd',
          draft: true,
          lines: [{ description: `#${i}`, quantity: 1, unitAmount: 100 }],
        }).id,
    );
    const first = await stripe.invoices.list({ limit: 2, customer: customer.id });
    expect(first).toMatchObject({ object: 'list', has_more: true, url: '/v1/invoices' });
    expect(first.data.map((i) => i.id)).toEqual([made[4], made[3]]);
    const older = await stripe.invoices.list({ limit: 2, customer: customer.id, starting_after: made[3] });
    expect(older.data.map((i) => i.id)).toEqual([made[2], made[1]]);
    const newer = await stripe.invoices.list({ limit: 2, customer: customer.id, ending_before: made[0] });
    expect(newer.data.map((i) => i.id)).toEqual([made[2], made[1]]);
    expect(newer.has_more).toBe(true);
  });

  it('serves the invoice PDF that invoice_pdf points at', async () => {
    const s = sim.admin.scenarios.partialPayment({ accountId });
    const pdf = Buffer.from(await connectorFor(sim, accountId).getInvoicePdf(s.invoiceId));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain('Invoice ');
    const customer = sim.admin.createCustomer(accountId, { name: 'Drafty' });
    const draft = sim.admin.createInvoice(accountId, {
      customer: customer.id,
      currency: 'usd',
      draft: true,
      lines: [{ description: 'x', quantity: 1, unitAmount: 1 }],
    });
    await expect(connectorFor(sim, accountId).getInvoicePdf(draft.id)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('pages long invoice line lists like Stripe (ten embedded, the rest from /lines)', async () => {
    const customer = sim.admin.createCustomer(accountId, { name: 'Many Lines' });
    const lines = Array.from({ length: 23 }, (_, i) => ({
      description: `Item ${i}`,
      quantity: 1,
      unitAmount: 100 + i,
    }));
    const invoice = sim.admin.createInvoice(accountId, { customer: customer.id, currency: 'usd', lines });
    expect((await stripe.invoices.retrieve(invoice.id)).lines).toMatchObject({ has_more: true });
    const mapped = await connectorFor(sim, accountId).getInvoice(invoice.id);
    expect(mapped?.lines.map((l) => l.description)).toEqual(lines.map((l) => l.description));
  });
});
