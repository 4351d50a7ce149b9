// pullChanges through node-quickbooks against the simulator: paged backfill, CDC, deletions and voids.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeBatch, LedgerConnector } from '../../../integrations/types.js';
import { manualClock, startHarness, type Harness, type ManualClock } from './harness.js';

let h: Harness;
let clock: ManualClock;

beforeEach(async () => {
  clock = manualClock();
  h = await startHarness({ clock: clock.now });
});
afterEach(() => h.close());

async function drain(connector: LedgerConnector, cursor?: string): Promise<ChangeBatch[]> {
  const batches: ChangeBatch[] = [];
  let pageCursor: string | undefined;
  do {
    const batch = await connector.pullChanges({ ...(cursor && { cursor }), ...(pageCursor && { pageCursor }) });
    batches.push(batch);
    pageCursor = batch.nextCursor;
  } while (pageCursor);
  return batches;
}

const all = (batches: readonly ChangeBatch[]) => ({
  invoices: batches.flatMap((b) => b.invoices),
  payments: batches.flatMap((b) => b.payments),
  creditNotes: batches.flatMap((b) => b.creditNotes),
});

function seedInvoices(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      h.sim.admin.addInvoice(h.realmId, {
        customerId: h.customerId,
        lines: [{ description: `Retainer ${i + 1}`, unitPrice: 100 + (i % 7) }],
      }).Id,
  );
}

/** A backfill, then time moves on so later changes land in later seconds. */
async function backfilled(): Promise<string> {
  clock.advance(60_000);
  const batches = await drain(h.connector());
  clock.advance(60_000);
  return batches.at(-1)?.checkpoint ?? '';
}

describe('QuickBooks backfill', () => {
  it('delivers 5,000 invoices in pages of at most 1,000, each exactly once, then payments and credit memos', async () => {
    const invoiceIds = seedInvoices(5000);
    const first = invoiceIds[0] ?? '';
    h.sim.admin.addPayment(h.realmId, {
      customerId: h.customerId,
      amount: 60,
      applications: [{ invoiceId: first, amount: 60 }],
      memo: 'Partial, rest disputed',
    });
    h.sim.admin.addCreditMemo(h.realmId, { customerId: h.customerId, lines: [{ description: 'Goodwill', amount: 5 }] });
    clock.advance(60_000);

    const batches = await drain(h.connector());
    const got = all(batches);

    expect(got.invoices).toHaveLength(5000);
    expect(new Set(got.invoices.map((i) => i.ref.id))).toEqual(new Set(invoiceIds));
    expect(Math.max(...batches.map((b) => b.invoices.length))).toBe(1000);
    expect(got.payments.map((p) => p.memo)).toEqual(['Partial, rest disputed']);
    expect(got.creditNotes).toHaveLength(1);
    expect(batches.every((b) => b.backfill)).toBe(true);
    // Drained: the checkpoint is the backfill's start by the simulator's clock, where CDC takes over.
    expect(batches.at(-1)?.checkpoint).toBe('2026-05-03T23:01:00.000Z');
  });

  it('resumes from a stored mid-backfill checkpoint without repeating or skipping rows', async () => {
    seedInvoices(2500);
    clock.advance(60_000);
    const first = await h.connector().pullChanges({});

    const rest = await drain(h.connector(), first.checkpoint);
    const ids = [...first.invoices, ...all(rest).invoices].map((i) => i.ref.id);

    expect(first.invoices).toHaveLength(1000);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
  });
});

describe('QuickBooks backfill of invoices imported in bulk', () => {
  // An owner who moved to QuickBooks imported years of invoices at once: every one shares a LastUpdatedTime.
  const imported = (count: number) =>
    h.sim.admin.importInvoices(
      h.realmId,
      Array.from({ length: count }, (_, i) => ({
        customerId: h.customerId,
        lines: [{ description: `Imported ${i + 1}`, unitPrice: 100 }],
        paid: 90,
      })),
    );

  it('stores each imported invoice and payment as one entered by hand would be, under one timestamp', () => {
    const [one] = imported(1);
    const byHand = h.sim.admin.addInvoice(h.realmId, {
      customerId: h.customerId,
      lines: [{ description: 'Imported 1', unitPrice: 100 }],
    });
    const invoice = h.sim.admin.invoice(h.realmId, one?.invoiceId ?? '');
    const payment = h.sim.admin.payments(h.realmId).find((p) => p.Id === one?.paymentId);
    const shape = (json: Record<string, unknown>) => {
      const { Id: _id, DocNumber: _doc, SyncToken: _token, Balance: _balance, LinkedTxn: _linked, ...rest } = json;
      return rest;
    };
    expect(shape({ ...invoice })).toEqual(shape({ ...byHand }));
    expect(invoice).toMatchObject({
      Balance: 10,
      SyncToken: '1',
      LinkedTxn: [{ TxnId: one?.paymentId, TxnType: 'Payment' }],
    });
    expect(payment).toMatchObject({ TotalAmt: 90, Line: [{ Amount: 90, LinkedTxn: [{ TxnId: one?.invoiceId }] }] });
  });

  it('reads 2,500 invoices and their payments sharing one second with one query a page', async () => {
    const seeded = imported(2500);
    clock.advance(60_000);

    const got = all(await drain(h.connector()));

    expect(new Set(got.invoices.map((i) => i.ref.id))).toEqual(new Set(seeded.map((s) => s.invoiceId)));
    expect(new Set(got.payments.map((p) => p.ref.id))).toEqual(new Set(seeded.map((s) => s.paymentId)));
    const queries = (entity: string) =>
      h.sim.admin
        .requests()
        .filter((r) => r.path.endsWith('/query') && new RegExp(`from ${entity}\\b`, 'i').test(r.query.query ?? ''));
    // 1,000 a page: three pages each, the last one short; credit memos one page.
    expect(queries('Invoice')).toHaveLength(3);
    expect(queries('Payment')).toHaveLength(3);
    expect(queries('CreditMemo')).toHaveLength(1);
    expect(h.sim.admin.requests()).toHaveLength(7);
  });
});

