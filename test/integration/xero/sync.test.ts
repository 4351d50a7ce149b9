import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOpenInvoiceSweep } from '../../../integrations/xero/cursor.js';
import { IntegrationError } from '../../../integrations/errors.js';
import { money } from '../../../src/domain/money.js';
import { eventually } from '../../helpers/eventually.js';
import { apiRequests, demo, drain, harbour, kestrel, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const second = 1000;
const line = (unitAmount: string) => [{ description: 'Maintenance visit', quantity: 1, unitAmount }];

function seedInvoices(tenantId: string, count: number, gapMs = second) {
  return Array.from({ length: count }, (_, i) => {
    h.clock.advance(gapMs);
    return h.sim.admin.seedInvoice(tenantId, { contact: { name: `Customer ${i + 1}` }, lines: line(`${100 + i}.00`) });
  });
}

describe('Xero backfill', () => {
  it('reads every receivable invoice, payment and credit note across pages, and nothing else', async () => {
    const tenant = kestrel;
    const seeded = seedInvoices(tenant, 5);
    h.sim.admin.seedInvoice(tenant, { type: 'ACCPAY', contact: { name: 'A supplier' }, lines: line('999.00') });
    h.clock.advance(second);
    const paid = seeded.slice(0, 3).map((inv) =>
      h.sim.admin.seedPayment(tenant, {
        invoiceId: inv.invoiceId,
        amount: '50.00',
        reference: `transfer ${inv.number}`,
      }),
    );
    const connector = h.connector(tenant, { pageSize: 2 });
    await connector.postCreditNote({
      invoiceId: seeded[4]!.invoiceId,
      currency: 'GBP',
      lines: [{ description: 'Goodwill', amount: money(1000, 'GBP') }],
      memo: 'Case 7',
      idempotencyKey: 'backfill-case-7',
    });
    h.sim.admin.clearRequests();

    const run = await drain(connector);
    expect(run.batches.every((b) => b.backfill)).toBe(true);
    expect(new Set(run.invoices.map((i) => i.ref.id))).toEqual(new Set(seeded.map((s) => s.invoiceId)));
    expect(new Set(run.payments.map((p) => p.ref.id))).toEqual(new Set(paid));
    expect(new Set(run.payments.map((p) => p.memo))).toEqual(
      new Set(['transfer INV-0001', 'transfer INV-0002', 'transfer INV-0003']),
    );
    expect(run.creditNotes.map((c) => [c.total, c.status])).toEqual([[money(1000, 'GBP'), 'applied']]);
    const pages = apiRequests(h.sim, '/Invoices').map((r) => r.query);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(
      pages.every((q) => q.pageSize === '2' && q.where === 'Type=="ACCREC"' && q.order === 'UpdatedDateUTC DESC'),
    ).toBe(true);
  });

  it("says how many invoices are still to read, from Xero's own count, and nothing once the run is drained", async () => {
    seedInvoices(demo, 5);
    const run = await drain(h.connector(demo, { pageSize: 2 }));
    const invoices = new Set(run.invoices.map((i) => i.ref.id)).size;
    expect(invoices).toBeGreaterThanOrEqual(5);
    expect(run.batches[0]!.remaining).toEqual({ what: 'invoices', records: invoices - 2 });
    expect(run.batches.at(-1)!.remaining).toBeUndefined();
  });

  it('hands back a checkpoint mid-run that resumes where the run stopped', async () => {
    const connector = h.connector(kestrel, { pageSize: 2 });
    const first = await connector.pullChanges({});
    expect(first.nextCursor).toBeDefined();
    expect(first.checkpoint).toBe(first.nextCursor);
    const resumed = await drain(connector, first.checkpoint);
    expect(resumed.batches[0]?.backfill).toBe(true);
    expect(new Set([...first.invoices, ...resumed.invoices].map((i) => i.ref.id)).size).toBe(5);
  });

  it('answers a page the simulator holds only once the test releases it (a run caught half way)', async () => {
    const connector = h.connector(kestrel, { pageSize: 2 });
    const hold = h.sim.admin.hold({ pathIncludes: '/Invoices', query: { page: '2' } });
    const first = await connector.pullChanges({}); // page 1 is not held
    expect(first.invoices).toHaveLength(2);
    let answered = false;
    const second = connector.pullChanges({ pageCursor: first.nextCursor! }).then((b) => ((answered = true), b));
    await eventually(hold.held, (n) => n === 1, 'page 2 to reach the simulator');
    expect(answered).toBe(false);
    hold.release();
    expect((await second).invoices).toHaveLength(2);
    expect(hold.held()).toBe(1);
    // Released holds are gone: the same page is answered at once from then on.
    expect((await connector.pullChanges({ pageCursor: first.nextCursor! })).invoices).toHaveLength(2);
  });

  it('asks for the largest page Xero accepts by default', async () => {
    h.sim.admin.clearRequests();
    await drain(h.connector(kestrel));
    expect(apiRequests(h.sim, '').map((r) => r.query.pageSize)).toEqual(['1000', '1000', '1000']);
  });

  it('pages through a burst of changes that share one second', async () => {
    const tenant = harbour;
    const seeded = seedInvoices(tenant, 5, 0);
    h.sim.admin.clearRequests();
    const run = await drain(h.connector(tenant, { pageSize: 2 }));
    expect(new Set(run.invoices.map((i) => i.ref.id))).toEqual(new Set(seeded.map((s) => s.invoiceId)));
    // One call a page, whatever the rows' seconds: five rows in pages of two take three calls.
    const pages = apiRequests(h.sim, '/Invoices');
    expect(pages.map((r) => r.query.page)).toEqual(['1', '2', '3']);
    expect(pages.every((r) => r.headers['if-modified-since'] === undefined)).toBe(true);
  });
});

describe('Xero incremental sync', () => {
  it('asks only for what changed since the checkpoint, with If-Modified-Since', async () => {
    const tenant = kestrel;
    // Past the 5-minute overlap every window starts with, so earlier seeds are not read again.
    h.clock.advance(10 * 60_000);
    const { checkpoint, invoices } = await drain(h.connector(tenant, { pageSize: 2 }));
    h.clock.advance(10 * 60_000);
    const target = invoices.find((i) => i.balance.minor > 0 && i.number === 'INV-0004');
    if (!target) throw new Error('seed changed');
    h.sim.admin.seedPayment(tenant, {
      invoiceId: target.ref.id,
      amount: '40.00',
      reference: 'short by 63.00, see email',
    });
    const added = h.sim.admin.seedInvoice(tenant, { contact: { name: 'New customer' }, lines: line('75.00') });
    h.sim.admin.clearRequests();

    const run = await drain(h.connector(tenant, { pageSize: 2 }), checkpoint);
    expect(run.batches.every((b) => !b.backfill)).toBe(true);
    expect(run.invoices.map((i) => i.ref.id).sort()).toEqual([target.ref.id, added.invoiceId].sort());
    expect(run.payments.map((p) => [p.memo, p.amount])).toEqual([['short by 63.00, see email', money(4000, 'GBP')]]);
    const sent = apiRequests(h.sim, '').map((r) => r.headers['if-modified-since']);
    expect(sent.every((since) => since !== undefined && Date.parse(since) <= h.clock() - 10 * 60_000)).toBe(true);
    expect(apiRequests(h.sim, '/Invoices').some((r) => r.query.Statuses !== undefined)).toBe(false);
  });

  it('sees a due-date change on a part-paid invoice only through the open-invoice sweep', async () => {
    const tenant = harbour;
    h.clock.advance(second);
    const inv = h.sim.admin.seedInvoice(tenant, {
      contact: { name: 'Slow payer' },
      lines: line('500.00'),
      dueDate: '2026-05-20',
    });
    h.sim.admin.seedPayment(tenant, { invoiceId: inv.invoiceId, amount: '200.00' });
    h.clock.advance(10 * 60_000);
    const { checkpoint } = await drain(h.connector(tenant));
    h.clock.advance(60 * 60_000);
    // Xero does not move UpdatedDateUTC for this edit on a part-paid invoice.
    h.sim.admin.editInvoice(tenant, inv.invoiceId, { dueDate: '2026-06-30' });

    const plain = await drain(h.connector(tenant), checkpoint);
    expect(plain.invoices.find((i) => i.ref.id === inv.invoiceId)).toBeUndefined();

    h.sim.admin.clearRequests();
    const swept = await drain(h.connector(tenant), withOpenInvoiceSweep(checkpoint));
    expect(swept.invoices.find((i) => i.ref.id === inv.invoiceId)).toMatchObject({
      dueDate: '2026-06-30',
      status: 'open',
      balance: money(30000, 'NZD'),
    });
    const sweep = apiRequests(h.sim, '/Invoices').filter((r) => r.query.Statuses === 'AUTHORISED');
    expect(sweep.length).toBeGreaterThan(0);
    expect(sweep.every((r) => r.headers['if-modified-since'] === undefined && r.query.where === 'Type=="ACCREC"')).toBe(
      true,
    );
  });

  it('sweeps open invoices by itself once a day', async () => {
    const { checkpoint } = await drain(h.connector(harbour));
    const sweeps = () => apiRequests(h.sim, '/Invoices').filter((r) => r.query.Statuses === 'AUTHORISED').length;
    h.sim.admin.clearRequests();
    h.clock.advance(2 * 3600_000);
    const soon = await drain(h.connector(harbour), checkpoint);
    expect(sweeps()).toBe(0);
    h.clock.advance(23 * 3600_000);
    const daily = await drain(h.connector(harbour), soon.checkpoint);
    expect(sweeps()).toBe(1);
    h.sim.admin.clearRequests();
    await drain(h.connector(harbour), daily.checkpoint);
    expect(sweeps()).toBe(0);
  });
});

describe('Xero single reads', () => {
  it('maps one invoice, and answers null for an unknown id or a bill', async () => {
    const connector = h.connector(harbour);
    const inv = h.sim.admin.seedInvoice(harbour, {
      contact: { name: 'Reader', email: 'ap@reader.example' },
      lines: [{ description: 'Boiler service', quantity: '1.5', unitAmount: '80.00', taxType: 'OUTPUT2' }],
    });
    const bill = h.sim.admin.seedInvoice(harbour, {
      type: 'ACCPAY',
      contact: { name: 'Supplier' },
      lines: line('10.00'),
    });
    await expect(connector.getInvoice(inv.invoiceId)).resolves.toMatchObject({
      number: inv.number,
      customer: { name: 'Reader', email: 'ap@reader.example' },
      total: money(13800, 'NZD'),
      lines: [
        { description: 'Boiler service', quantity: '1.5', unitPrice: money(8000, 'NZD'), amount: money(12000, 'NZD') },
      ],
    });
    await expect(connector.getInvoice('00000000-0000-4000-8000-000000000000')).resolves.toBeNull();
    await expect(connector.getInvoice(bill.invoiceId)).resolves.toBeNull();
  });

  it('downloads the invoice PDF with Accept: application/pdf', async () => {
    const inv = h.sim.admin.seedInvoice(harbour, { contact: { name: 'PDF customer' }, lines: line('12.00') });
    h.sim.admin.clearRequests();
    const pdf = await h.connector(harbour).getInvoicePdf(inv.invoiceId);
    expect(Buffer.from(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(Buffer.from(pdf).toString('latin1')).toContain(inv.number);
    expect(apiRequests(h.sim, '/Invoices')[0]?.headers.accept).toBe('application/pdf');
  });

  it('reports an expired access token as auth', async () => {
    const connector = h.connector(harbour);
    h.clock.advance(31 * 60_000);
    const error = await connector.getInvoice('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({
      kind: 'auth',
      details: { status: 401 },
      message: expect.stringContaining('TokenExpired'),
    });
  });
});
