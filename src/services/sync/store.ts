// applyBatch: store one ChangeBatch, advance the cursor and flag what needs detection, all in one transaction;
// then decide case actions from the stored state. Flags stay set until the case starter acknowledges them.
// reconcileBatch does the same for a page of the daily sweep, but writes only what differs and leaves the cursor.
import { and, eq, inArray } from 'drizzle-orm';
import { inList } from '../db/lists.js';
import type { ChangeBatch } from '../../../integrations/types.js';
import type { Database } from '../db/index.js';
import { chargeDisputes, connections, invoices, organisations } from '../db/schema.js';
import { defaultDetectionPolicy, withTolerances, type DetectionPolicy } from '../../domain/detection.js';
import { advanceProgress, type SyncProgress } from '../../domain/sync-progress.js';
import { ConnectionNotFoundError, toConnection } from '../connections/records.js';
import type { ReconciliationResult } from '../../../workflows/connection-sync/definitions.js';
import type { CaseAction, CaseTrigger, LedgerScope } from '../../domain/case-actions.js';
import { clearPending, detectPending } from './detect.js';
import { invoicesNamedBy } from '../ledger/read.js';
import { recordsToRepair } from './reconcile.js';
import { touchedInvoiceIds } from './touched.js';
import { upsertBatch } from './upsert.js';

// Detection's "today" is the UTC date of the store's clock: against a staleness window of weeks, the hours
// between UTC and the organisation's zone do not matter.
const utcDay = (at: Date) => at.toISOString().slice(0, 10);

const deletedIds = (list: readonly { status: string; ref: { id: string } }[]) =>
  list.filter((r) => r.status === 'deleted').map((r) => r.ref.id);

async function flagForDetection(
  tx: Database,
  connectionId: string,
  invoiceIds: readonly string[],
  disputeIds: readonly string[],
): Promise<void> {
  if (invoiceIds.length > 0) {
    await tx
      .update(invoices)
      .set({ detectionPending: true })
      .where(and(eq(invoices.connectionId, connectionId), inList(invoices.externalId, [...new Set(invoiceIds)])));
  }
  if (disputeIds.length > 0) {
    await tx
      .update(chargeDisputes)
      .set({ detectionPending: true })
      .where(and(eq(chargeDisputes.connectionId, connectionId), inArray(chargeDisputes.externalId, [...disputeIds])));
  }
}

/** The row lock makes a second sync of the same connection wait instead of interleaving cursors. */
async function lockConnection(tx: Database, connectionId: string): Promise<LedgerScope> {
  const [row] = await tx.select().from(connections).where(eq(connections.id, connectionId)).for('update');
  if (!row) throw new ConnectionNotFoundError(connectionId);
  const { provider, accountId } = toConnection(row);
  return { connectionId, provider, accountId };
}

async function store(tx: Database, connectionId: string, batch: ChangeBatch, at: Date): Promise<void> {
  const unapplied = await invoicesNamedBy(tx, connectionId, {
    payments: deletedIds(batch.payments),
    creditNotes: deletedIds(batch.creditNotes),
  });
  await upsertBatch(tx, connectionId, batch, at);
  await flagForDetection(
    tx,
    connectionId,
    [...touchedInvoiceIds(batch), ...unapplied],
    batch.disputes.map((d) => d.ref.id),
  );
}

/** The detection policy with the tolerances the connection's organisation set for itself. */
async function organisationPolicy(tx: Database, connectionId: string, base: DetectionPolicy): Promise<DetectionPolicy> {
  const [row] = await tx
    .select({ tolerances: organisations.tolerances })
    .from(connections)
    .innerJoin(organisations, eq(organisations.id, connections.organisationId))
    .where(eq(connections.id, connectionId));
  return row ? withTolerances(base, row.tolerances) : base;
}

export interface SyncStoreDeps {
  readonly db: Database;
  readonly policy?: DetectionPolicy;
  readonly now?: () => number;
}

export interface Reconciled {
  readonly actions: CaseAction[];
  readonly scanned: number;
  readonly repaired: number;
}

export function createSyncStore(deps: SyncStoreDeps) {
  const { db } = deps;
  const policy = deps.policy ?? defaultDetectionPolicy;
  const now = deps.now ?? Date.now;

  /** `page.first`: the first page of a sync pass, where its progress starts again (absent: progress is not kept). */
  async function applyBatch(
    connectionId: string,
    batch: ChangeBatch,
    page?: { readonly first: boolean },
  ): Promise<CaseAction[]> {
    return db.transaction(async (tx) => {
      const scope = await lockConnection(tx, connectionId);
      const at = new Date(now());
      await store(tx, connectionId, batch, at);
      let syncProgress: SyncProgress | undefined;
      if (page) {
        const [row] = await tx
          .select({ p: connections.syncProgress })
          .from(connections)
          .where(eq(connections.id, connectionId));
        const records =
          batch.invoices.length + batch.payments.length + batch.creditNotes.length + batch.disputes.length;
        syncProgress = advanceProgress(
          row?.p,
          {
            first: page.first,
            records,
            last: batch.nextCursor === undefined,
            ...(batch.remaining && { remaining: batch.remaining }),
          },
          at.toISOString(),
        );
      }
      await tx
        .update(connections)
        .set({
          syncCursor: batch.checkpoint,
          lastSyncAt: at,
          lastError: null,
          updatedAt: at,
          ...(syncProgress && { syncProgress }),
        })
        .where(eq(connections.id, connectionId));
      return detectPending(tx, scope, await organisationPolicy(tx, connectionId, policy), utcDay(at));
    });
  }

  async function reconcileBatch(connectionId: string, batch: ChangeBatch): Promise<Reconciled> {
    return db.transaction(async (tx) => {
      const scope = await lockConnection(tx, connectionId);
      const { batch: repairs, scanned, repaired } = await recordsToRepair(tx, connectionId, batch);
      const at = new Date(now());
      await store(tx, connectionId, repairs, at);
      return {
        actions: await detectPending(tx, scope, await organisationPolicy(tx, connectionId, policy), utcDay(at)),
        scanned,
        repaired,
      };
    });
  }

  async function recordReconciliation(connectionId: string, r: ReconciliationResult): Promise<void> {
    await db
      .update(connections)
      .set({
        lastReconciledAt: new Date(r.at),
        lastReconciledScanned: r.scanned,
        lastReconciledRepaired: r.repaired,
        updatedAt: new Date(now()),
      })
      .where(eq(connections.id, connectionId));
  }

  /** The case starter has acted on these; their records need no detection until the next change. */
  const acknowledge = (connectionId: string, triggers: readonly CaseTrigger[]) =>
    clearPending(db, connectionId, triggers);

  return { applyBatch, reconcileBatch, recordReconciliation, acknowledge };
}

export type SyncStore = ReturnType<typeof createSyncStore>;
