// Backfill and the Events API change feed, over real HTTP with the stripe package.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  manualClock,
  startStripeSimulator,
  type ManualClock,
  type StripeSimulator,
} from '../../../simulators/stripe/index.js';
import { connectorFor, drain } from './harness.js';

const day = 24 * 3600 * 1000;
const ids = (batches: { invoices: readonly { ref: { id: string } }[] }[]) =>
  batches.flatMap((b) => b.invoices.map((i) => i.ref.id));

describe('Stripe sync', () => {
  let sim: StripeSimulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
    sim = await startStripeSimulator({ clock, rateLimit: { opsPerSecond: 1000 } });
  });
  afterEach(() => sim?.close());

  it('backfills every object with 100-item pages, in bounded batches, then switches to the event feed', async () => {
    const seeded = sim.admin.scenarios.partialPayment({
      offStripe: { description: 'Cheque 20931, full and final', reference: 'CHQ-20931' },
    });
    const { accountId } = seeded;
    const customer = sim.admin.createCustomer(accountId, { name: 'Fabrikam' });
    for (let i = 0; i < 149; i += 1)
      sim.admin.createInvoice(accountId, {
        customer: customer.id,
        currency: 'usd',
        lines: [{ description: `Retainer ${i}`, quantity: 1, unitAmount: 10_000 + i }],
      });
    const chargeback = sim.admin.scenarios.chargeback({ accountId });
    const connector = connectorFor(sim, accountId, { connector: { now: clock.now, batchSize: 120 } });

    const batches = await drain(connector);
    const backfill = batches.filter((b) => b.backfill);
    expect(ids(backfill)).toHaveLength(151);
    expect(new Set(ids(backfill)).size).toBe(151);
    expect(Math.max(...backfill.map((b) => b.invoices.length))).toBeLessThanOrEqual(120);
    expect(backfill.flatMap((b) => b.payments).map((p) => p.memo)).toContain('Cheque 20931, full and final');
    expect(backfill.flatMap((b) => b.disputes)).toEqual([
      expect.objectContaining({
        ref: expect.objectContaining({ id: chargeback.disputeId }),
        invoice: expect.objectContaining({ id: chargeback.invoiceId }),
      }),
    ]);
    // Only the backfill's last batch says its next cursor goes on into the feed (where a sweep stops).
    expect(batches.map((b) => b.nextIsFeed === true)).toEqual(batches.map((_, i) => i === backfill.length - 1));
    expect(batches.at(-1)).toMatchObject({ backfill: false, invoices: [] });
    expect(batches.at(-1)?.nextCursor).toBeUndefined();
    // 151 invoices in batches of 120: 100 + 20, then the last 31 (the list says it has no more).
    const listCalls = sim.admin.requests({ method: 'GET', path: '/v1/invoices' });
    expect(listCalls.map((r) => new URLSearchParams(r.query).get('limit'))).toEqual(['100', '20', '100']);
  });

  it('backfills a thousand paid invoices with the fewest list calls there can be, and no 429', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Volume Books' });
    const customer = sim.admin.createCustomer(accountId, { name: 'Adventure Works' });
    const count = 1_000;
    for (let i = 0; i < count; i += 1) {
      const invoice = sim.admin.createInvoice(accountId, {
        customer: customer.id,
        currency: 'usd',
        lines: [{ description: `Visit ${i}`, quantity: 1, unitAmount: 5_000 + i }],
      });
      sim.admin.payInvoice(accountId, { invoice: invoice.id, amount: 5_000 + i });
    }
    const connector = connectorFor(sim, accountId, { connector: { now: clock.now, batchSize: 500 } });

    const batches = await drain(connector);
    const backfill = batches.filter((b) => b.backfill);
    expect(new Set(ids(backfill)).size).toBe(count);
    expect(new Set(backfill.flatMap((b) => b.payments.map((p) => p.ref.id))).size).toBe(count);

    const calls = (path: string) => sim.admin.requests({ method: 'GET', path }).length;
    const pages = Math.ceil(count / 100);
    expect(calls('/v1/invoices')).toBe(pages);
    expect(calls('/v1/invoice_payments')).toBe(pages);
    expect(calls('/v1/credit_notes')).toBe(1);
    expect(calls('/v1/disputes')).toBe(1);
    // The newest event anchors the feed before the backfill; the feed's first read follows it.
    expect(calls('/v1/events')).toBe(2);
    expect(sim.admin.requests()).toHaveLength(2 * pages + 4);
    expect(sim.admin.rateLimited()).toBe(0);
  });

  it('backfills invoices imported in bulk, all in one second, with the fewest list calls there can be', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Volume Books' });
    const customer = sim.admin.createCustomer(accountId, { name: 'Adventure Works' });
    const count = 1_000;
    const imported = sim.admin.importInvoices(
      accountId,
      Array.from({ length: count }, (_, i) => ({
        customer: customer.id,
        currency: 'usd',
        lines: [{ description: `Visit ${i}`, quantity: 1, unitAmount: 5_000 }],
        paid: 4_500,
      })),
    );
    // Each imported invoice is the object createInvoice and payInvoice make: open, 45.00 paid, 5.00 due.
    const byHand = sim.admin.createInvoice(accountId, {
      customer: customer.id,
      currency: 'usd',
      lines: [{ description: 'Visit 0', quantity: 1, unitAmount: 5_000 }],
    });
    sim.admin.payInvoice(accountId, { invoice: byHand.id, amount: 4_500 });
    const state = sim.admin.state(accountId);
    const shape = (o: Record<string, unknown> | undefined) =>
      Object.fromEntries(
        Object.entries(o ?? {}).filter(
          ([k]) => !['id', 'number', 'lines', 'invoice_pdf', 'hosted_invoice_url'].includes(k),
        ),
      );
    const first = state.invoices.find((i) => i.id === imported[0]?.invoiceId);
    expect(shape(first)).toEqual(shape(state.invoices.find((i) => i.id === byHand.id)));
    expect(first).toMatchObject({ status: 'open', amount_paid: 4_500, amount_remaining: 500 });
    // History past the 30-day event retention: the import left no events, only the hand-made invoice did.
    expect(state.events.filter((e) => e.type === 'invoice.created')).toHaveLength(1);
    const connector = connectorFor(sim, accountId, { connector: { now: clock.now, batchSize: 500 } });
    const before = sim.admin.requests().length;

    const backfill = (await drain(connector)).filter((b) => b.backfill);

    expect(new Set(ids(backfill)).size).toBe(count + 1);
    expect(new Set(backfill.flatMap((b) => b.payments.map((p) => p.ref.id))).size).toBe(count + 1);
    const calls = (path: string) => sim.admin.requests({ method: 'GET', path }).length;
    const pages = Math.ceil((count + 1) / 100);
    expect(calls('/v1/invoices')).toBe(pages);
    expect(calls('/v1/invoice_payments')).toBe(pages);
    expect(sim.admin.requests().length - before).toBe(2 * pages + 4);
    expect(sim.admin.rateLimited()).toBe(0);
  });

  const lookups = () =>
    sim.admin
      .requests({ method: 'GET', path: '/v1/invoice_payments' })
      .filter((r) => new URLSearchParams(r.query).has('payment[payment_intent]'));

  it('finds the invoice behind a disputed payment in the invoice payment the backfill already read', async () => {
    const chargeback = sim.admin.scenarios.chargeback();
    const connector = connectorFor(sim, chargeback.accountId, { connector: { now: clock.now } });

    const disputes = (await drain(connector)).flatMap((b) => b.disputes);
    expect(disputes).toEqual([
      expect.objectContaining({ invoice: expect.objectContaining({ id: chargeback.invoiceId }) }),
    ]);
    expect(lookups()).toEqual([]);
  });

  it('looks up the invoice of a payment nothing read yet with one request of one item, once', async () => {
    const chargeback = sim.admin.scenarios.chargeback();
    const connector = connectorFor(sim, chargeback.accountId, { connector: { now: clock.now } });

    for (const read of [1, 2]) {
      const dispute = await connector.reader.dispute(chargeback.disputeId);
      expect(dispute, `read ${read}`).toMatchObject({ invoice: { id: chargeback.invoiceId } });
    }
    expect(lookups().map((r) => new URLSearchParams(r.query).get('limit'))).toEqual(['1']);
  });

  it("finds a new chargeback's invoice in the payment the same pass read, and re-reads the dispute after its evidence changed without a look-up", async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Fabrikam Studio' });
    const connector = connectorFor(sim, accountId, { connector: { now: clock.now } });
    const checkpoint = (await drain(connector)).at(-1)?.checkpoint;

    clock.advance(60_000);
    const chargeback = sim.admin.scenarios.chargeback({ accountId });
    const [pass] = await drain(connector, checkpoint);
    expect(pass?.disputes).toEqual([
      expect.objectContaining({
        ref: expect.objectContaining({ id: chargeback.disputeId }),
        invoice: expect.objectContaining({ id: chargeback.invoiceId }),
      }),
    ]);
    expect(pass?.payments).toEqual([
      expect.objectContaining({
        applications: [expect.objectContaining({ invoice: expect.objectContaining({ id: chargeback.invoiceId }) })],
      }),
    ]);

    clock.advance(60_000);
    await connector.client.call((s, o) =>
      s.disputes.update(chargeback.disputeId, { evidence: { product_description: 'Annual retainer' } }, o),
    );
    const [after] = await drain(connector, pass?.checkpoint);
    expect(after?.disputes).toEqual([
      expect.objectContaining({
        ref: expect.objectContaining({ id: chargeback.disputeId }),
        invoice: expect.objectContaining({ id: chargeback.invoiceId }),
      }),
    ]);
    // The feed's invoice_payment.paid event said which invoice the payment paid; no pass asked again.
    expect(lookups()).toEqual([]);
  });

  it('picks up a partial payment from the event feed by re-reading the invoice and the payment', async () => {
    const customerInvoice = sim.admin.scenarios.partialPayment({ paid: 50_000 });
    const connector = connectorFor(sim, customerInvoice.accountId, { connector: { now: clock.now } });
    const checkpoint = (await drain(connector)).at(-1)?.checkpoint;

    clock.advance(3_600_000);
    const second = sim.admin.payInvoice(customerInvoice.accountId, {
      invoice: customerInvoice.invoiceId,
      amount: 30_000,
    });
    const [batch, ...rest] = await drain(connector, checkpoint);
    expect(rest).toEqual([]);
    expect(batch).toMatchObject({ backfill: false });
    expect(batch?.invoices).toEqual([
      expect.objectContaining({ balance: { minor: 38_000, currency: 'USD' }, status: 'open' }),
    ]);
    expect(batch?.payments.map((p) => p.ref.id)).toEqual([second.id]);

    const idle = await drain(connector, batch?.checkpoint);
    expect(idle).toHaveLength(1);
    expect(idle[0]).toMatchObject({ invoices: [], payments: [], backfill: false });
  });

  it('pages through more than 100 new events and re-reads each object once per batch', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Busy Books' });
    const connector = connectorFor(sim, accountId, { connector: { now: clock.now } });
    const checkpoint = (await drain(connector)).at(-1)?.checkpoint;
    const customer = sim.admin.createCustomer(accountId, { name: 'Tailspin Toys' });
    for (let i = 0; i < 60; i += 1)
      sim.admin.createInvoice(accountId, {
        customer: customer.id,
        currency: 'eur',
        lines: [{ description: 'Box', quantity: 2, unitAmount: 995 }],
      });

    const batches = await drain(connector, checkpoint);
    expect(batches.length).toBeGreaterThan(1); // 120 events: invoice.created + invoice.finalized each
    const seen = ids(batches);
    expect(new Set(seen).size).toBe(60);
    for (const b of batches) expect(new Set(ids([b])).size).toBe(b.invoices.length);
  });

  it('falls back to a backfill when the cursor is older than the 30 days Stripe keeps events', async () => {
    const seeded = sim.admin.scenarios.partialPayment();
    const connector = connectorFor(sim, seeded.accountId, { connector: { now: clock.now } });
    const checkpoint = (await drain(connector)).at(-1)?.checkpoint;

    clock.advance(31 * day);
    sim.admin.payInvoice(seeded.accountId, { invoice: seeded.invoiceId, amount: 8_000 });
    const batches = await drain(connector, checkpoint);
    expect(batches[0]?.backfill).toBe(true);
    expect(batches.flatMap((b) => b.invoices)).toEqual([
      expect.objectContaining({ balance: { minor: 10_000, currency: 'USD' } }),
    ]);
  });

  it('reports a deleted draft from the last state its event carried', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Drafts' });
    const connector = connectorFor(sim, accountId, { connector: { now: clock.now } });
    const checkpoint = (await drain(connector)).at(-1)?.checkpoint;
    const customer = sim.admin.createCustomer(accountId, { name: 'Wide World Importers' });
    const draft = sim.admin.createInvoice(accountId, {
      customer: customer.id,
      currency: 'gbp',
      draft: true,
      lines: [{ description: 'Quote', quantity: 1, unitAmount: 4_200 }],
    });
    sim.admin.deleteDraftInvoice(accountId, draft.id);

    const invoices = (await drain(connector, checkpoint)).flatMap((b) => b.invoices);
    expect(invoices).toEqual([
      expect.objectContaining({
        ref: expect.objectContaining({ id: draft.id }),
        status: 'deleted',
        total: { minor: 4_200, currency: 'GBP' },
      }),
    ]);
  });

  it('rejects a cursor it did not issue', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Cursorless' });
    await expect(connectorFor(sim, accountId).pullChanges({ cursor: 'eyJ2IjoxfQ' })).rejects.toMatchObject({
      kind: 'invalid',
    });
  });
});
