// The reconciliation sweep's store on both engines: a full re-read repairs rows that are missing or hold other
// content than the provider now reports, counts them, runs detection on them, and never moves the cursor. The sweep
// itself runs the real Stripe connector against the Stripe simulator.
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import { createProviders } from '../../../integrations/providers.js';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { cases, chargeDisputes, invoices, payments } from '../../../src/services/db/schema.js';
import { caseKey } from '../../../src/domain/case.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { bothEngines } from '../../helpers/databases.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { batch, creditNote, dispute, invoice, payment, qbo, seedOrganisation, shortPaid, usd } from './fixtures.js';

const engines = bothEngines();
// One Stripe simulator for the file, started by the first test that reaches Stripe; each test its own account.
let stripeSim: Promise<StripeSimulator> | undefined;
const simulator = () => (stripeSim ??= startStripeSimulator());
afterAll(async () => {
  await (await stripeSim)?.close();
});
const HOUR = 3_600_000;
const backfill = (over: Parameters<typeof batch>[0]) =>
  batch({ checkpoint: 'backfill-position', backfill: true, ...over });

describe.each(engines)('reconciliation on %s', (_engine, open) => {
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
    let clock = Date.parse('2026-12-06T08:00:00.000Z');
    const sync = createSyncStore({ db: h.db, now: () => clock });
    const id = connection.id;
    /** Stores a batch through the change feed and acts on its detection, as a sync pass would. */
    const synced = async (b: Parameters<typeof sync.applyBatch>[1]) => {
      const actions = await sync.applyBatch(id, b);
      await sync.acknowledge(
        id,
        actions.map((a) => a.trigger),
      );
      clock += HOUR;
    };
    const openCase = () =>
      h.db.insert(cases).values({
        organisationId,
        caseKey: caseKey({ invoice: qbo('inv-1001') }),
        workflowId: 'case/inv-1001',
        connectionId: id,
        kind: 'short_payment',
        status: 'awaiting_approval',
        currency: 'USD',
        disputedMinor: 40_000,
      });
    return { db: h.db, vault, sync, id, synced, openCase, organisationId };
  }

  it('finds nothing to repair in a book the feed kept exactly, and writes nothing', async () => {
    const { db, vault, sync, id, synced } = await setup();
    const book = {
      invoices: [invoice({ balanceMinor: 35_000 })],
      payments: [payment('pay-1', 60_000)],
      creditNotes: [creditNote('cn-1', 5_000)],
      disputes: [dispute()],
    };
    await synced(batch({ ...book, checkpoint: 'cp-1' }));
    const before = await db.select().from(invoices);
    expect(await sync.reconcileBatch(id, backfill(book))).toEqual({ actions: [], scanned: 4, repaired: 0 });
    expect(await db.select().from(invoices)).toEqual(before);
    expect(await vault.get(id)).toMatchObject({ syncCursor: 'cp-1' });
  });

  it("repairs a row altered behind the sync's back, and leaves the cursor where the feed put it", async () => {
    const { db, vault, sync, id, synced, openCase } = await setup();
    await synced(shortPaid('cp-1'));
    await openCase();
    await db.update(invoices).set({ balanceMinor: 0, status: 'paid' }).where(eq(invoices.externalId, 'inv-1001'));
    const lastSyncAt = (await vault.get(id)).lastSyncAt;

    const result = await sync.reconcileBatch(
      id,
      backfill({ invoices: shortPaid().invoices, payments: shortPaid().payments }),
    );
    expect(result).toEqual({ actions: [], scanned: 2, repaired: 1 }); // the case already holds these facts
    expect(
      await db
        .select({ balance: invoices.balanceMinor, status: invoices.status, pending: invoices.detectionPending })
        .from(invoices),
    ).toEqual([{ balance: 40_000, status: 'open', pending: false }]);
    expect(await vault.get(id)).toMatchObject({ syncCursor: 'cp-1', lastSyncAt });

    await sync.recordReconciliation(id, { at: '2026-12-07T08:00:00.000Z', scanned: 2, repaired: 1 });
    expect(await vault.get(id)).toMatchObject({
      lastReconciledAt: '2026-12-07T08:00:00.000Z',
      lastReconciledRepaired: 1,
    });
  });

  it('stores a payment the feed missed, and the case it reveals is opened like any other', async () => {
    const { db, sync, id, synced } = await setup();
    await synced(batch({ invoices: [invoice({ balanceMinor: 40_000 })] }));
    const result = await sync.reconcileBatch(
      id,
      backfill({ invoices: [invoice({ balanceMinor: 40_000 })], payments: [payment('pay-1', 60_000)] }),
    );
    expect(result).toMatchObject({ scanned: 2, repaired: 1 });
    expect(result.actions).toEqual([
      expect.objectContaining({
        kind: 'open',
        reason: 'short_payment',
        trigger: { invoiceId: 'inv-1001' },
        facts: expect.objectContaining({ paid: usd(60_000) }),
      }),
    ]);
    expect(await db.select({ id: payments.externalId }).from(payments)).toEqual([{ id: 'pay-1' }]);
  });

  it('keeps a newer version the feed stored after the sweep read the page, and takes the latest dispute read', async () => {
    const { db, sync, id, synced } = await setup();
    await synced(
      batch({
        invoices: [invoice({ balanceMinor: 30_000, updatedAt: '2026-12-08T00:00:00.000Z' })],
        disputes: [dispute()],
      }),
    );
    const stale = backfill({
      invoices: [invoice({ balanceMinor: 40_000 })],
      disputes: [dispute({ status: 'under_review' })],
    });
    expect(await sync.reconcileBatch(id, stale)).toMatchObject({ scanned: 2, repaired: 1 });
    expect(await db.select({ balance: invoices.balanceMinor }).from(invoices)).toEqual([{ balance: 30_000 }]);
    expect(
      await db
        .select({ status: chargeDisputes.status })
        .from(chargeDisputes)
        .where(and(eq(chargeDisputes.connectionId, id), eq(chargeDisputes.externalId, 'dp_1'))),
    ).toEqual([{ status: 'under_review' }]);
  });

  it('sweeps from no cursor and stops where the backfill hands over to the change feed', async () => {
    // A Stripe account through the real connector and the Stripe simulator: its backfill pages on into the Events
    // API, and that part is the sync's. The feed stored the book, then lost a payment; the sweep puts it back.
    const { db, vault, sync, organisationId } = await setup();
    const stripe = await simulator();
    const { accountId, invoiceId, invoicePaymentId } = stripe.admin.scenarios.partialPayment({ paid: 118_000 });
    const { connection } = await vault.connect({
      organisationId,
      provider: 'stripe',
      accountId,
      name: 'Harbour Design Studio',
      tokens: stripe.admin.connectAccount(accountId),
    });
    const id = connection.id;
    const unused = async () => {
      throw new Error('no case is touched in this test');
    };
    const activities = createSyncActivities({
      connections: vault,
      providers: createProviders({
        configs: {
          stripe: { secretKey: stripe.admin.platform.secretKey, connectClientId: stripe.admin.platform.clientId },
        },
        baseUrls: { stripe: stripe.url },
      }).registry,
      sync,
      cases: { openOrSignalCase: unused, signalConnectionBroken: unused, signalConnectionRestored: unused },
      heartbeat: () => {},
    });
    // The feed's pass: the backfill, drained, leaves the cursor on the event feed. A paid invoice opens nothing.
    for (let page = await activities.syncPage({ connectionId: id }); page.nextPageCursor !== undefined;) {
      expect(page.actions).toEqual([]);
      page = await activities.syncPage({ connectionId: id, pageCursor: page.nextPageCursor });
    }
    const { syncCursor } = await vault.get(id);
    expect(syncCursor).toBeTruthy();
    const stored = () => db.select({ id: payments.externalId }).from(payments).where(eq(payments.connectionId, id));
    expect(await stored()).toEqual([{ id: invoicePaymentId }]);
    await db.delete(payments).where(eq(payments.connectionId, id)); // the feed lost it

    const wire = () =>
      stripe.admin
        .requests({ method: 'GET' })
        .filter((r) => r.accountId === accountId)
        .map((r) => r.path);
    const before = wire().length;
    const first = await activities.sweepPage({ connectionId: id });
    expect(first).toMatchObject({ scanned: 1, repaired: 0, nextPageCursor: expect.any(String) });
    const second = await activities.sweepPage({ connectionId: id, pageCursor: first.nextPageCursor! });
    expect(second).toMatchObject({ scanned: 1, repaired: 1, nextPageCursor: expect.any(String) });
    expect(await stored()).toEqual([{ id: invoicePaymentId }]);
    const creditNotes = await activities.sweepPage({ connectionId: id, pageCursor: second.nextPageCursor! });
    expect(creditNotes).toMatchObject({ scanned: 0, repaired: 0, nextPageCursor: expect.any(String) });
    // Something changes at Stripe after the backfill began: the event feed, where the last page hands over, has it.
    const late = stripe.admin.createInvoice(accountId, {
      customer: stripe.admin.createCustomer(accountId, { name: 'Contoso Ltd' }).id,
      currency: 'usd',
      lines: [{ description: 'Late work', quantity: 1, unitAmount: 9_000 }],
    });
    // The last page is the backfill's: the sweep ends there, and never reads the feed only to discard it.
    const disputes = await activities.sweepPage({ connectionId: id, pageCursor: creditNotes.nextPageCursor! });
    expect(disputes).toEqual({ actions: [], scanned: 0, repaired: 0 });
    // From no cursor (the newest event marks where the feed takes over, then every object), never the sync's cursor.
    const sweep = wire().slice(before);
    expect(sweep).toEqual(['/v1/events', '/v1/invoices', '/v1/invoice_payments', '/v1/credit_notes', '/v1/disputes']);
    expect(sweep.filter((path) => path.startsWith('/v1/invoices/'))).toEqual([]);
    expect(await db.select({ id: invoices.externalId }).from(invoices).where(eq(invoices.connectionId, id))).toEqual([
      { id: invoiceId },
    ]); // the late invoice is left to the sync
    expect(await vault.get(id)).toMatchObject({ syncCursor });
    // The sync's next pass reads it from the feed, where its cursor was left.
    const afterSweep = wire().length;
    await activities.syncPage({ connectionId: id });
    expect(wire().slice(afterSweep)).toContain(`/v1/invoices/${late.id}`);
  });
});