describe('QuickBooks incremental sync (CDC)', () => {
  it('returns only what changed since the checkpoint, including the payer memo', async () => {
    const [paid = '', edited = ''] = seedInvoices(3);
    const checkpoint = await backfilled();

    h.sim.admin.addPayment(h.realmId, {
      customerId: h.customerId,
      amount: 80,
      applications: [{ invoiceId: paid, amount: 80 }],
      memo: 'Full and final settlement',
      refNum: 'CHK-7',
    });
    h.sim.admin.updateInvoice(h.realmId, edited, { dueDate: '2026-06-30' });
    clock.advance(1000);
    const batch = await h.connector().pullChanges({ cursor: checkpoint });

    expect(batch.backfill).toBe(false);
    expect(batch.invoices.map((i) => [i.ref.id, i.status]).sort()).toEqual(
      [
        [paid, 'open'],
        [edited, 'open'],
      ].sort(),
    );
    expect(batch.invoices.find((i) => i.ref.id === paid)?.balance.minor).toBe(2000);
    expect(batch.payments).toMatchObject([
      {
        memo: 'Full and final settlement\nCHK-7',
        reference: 'CHK-7',
        applications: [{ invoice: { id: paid }, amount: { minor: 8000 } }],
      },
    ]);
    expect(Date.parse(batch.checkpoint)).toBeGreaterThan(Date.parse(checkpoint));

    clock.advance(10_000);
    expect(await h.connector().pullChanges({ cursor: batch.checkpoint })).toMatchObject({
      invoices: [],
      payments: [],
      creditNotes: [],
      backfill: false,
    });
  });

  it('reports deleted and voided documents', async () => {
    const [voided = '', paid = '', deleted = ''] = seedInvoices(3);
    const payment = h.sim.admin.addPayment(h.realmId, {
      customerId: h.customerId,
      amount: 50,
      applications: [{ invoiceId: paid, amount: 50 }],
    });
    const dropped = h.sim.admin.addPayment(h.realmId, {
      customerId: h.customerId,
      amount: 10,
      applications: [{ invoiceId: paid, amount: 10 }],
    });
    const checkpoint = await backfilled();

    h.sim.admin.voidInvoice(h.realmId, voided);
    h.sim.admin.deleteInvoice(h.realmId, deleted);
    h.sim.admin.voidPayment(h.realmId, payment.Id);
    h.sim.admin.deletePayment(h.realmId, dropped.Id);
    clock.advance(1000);
    const batch = await h.connector().pullChanges({ cursor: checkpoint });

    const invoiceStatus = Object.fromEntries(batch.invoices.map((i) => [i.ref.id, i.status]));
    const paymentStatus = Object.fromEntries(batch.payments.map((p) => [p.ref.id, p.status]));
    expect(invoiceStatus).toEqual({ [voided]: 'void', [deleted]: 'deleted', [paid]: 'open' });
    expect(paymentStatus).toEqual({ [payment.Id]: 'voided', [dropped.Id]: 'deleted' });
    expect(batch.invoices.find((i) => i.ref.id === paid)?.balance).toEqual(
      batch.invoices.find((i) => i.ref.id === paid)?.total,
    );
  });

  it('falls back to a backfill when the cursor is older than CDC reaches', async () => {
    seedInvoices(2);
    const checkpoint = await backfilled();
    clock.advance(30 * 24 * 3600_000);
    const tokens = await h.oauth().refresh(h.tokens); // a month on, the access token is long gone

    const batch = await h.connector({ tokens }).pullChanges({ cursor: checkpoint });

    expect(batch.backfill).toBe(true);
    expect(batch.invoices).toHaveLength(2);
    expect(h.sim.admin.requests().filter((r) => r.path.endsWith('/cdc'))).toEqual([]);
  });

  it('falls back to a backfill when more changed than one CDC answer holds', async () => {
    const checkpoint = await backfilled();
    seedInvoices(1000);
    clock.advance(1000);

    const batches = await drain(h.connector(), checkpoint);

    expect(batches[0]?.backfill).toBe(true);
    expect(all(batches).invoices).toHaveLength(1000);
  });
});

describe('QuickBooks single reads', () => {
  it('reads one invoice, null for an unknown id, and the invoice PDF', async () => {
    const [id = ''] = seedInvoices(1);
    const connector = h.connector();

    expect(await connector.getInvoice(id)).toMatchObject({
      ref: { id },
      number: '1001',
      customer: { name: 'Northwind Traders', email: 'accounts@northwind.example' },
      total: { minor: 10000 },
    });
    expect(await connector.getInvoice('999999')).toBeNull();
    const pdf = Buffer.from(await connector.getInvoicePdf(id)).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pdf).toContain('(Invoice 1001)');
  });
});
