// Arrangements on both engines: an agreed plan survives re-syncs of its invoice, opens no case while instalments
// are paid, and a missed one opens a case on the next pass, with nothing new in the ledger; a deposit never does.
import { describe, expect, it } from 'vitest';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { invoices, paymentPlans } from '../../../src/services/db/schema.js';
import { removeArrangement, saveArrangement } from '../../../src/services/ledger/arrangements.js';
import { loadInvoiceStates } from '../../../src/services/ledger/read.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { bothEngines } from '../../helpers/databases.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { batch, invoice, payment, seedOrganisation, usd } from './fixtures.js';

const engines = bothEngines();
const day = (ymd: string) => Date.parse(`${ymd}T12:00:00.000Z`);

describe.each(engines)('arrangements on %s', (_engine, open) => {
  async function setup() {
    const h = await open();
    const { organisationId } = await seedOrganisation(h.db);
    const vault = createConnectionVault({ db: h.db, keyRing: testKeyRing() });
    const { connection } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: 'realm-1',
      name: 'Ledger',
      tokens: { accessToken: 'at' },
    });
    let now = day('2026-12-06');
    const sync = createSyncStore({ db: h.db, now: () => now });
    const scope = { connectionId: connection.id, provider: 'quickbooks' as const, accountId: 'realm-1' };
    const agree = (kind: 'plan' | 'deposit', instalments: { dueOn: string; amountMinor: number }[] = []) =>
      saveArrangement(
        h.db,
        {
          organisationId,
          connectionId: connection.id,
          provider: 'quickbooks',
          accountId: 'realm-1',
          invoiceExternalId: 'inv-1001',
          kind,
          currency: 'USD',
          owedMinor: 60_000,
          instalments,
          createdBy: 'ana@brightside.example',
        },
        new Date(now),
      );
    return { db: h.db, sync, scope, id: connection.id, agree, at: (ymd: string) => void (now = day(ymd)) };
  }

  // 1,000.00 invoiced; 400.00 paid; 600.00 agreed in three instalments.
  const plan = [
    { dueOn: '2026-12-15', amountMinor: 20_000 },
    { dueOn: '2027-01-15', amountMinor: 20_000 },
    { dueOn: '2027-02-15', amountMinor: 20_000 },
  ];

  it('an agreed plan opens no case at the first instalment; a missed one opens a case for what is overdue', async () => {
    const { sync, id, agree, at } = await setup();
    await agree('plan', plan);
    expect(
      await sync.applyBatch(
        id,
        batch({ invoices: [invoice({ balanceMinor: 60_000 })], payments: [payment('pay-1', 40_000)] }),
      ),
    ).toEqual([]);
    at('2026-12-15');
    const first = payment('pay-2', 20_000, { date: '2026-12-15', updatedAt: '2026-12-15T10:00:00.000Z' });
    expect(
      await sync.applyBatch(
        id,
        batch({
          invoices: [invoice({ balanceMinor: 40_000, updatedAt: '2026-12-15T10:00:00.000Z' })],
          payments: [first],
          checkpoint: 'cp-2',
        }),
      ),
    ).toEqual([]);
    // January's instalment is missed: nothing changes in the ledger, the next pass notices.
    at('2027-01-16');
    const actions = await sync.applyBatch(id, batch({ checkpoint: 'cp-3' }));
    expect(actions).toEqual([
      expect.objectContaining({
        kind: 'open',
        reason: 'missed_instalment',
        facts: expect.objectContaining({ disputed: usd(20_000), paid: usd(60_000) }),
      }),
    ]);
  });

  it('keeps the arrangement when the invoice is synced again, and gives it to detection', async () => {
    const { db, sync, id, scope, agree } = await setup();
    await agree('plan', plan);
    await sync.applyBatch(
      id,
      batch({ invoices: [invoice({ balanceMinor: 60_000 })], payments: [payment('pay-1', 40_000)] }),
    );
    await sync.applyBatch(
      id,
      batch({
        invoices: [invoice({ balanceMinor: 60_000, updatedAt: '2026-12-05T00:00:00.000Z' })],
        checkpoint: 'cp-2',
      }),
    );
    expect(await db.select({ kind: paymentPlans.kind }).from(paymentPlans)).toEqual([{ kind: 'plan' }]);
    const state = (await loadInvoiceStates(db, scope, ['inv-1001'])).get('inv-1001')!;
    expect(state.arrangement).toEqual({
      kind: 'plan',
      owed: usd(60_000),
      instalments: plan.map((i) => ({ dueOn: i.dueOn, amount: usd(i.amountMinor) })),
    });
  });

  it('never opens a short-payment case for a deposit; removing the arrangement lets the next sync decide again', async () => {
    const { db, sync, id, scope, agree } = await setup();
    await agree('deposit');
    expect(
      await sync.applyBatch(
        id,
        batch({ invoices: [invoice({ balanceMinor: 60_000 })], payments: [payment('pay-1', 40_000)] }),
      ),
    ).toEqual([]);
    expect(await removeArrangement(db, { ...scope, invoiceExternalId: 'inv-1001' })).toBe(true);
    expect((await db.select({ pending: invoices.detectionPending }).from(invoices))[0]!.pending).toBe(true);
    expect(await sync.applyBatch(id, batch({ checkpoint: 'cp-2' }))).toEqual([
      expect.objectContaining({ kind: 'open', reason: 'short_payment' }),
    ]);
  });

  it('replaces an earlier arrangement for the same invoice and hands back the one it replaced', async () => {
    const { db, agree } = await setup();
    expect(await agree('deposit')).toBeUndefined();
    expect(await agree('plan', plan)).toMatchObject({ kind: 'deposit' });
    expect(
      await db.select({ kind: paymentPlans.kind, instalments: paymentPlans.instalments }).from(paymentPlans),
    ).toEqual([{ kind: 'plan', instalments: plan }]);
  });
});
