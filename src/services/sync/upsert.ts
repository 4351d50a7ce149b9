// Idempotent upserts keyed by (connection, external id). Change feeds deliver late, twice and out of order, so
// a row is only overwritten by data at least as new as what it holds. Deletions arrive as tombstones that carry
// little more than the id, so they only mark the row we have.
//
// Each chunk of rows is one statement with one parameter: the rows as a JSON array, which Postgres turns back into
// typed columns (jsonb_to_recordset). Drizzle's multi-row VALUES builder took a placeholder per value and built
// {sql, params} pieces for each, merged level by level: ~20 KB of garbage per row, 40 % of what a backfill
// allocated (bench/system/backfill.ts). Same conflict target, update list and guard as before; same on PGlite.
import { and, eq, getTableColumns, getTableName, lte, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../db/index.js';
import { chargeDisputes, creditNotes, invoices, payments } from '../db/schema.js';
import type { ChangeBatch } from '../../../integrations/types.js';
import { creditNoteRow, disputeRow, invoiceRow, paymentRow } from '../ledger/rows.js';

// Rows a statement: bounds the JSON text of one statement (a page is at most 1,000 rows).
const CHUNK = 1000;

type Upserted = typeof invoices | typeof payments | typeof creditNotes | typeof chargeDisputes;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * `insert into t (…) select … from jsonb_to_recordset($1) … on conflict (connection_id, external_id) do update set
 * col = excluded.col …`: every column but `kept` is written from the row (its JSON key is the row's property
 * name), every one but the key and `kept` is updated, and `newerOnly` updates only a row whose provider update
 * time is not newer than the one arriving. `kept` columns are never written: a new row takes their default.
 */
function upsertInto<T extends Upserted, K extends keyof T['$inferInsert'] & string = never>(
  table: T,
  kept: readonly K[],
  newerOnly: boolean,
): (tx: Database, rows: readonly Required<Omit<T['$inferInsert'], K>>[]) => Promise<void> {
  const name = quoted(getTableName(table));
  const written = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(
    ([key]) => !(kept as readonly string[]).includes(key),
  );
  const updated = written.filter(([key]) => key !== 'connectionId' && key !== 'externalId');
  const head = sql.raw(
    `insert into ${name} (${written.map(([, c]) => quoted(c.name)).join(', ')}) select ${written
      .map(([key]) => quoted(key))
      .join(', ')} from jsonb_to_recordset(`,
  );
  const tail = sql.raw(
    `::jsonb) as r(${written.map(([key, c]) => `${quoted(key)} ${c.getSQLType()}`).join(', ')})` +
      ` on conflict ("connection_id", "external_id") do update set ${updated
        .map(([, c]) => `${quoted(c.name)} = excluded.${quoted(c.name)}`)
        .join(', ')}` +
      (newerOnly ? ` where ${name}."provider_updated_at" <= excluded."provider_updated_at"` : ''),
  );
  return async (tx, rows) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const json = JSON.stringify(rows.length <= CHUNK ? rows : rows.slice(i, i + CHUNK), wellFormed);
      await tx.execute(sql`${head}${json}${tail}`);
    }
  };
}

/**
 * A lone UTF-16 surrogate (half an emoji, cut by whoever truncated a name or memo at the provider) is written as
 * U+FFFD, as the driver's UTF-8 encoding of a text parameter always wrote it: JSON.stringify escapes it as \udXXX,
 * which jsonb refuses, and one such character would fail the whole page and hold the connection's sync on it.
 */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const wellFormed = (_key: string, value: unknown) =>
  typeof value === 'string' ? value.replace(loneSurrogate, '\uFFFD') : value;

const upsertInvoices = upsertInto(invoices, ['detectionPending'], true);
const upsertPayments = upsertInto(payments, [], true);
const upsertCreditNotes = upsertInto(creditNotes, [], true);
// Disputes carry no update time; the connector re-reads each one, so the latest read wins.
const upsertDisputes = upsertInto(chargeDisputes, ['detectionPending'], false);

/** One statement cannot touch the same row twice: keep the newest version of each id. */
export function newestById<T extends { ref: { id: string } }>(items: readonly T[], updatedAt: (t: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const seen = byId.get(item.ref.id);
    if (!seen || Date.parse(updatedAt(item)) >= Date.parse(updatedAt(seen))) byId.set(item.ref.id, item);
  }
  return [...byId.values()];
}

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
  await markDeleted(tx, invoices, connectionId, batch.invoices.filter(isTombstone));
  await markDeleted(tx, payments, connectionId, batch.payments.filter(isTombstone));
  await markDeleted(tx, creditNotes, connectionId, batch.creditNotes.filter(isTombstone));
  const live = <T extends { status: string }>(list: readonly T[]) => list.filter((r) => !isTombstone(r));
  await upsertInvoices(
    tx,
    newestById(live(batch.invoices), (i) => i.updatedAt).map((i) => invoiceRow(connectionId, i, syncedAt)),
  );
  await upsertPayments(
    tx,
    newestById(live(batch.payments), (p) => p.updatedAt).map((p) => paymentRow(connectionId, p, syncedAt)),
  );
  await upsertCreditNotes(
    tx,
    newestById(live(batch.creditNotes), (c) => c.updatedAt).map((c) => creditNoteRow(connectionId, c, syncedAt)),
  );
  await upsertDisputes(
    tx,
    newestById(batch.disputes, (d) => d.createdAt).map((d) => disputeRow(connectionId, d, syncedAt)),
  );
}
