// The reconciliation sweep's store on both engines: a full re-read repairs rows that are missing or hold other
// content than the provider now reports, counts them, runs detection on them, and never moves the cursor.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { cases, chargeDisputes, invoices, payments } from '../../../src/services/db/schema.js';
import { caseKey } from '../../../src/domain/case.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { bothEngines } from '../../helpers/databases.js';
import { FakeOAuthProvider, ScriptedConnector } from './fakes.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { batch, creditNote, dispute, invoice, payment, qbo, seedOrganisation, shortPaid, usd } from './fixtures.js';

const engines = bothEngines();
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
    return { db: h.db, vault, sync, id, synced, openCase };
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
    const { vault, sync, id, synced } = await setup();
    await synced(batch({ invoices: [invoice({ balanceMinor: 40_000 })], checkpoint: 'cp-1' }));
    const connector = new ScriptedConnector('quickbooks');
    const oauth = new FakeOAuthProvider('quickbooks');
    const unused = async () => {
      throw new Error('no case is touched in this test');
    };
    const activities = createSyncActivities({
      connections: vault,
      providers: { get: () => ({ oauth, connector: () => connector }) },
      sync,
      cases: { openOrSignalCase: unused, signalConnectionBroken: unused, signalConnectionRestored: unused },
      heartbeat: () => {},
    });
    connector.push(
      backfill({ invoices: [invoice({ balanceMinor: 40_000 })], nextCursor: 'bf-2' }),
      backfill({ payments: [payment('pay-1', 60_000)], nextCursor: 'events-from-backfill-start' }),
      batch({ payments: [payment('pay-9', 1_000)], checkpoint: 'events-2' }), // Stripe pages on into its event feed
    );
    const first = await activities.sweepPage({ connectionId: id });
    expect(first).toMatchObject({ scanned: 1, repaired: 0, nextPageCursor: 'bf-2' });
    const second = await activities.sweepPage({ connectionId: id, pageCursor: 'bf-2' });
    expect(second).toMatchObject({ scanned: 1, repaired: 1, nextPageCursor: 'events-from-backfill-start' });
    expect(await activities.sweepPage({ connectionId: id, pageCursor: 'events-from-backfill-start' })).toEqual({
      actions: [],
      scanned: 0,
      repaired: 0,
    });
    expect(connector.pulls.map(({ cursor, pageCursor }) => ({ cursor, pageCursor }))).toEqual([
      { cursor: undefined, pageCursor: undefined },
      { cursor: undefined, pageCursor: 'bf-2' },
      { cursor: undefined, pageCursor: 'events-from-backfill-start' },
    ]);
    expect(await vault.get(id)).toMatchObject({ syncCursor: 'cp-1' });
  });
});
