// applyBatch on both engines: idempotent storage, the cursor moving with the data, and case actions decided
// by the domain from what is stored (including anything a crash left unapplied).
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { cases, chargeDisputes, creditNotes, invoices, payments } from '../../../src/services/db/schema.js';
import { caseKey } from '../../../src/domain/case.js';
import { loadDispute, loadInvoiceStates, creditNotesApplyingTo } from '../../../src/services/ledger/read.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { bothEngines } from '../../helpers/databases.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import {
  batch,
  cleared,
  creditNote,
  dispute,
  invoice,
  payment,
  qbo,
  seedOrganisation,
  shortPaid,
  syncClock,
  usd,
} from './fixtures.js';

const engines = bothEngines();
const key = caseKey({ invoice: qbo('inv-1001') });

describe.each(engines)('applyBatch on %s', (_engine, open) => {
  async function setup(provider: 'quickbooks' | 'stripe' = 'quickbooks') {
    const h = await open();
    const { organisationId } = await seedOrganisation(h.db);
    const vault = createConnectionVault({ db: h.db, keyRing: testKeyRing() });
    const accountId = provider === 'stripe' ? 'acct_1' : 'realm-1';
    const { connection } = await vault.connect({
      organisationId,
      provider,
      accountId,
      name: 'Ledger',
      tokens: { accessToken: 'at' },
    });
    const scope = { connectionId: connection.id, provider, accountId };
    const openCase = (disputedMinor: number, k = key) =>
      h.db.insert(cases).values({
        organisationId,
        caseKey: k,
        workflowId: `case/${k}`,
        connectionId: connection.id,
        kind: 'short_payment',
        status: 'awaiting_approval',
        currency: 'USD',
        disputedMinor,
      });
    return { db: h.db, sync: createSyncStore({ db: h.db, now: syncClock }), vault, id: connection.id, scope, openCase };
  }

  it('stores the canonical records as minor units and reads them back unchanged', async () => {
    const { db, sync, id, scope } = await setup();
    const inv = invoice({ balanceMinor: 40_000, isDeposit: false, onPaymentPlan: false });
    const pay = payment('pay-1', 60_000, { memo: 'full and final', reference: 'CHK 2201', method: 'check' });
    const cn = creditNote('cn-1', 5_000);
    await sync.applyBatch(id, batch({ invoices: [inv], payments: [pay], creditNotes: [cn] }));
    const [row] = await db.select().from(invoices).where(eq(invoices.connectionId, id));
    expect(row).toMatchObject({ totalMinor: 100_000, balanceMinor: 40_000, currency: 'USD', issueDate: '2026-11-01' });
    const state = (await loadInvoiceStates(db, scope, ['inv-1001'])).get('inv-1001')!;
    expect(state.invoice).toEqual(inv);
    expect(state.payments).toEqual([pay]);
    expect(await creditNotesApplyingTo(db, scope, ['inv-1001'])).toEqual([cn]);
  });

  it('is idempotent, ignores stale versions, and advances the cursor with the data', async () => {
    const { db, sync, vault, id } = await setup();
    await sync.applyBatch(id, shortPaid('cp-1'));
    await sync.applyBatch(id, shortPaid('cp-1'));
    const newer = invoice({ balanceMinor: 30_000, updatedAt: '2026-12-06T00:00:00.000Z' });
    await sync.applyBatch(
      id,
      batch({
        invoices: [newer, invoice({ balanceMinor: 35_000, updatedAt: '2026-12-05T00:00:00.000Z' })],
        checkpoint: 'cp-2',
      }),
    );
    await sync.applyBatch(id, batch({ invoices: [invoice({ balanceMinor: 40_000 })], checkpoint: 'cp-3' }));
    expect(await db.select({ balance: invoices.balanceMinor }).from(invoices)).toEqual([{ balance: 30_000 }]);
    expect(await db.select().from(payments)).toHaveLength(1);
    expect(await vault.get(id)).toMatchObject({ syncCursor: 'cp-3', lastSyncAt: expect.any(String) });
  });

  it('stores a page of more rows than one statement takes, every row whole, newer versions kept', async () => {
    const { db, sync, id, scope } = await setup();
    const plain = { isDeposit: false, onPaymentPlan: false };
    const name = 'O\'Brien "Café" \\ 東京\nLtd';
    const many = Array.from({ length: 2_500 }, (_, i) =>
      invoice({ ...plain, ref: qbo(`inv-${i}`), number: `${i}`, totalMinor: 10_000 + i, balanceMinor: i }),
    );
    const stored = invoice({ ...plain, ref: qbo('inv-7'), balanceMinor: 1, updatedAt: '2026-12-09T00:00:00.000Z' });
    const stale = invoice({ ...plain, ref: qbo('inv-2400'), balanceMinor: 2, updatedAt: '2026-12-01T00:00:00.000Z' });
    await sync.applyBatch(id, batch({ invoices: [stored, stale] }));
    many[3] = invoice({ ...many[3]!, customer: { ...many[3]!.customer, name } });
    await sync.applyBatch(id, batch({ invoices: many, checkpoint: 'cp-2' }));
    expect(await db.$count(invoices, eq(invoices.connectionId, id))).toBe(2_500);
    const states = await loadInvoiceStates(db, scope, ['inv-3', 'inv-7', 'inv-2400', 'inv-2499']);
    expect(states.get('inv-3')!.invoice).toEqual(many[3]);
    expect(states.get('inv-3')!.invoice.customer.name).toBe(name);
    expect(states.get('inv-7')!.invoice).toEqual(stored);
    expect(states.get('inv-2400')!.invoice).toEqual(many[2400]);
    expect(states.get('inv-2499')!.invoice).toEqual(many[2499]);
  });

  it('stores a name cut in the middle of an emoji (a lone surrogate) as the replacement character, with its page', async () => {
    const { db, sync, id, scope } = await setup();
    const cut = invoice({ ref: qbo('inv-cut') });
    const whole = invoice({ ref: qbo('inv-whole') });
    await sync.applyBatch(
      id,
      batch({ invoices: [{ ...cut, customer: { ...cut.customer, name: 'Café \ud83d' } }, whole] }),
    );
    expect(await db.$count(invoices, eq(invoices.connectionId, id))).toBe(2);
    const states = await loadInvoiceStates(db, scope, ['inv-cut']);
    expect(states.get('inv-cut')!.invoice.customer.name).toBe('Café \ufffd');
  });

  it('keeps the cursor where it was when storing a batch fails', async () => {
    const { db, sync, vault, id } = await setup();
    await sync.applyBatch(id, shortPaid('cp-1'));
    const broken = invoice({ ref: qbo('inv-2'), currency: null as unknown as string });
    await expect(
      sync.applyBatch(id, batch({ invoices: [invoice({ ref: qbo('inv-3') }), broken], checkpoint: 'cp-2' })),
    ).rejects.toThrow();
    expect((await vault.get(id)).syncCursor).toBe('cp-1');
    expect(await db.select({ id: invoices.externalId }).from(invoices)).toEqual([{ id: 'inv-1001' }]);
  });

  it('applies deletions as tombstones: the row is marked, its data kept, and the payment no longer counts', async () => {
    const { db, sync, id, openCase } = await setup();
    const [opened] = await sync.applyBatch(id, shortPaid());
    await openCase(40_000);
    await sync.acknowledge(id, [opened!.trigger]);
    // What QuickBooks CDC sends for a deleted payment and an invoice it never told us about.
    const later = '2026-12-06T00:00:00.000Z';
    const tombstone = {
      ref: qbo('pay-1'),
      amount: { minor: 0, currency: 'XXX' },
      date: '',
      applications: [],
      status: 'deleted' as const,
      updatedAt: later,
    };
    const ghost = invoice({
      ref: qbo('inv-ghost'),
      number: '',
      currency: 'XXX',
      issueDate: '',
      lines: [],
      status: 'deleted',
      updatedAt: later,
    });
    const [update] = await sync.applyBatch(
      id,
      batch({ payments: [tombstone], invoices: [ghost, invoice({ updatedAt: later })], checkpoint: 'cp-2' }),
    );
    expect(
      await db
        .select({ status: payments.status, amount: payments.amountMinor, applications: payments.applications })
        .from(payments),
    ).toEqual([
      { status: 'deleted', amount: 60_000, applications: [{ invoiceId: 'inv-1001', minor: 60_000, currency: 'USD' }] },
    ]);
    expect(await db.select({ id: invoices.externalId }).from(invoices)).toEqual([{ id: 'inv-1001' }]);
    expect(update).toMatchObject({ kind: 'update', facts: { paid: usd(0), disputed: usd(100_000), payments: [] } });
  });

  it('opens a case for a short payment and keeps offering it until the starter acknowledges it', async () => {
    const { sync, id, openCase } = await setup();
    const [action] = await sync.applyBatch(id, shortPaid());
    expect(action).toMatchObject({
      kind: 'open',
      reason: 'short_payment',
      caseKey: key,
      connectionId: id,
      trigger: { invoiceId: 'inv-1001' },
    });
    expect(action?.kind === 'open' && action.facts).toMatchObject({
      kind: 'short_payment',
      paid: usd(60_000),
      disputed: usd(40_000),
      payments: [qbo('pay-1')],
    });
    // Not acknowledged (as after a crash): any later batch offers it again.
    expect(await sync.applyBatch(id, batch({ checkpoint: 'cp-2' }))).toEqual([action]);
    await openCase(40_000);
    await sync.acknowledge(id, [action!.trigger]);
    expect(await sync.applyBatch(id, shortPaid('cp-3'))).toEqual([]);
  });

  it('detects a payment that arrives after its invoice, and resolves when the balance clears', async () => {
    const { sync, id, openCase } = await setup();
    expect(await sync.applyBatch(id, batch({ invoices: [invoice({ balanceMinor: 40_000 })] }))).toEqual([]); // unpaid so far
    const [opened] = await sync.applyBatch(id, batch({ payments: [payment('pay-1', 60_000)] }));
    expect(opened).toMatchObject({ kind: 'open', trigger: { invoiceId: 'inv-1001' } });
    await openCase(40_000);
    await sync.acknowledge(id, [opened!.trigger]);
    expect(await sync.applyBatch(id, cleared())).toEqual([
      expect.objectContaining({ kind: 'resolve', reason: 'balance_cleared', caseKey: key }),
    ]);
  });

  it('opens no case for a short payment from long ago, clears its flag, and still updates a case already open', async () => {
    const { db, sync, id, openCase } = await setup();
    const old = (balanceMinor: number, ...paid: [string, number, string][]) =>
      batch({
        invoices: [invoice({ balanceMinor, issueDate: '2025-01-02', dueDate: '2025-02-01' })],
        payments: paid.map(([pid, minor, date]) => payment(pid, minor, { date })),
      });
    expect(await sync.applyBatch(id, old(40_000, ['pay-1', 60_000, '2025-03-10']))).toEqual([]);
    expect(await db.select({ pending: invoices.detectionPending }).from(invoices)).toEqual([{ pending: false }]);
    await openCase(40_000); // e.g. opened before the payment aged out
    const [update] = await sync.applyBatch(
      id,
      old(30_000, ['pay-1', 60_000, '2025-03-10'], ['pay-2', 10_000, '2025-04-10']),
    );
    expect(update).toMatchObject({
      kind: 'update',
      reason: 'short_payment_changed',
      caseKey: key,
      facts: { disputed: usd(30_000) },
    });
  });

  it('flags a full-and-final memo in the facts', async () => {
    const { sync, id } = await setup();
    const [action] = await sync.applyBatch(
      id,
      batch({
        invoices: [invoice({ balanceMinor: 40_000 })],
        payments: [payment('pay-1', 60_000, { memo: 'Paid in full' })],
      }),
    );
    expect(action?.kind === 'open' && action.facts.fullAndFinal).toEqual({
      payment: qbo('pay-1'),
      memo: 'Paid in full',
      matched: 'paid in full',
    });
  });

  it('opens a chargeback case for a Stripe dispute and resolves it when Stripe closes it', async () => {
    const { db, sync, id, scope, openCase } = await setup('stripe');
    const dp = dispute();
    const [action] = await sync.applyBatch(id, batch({ disputes: [dp] }));
    const disputeKey = caseKey({ chargeback: dp.ref });
    expect(action).toMatchObject({
      kind: 'open',
      reason: 'chargeback',
      caseKey: disputeKey,
      trigger: { disputeId: 'dp_1' },
    });
    expect(await loadDispute(db, scope, 'dp_1')).toEqual(dp);
    await openCase(50_000, disputeKey);
    await sync.acknowledge(id, [action!.trigger]);
    const [closed] = await sync.applyBatch(id, batch({ disputes: [dispute({ status: 'won' })] }));
    expect(closed).toMatchObject({ kind: 'resolve', reason: 'chargeback_closed', caseKey: disputeKey });
    expect(await db.select({ status: chargeDisputes.status }).from(chargeDisputes)).toEqual([{ status: 'won' }]);
    expect(await db.select().from(creditNotes)).toEqual([]);
  });
});
