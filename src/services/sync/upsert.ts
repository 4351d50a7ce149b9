// Idempotent upserts keyed by (connection, external id). Change feeds deliver late, twice and out of order, so
// a row is only overwritten by data at least as new as what it holds. Deletions arrive as tombstones that carry
// little more than the id, so they only mark the row we have.
import { and, eq, getTableColumns, lte, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/index.js';
import { chargeDisputes, creditNotes, invoices, payments } from '../db/schema.js';
import type { ChangeBatch } from '../../../integrations/types.js';
import { creditNoteRow, disputeRow, invoiceRow, paymentRow } from '../ledger/rows.js';

// Keeps statements well under Postgres' 65,535 bind parameters.
const CHUNK = 500;

/** `SET col = excluded.col` for every column but the key and the ones the caller keeps. */
function fromExcluded(table: PgTable, keep: readonly string[]): Record<string, SQL> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  return Object.fromEntries(
    Object.entries(columns)
      .filter(([key, col]) => !col.primary && !['connectionId', 'externalId', ...keep].includes(key))
      .map(([key, col]) => [key, sql.raw(`excluded."${col.name}"`)]),
  );
}

/** One statement cannot touch the same row twice: keep the newest version of each id. */
export function newestById<T extends { ref: { id: string } }>(items: readonly T[], updatedAt: (t: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const seen = byId.get(item.ref.id);
    if (!seen || Date.parse(updatedAt(item)) >= Date.parse(updatedAt(seen))) byId.set(item.ref.id, item);
  }
  return [...byId.values()];
}

async function chunked<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

const notOlder = (column: PgColumn) => sql`${column} <= excluded.${sql.identifier(column.name)}`;

type Versioned = typeof invoices | typeof payments | typeof creditNotes;
const isTombstone = (r: { status: string }) => r.status === 'deleted';

async function markDeleted(
  tx: Database,
  table: Versioned,
  connectionId: string,
  items: readonly { ref: { id: string }; updatedAt: string }[],
): Promise<void> {
  for (const item of items) {
    const at = new Date(item.updatedAt);
    await tx
      .update(table)
      .set({ status: 'deleted', providerUpdatedAt: at })
      .where(
        and(eq(table.connectionId, connectionId), eq(table.externalId, item.ref.id), lte(table.providerUpdatedAt, at)),
      );
  }
}

export async function upsertBatch(
  tx: Database,
  connectionId: string,
  batch: ChangeBatch,
  syncedAt: Date,
): Promise<void> {
  const target = (t: typeof invoices | typeof payments | typeof creditNotes | typeof chargeDisputes) => [
    t.connectionId,
    t.externalId,
  ];
  await markDeleted(tx, invoices, connectionId, batch.invoices.filter(isTombstone));
  await markDeleted(tx, payments, connectionId, batch.payments.filter(isTombstone));
  await markDeleted(tx, creditNotes, connectionId, batch.creditNotes.filter(isTombstone));
  const live = <T extends { status: string }>(list: readonly T[]) => list.filter((r) => !isTombstone(r));
  await chunked(
    newestById(live(batch.invoices), (i) => i.updatedAt).map((i) => invoiceRow(connectionId, i, syncedAt)),
    (rows) =>
      tx
        .insert(invoices)
        .values(rows)
        .onConflictDoUpdate({
          target: target(invoices),
          set: fromExcluded(invoices, ['detectionPending']),
          setWhere: notOlder(invoices.providerUpdatedAt),
        }),
  );
  await chunked(
    newestById(live(batch.payments), (p) => p.updatedAt).map((p) => paymentRow(connectionId, p, syncedAt)),
    (rows) =>
      tx
        .insert(payments)
        .values(rows)
        .onConflictDoUpdate({
          target: target(payments),
          set: fromExcluded(payments, []),
          setWhere: notOlder(payments.providerUpdatedAt),
        }),
  );
  await chunked(
    newestById(live(batch.creditNotes), (c) => c.updatedAt).map((c) => creditNoteRow(connectionId, c, syncedAt)),
    (rows) =>
      tx
        .insert(creditNotes)
        .values(rows)
        .onConflictDoUpdate({
          target: target(creditNotes),
          set: fromExcluded(creditNotes, []),
          setWhere: notOlder(creditNotes.providerUpdatedAt),
        }),
  );
  // Disputes carry no update time; the connector re-reads each one, so the latest read wins.
  await chunked(
    newestById(batch.disputes, (d) => d.createdAt).map((d) => disputeRow(connectionId, d, syncedAt)),
    (rows) =>
      tx
        .insert(chargeDisputes)
        .values(rows)
        .onConflictDoUpdate({
          target: target(chargeDisputes),
          set: fromExcluded(chargeDisputes, ['detectionPending']),
        }),
  );
}
