// How many calls a backfill costs: each one spends a second of the tenant's minute budget, so the count the
// simulator received is held to the floor (one call a page) whether records are spread out or imported together.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiRequests, drain, harbour, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const count = 1_000;
const pageSize = 100;

function seedPaidInvoices(gapMs: number) {
  const invoices = Array.from({ length: count }, (_, i) => {
    h.clock.advance(gapMs);
    return h.sim.admin.seedInvoice(harbour, {
      contact: { name: `Customer ${i % 40}` },
      lines: [{ description: 'Maintenance visit', quantity: 1, unitAmount: `${100 + i}.00` }],
    }).invoiceId;
  });
  const payments = invoices.map((invoiceId) => {
    h.clock.advance(gapMs);
    return h.sim.admin.seedPayment(harbour, { invoiceId, amount: '100.00' });
  });
  return { invoices, payments };
}

describe('Xero backfill call count', () => {
  it.each([
    ['imported together, all in one second', 0],
    ['imported together, 40 a second', 25],
    ['a few seconds apart', 3_000],
    ['spread over months', 3 * 3600_000],
  ])('reads %s with one call a page and no 429', async (_, gapMs) => {
    const seeded = seedPaidInvoices(gapMs);
    h.clock.advance(60 * 60_000);
    h.sim.admin.clearRequests();

    const run = await drain(h.connector(harbour, { pageSize }));

    expect(new Set(run.invoices.map((i) => i.ref.id))).toEqual(new Set(seeded.invoices));
    expect(new Set(run.payments.map((p) => p.ref.id))).toEqual(new Set(seeded.payments));
    const pages = count / pageSize;
    expect(apiRequests(h.sim, '/Invoices')).toHaveLength(pages);
    expect(apiRequests(h.sim, '/Payments')).toHaveLength(pages);
    expect(apiRequests(h.sim, '/CreditNotes')).toHaveLength(1);
    expect(h.sim.admin.requests().filter((r) => r.status === 429)).toEqual([]);
  });

  it('reads invoices imported in bulk, all in one second, with one call a page, as Xero writes them', async () => {
    const contact = h.sim.admin.addContact(harbour, { name: 'Customer 1' });
    const imported = h.sim.admin.importInvoices(
      harbour,
      Array.from({ length: count }, (_, i) => ({
        contact,
        lines: [{ description: 'Maintenance visit', quantity: 1, unitAmount: `${100 + i}.00` }],
        paid: '100.00',
      })),
    );
    const byHand = h.sim.admin.seedInvoice(harbour, {
      contact,
      lines: [{ description: 'Maintenance visit', quantity: 1, unitAmount: '100.00' }],
    });
    h.sim.admin.seedPayment(harbour, { invoiceId: byHand.invoiceId, amount: '100.00' });
    const shape = (wire: Record<string, unknown>) => {
      const { InvoiceID: _id, InvoiceNumber: _number, LineItems: lines, Payments: payments, ...rest } = wire;
      return { ...rest, lines: (lines as object[]).length, payments: (payments as object[]).length };
    };
    expect(shape(h.sim.admin.invoice(harbour, imported[0]?.invoiceId ?? ''))).toEqual(
      shape(h.sim.admin.invoice(harbour, byHand.invoiceId)),
    );
    h.clock.advance(60 * 60_000);
    h.sim.admin.clearRequests();

    const run = await drain(h.connector(harbour, { pageSize }));

    expect(new Set(run.invoices.map((i) => i.ref.id))).toEqual(
      new Set([...imported.map((r) => r.invoiceId), byHand.invoiceId]),
    );
    expect(new Set(run.payments.map((p) => p.ref.id))).toEqual(
      new Set([
        ...imported.map((r) => r.paymentId),
        ...h.sim.admin
          .payments(harbour)
          .slice(-1)
          .map((p) => p.PaymentID),
      ]),
    );
    const pages = Math.ceil((count + 1) / pageSize);
    expect(apiRequests(h.sim, '/Invoices')).toHaveLength(pages);
    expect(apiRequests(h.sim, '/Payments')).toHaveLength(pages);
    expect(h.sim.admin.requests().filter((r) => r.status === 429)).toEqual([]);
  });

  it('misses no invoice when invoices change while it pages, and reads the changes on the next run', async () => {
    const { invoices } = seedPaidInvoices(3_000);
    h.clock.advance(60 * 60_000);
    const connector = h.connector(harbour, { pageSize });

    const first = await connector.pullChanges({});
    // Paid while the backfill is between pages: invoices the first page read, and one it has not reached.
    const changed = [...first.invoices.slice(0, 3).map((i) => i.ref.id), invoices[1] ?? ''];
    for (const invoiceId of changed) {
      h.clock.advance(1_000);
      h.sim.admin.seedPayment(harbour, { invoiceId, amount: '1.00' });
    }
    const rest = await drain(connector, first.nextCursor);
    const seen = new Set([...first.invoices, ...rest.invoices].map((i) => i.ref.id));
    // Every invoice that did not change is read; one changed ahead of the reader moved behind it.
    expect(invoices.filter((id) => !seen.has(id))).toEqual([changed[3]]);

    h.clock.advance(60 * 60_000);
    const next = await drain(h.connector(harbour, { pageSize }), rest.checkpoint);
    expect(new Set(next.invoices.map((i) => i.ref.id))).toEqual(new Set(changed));
  });
});
