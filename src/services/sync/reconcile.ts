// What a reconciliation sweep repairs: the records the provider lists that we lack, or hold with other content.
// Content only: synced_at and the provider's update stamp say when a row was written, not what it says.
import { and, eq, inArray } from 'drizzle-orm';
import type { ChangeBatch } from '../../../integrations/types.js';
import type { Database } from '../db/index.js';
import { chargeDisputes, creditNotes, invoices, payments } from '../db/schema.js';
import { creditNoteRow, disputeRow, invoiceRow, paymentRow } from '../ledger/rows.js';
import { newestById } from './upsert.js';

const notContent = new Set(['syncedAt', 'providerUpdatedAt', 'detectionPending']);

/** jsonb hands keys back in its own order and drops undefined ones; dates compare as instants. */
function canonical(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, x]) => [k, canonical(x)]));
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const contentDiffers = (incoming: object, stored: object) =>
  Object.entries(incoming).some(
    ([key, value]) => !notContent.has(key) && !sameValue(value, (stored as Record<string, unknown>)[key]),
  );

type Table = typeof invoices | typeof payments | typeof creditNotes | typeof chargeDisputes;
interface Item {
  readonly ref: { readonly id: string };
  readonly status: string;
}
interface Stored {
  readonly externalId: string;
  readonly status: string;
  readonly providerUpdatedAt?: Date;
}

interface Kind<T extends Item> {
  readonly table: Table;
  readonly items: readonly T[];
  readonly row: (item: T) => object;
  /** Orders duplicates as the upsert does, so the version compared is the version written. */
  readonly order: (item: T) => string;
  /** Disputes carry no update time: the latest read always wins. */
  readonly versioned: boolean;
}

async function needingRepair<T extends Item>(tx: Database, connectionId: string, k: Kind<T>): Promise<T[]> {
  const items = newestById(k.items, k.order);
  if (items.length === 0) return [];
  const rows: Stored[] = await tx
    .select()
    .from(k.table)
    .where(
      and(
        eq(k.table.connectionId, connectionId),
        inArray(
          k.table.externalId,
          items.map((i) => i.ref.id),
        ),
      ),
    );
  const stored = new Map(rows.map((r) => [r.externalId, r]));
  // A row holding a newer version than the sweep read is one the upsert would keep, and nothing to repair.
  const notNewer = (row: Stored, item: T) =>
    !k.versioned || row.providerUpdatedAt!.getTime() <= Date.parse(k.order(item));
  return items.filter((item) => {
    const row = stored.get(item.ref.id);
    if (item.status === 'deleted') return row !== undefined && row.status !== 'deleted' && notNewer(row, item);
    return !row || (notNewer(row, item) && contentDiffers(k.row(item), row));
  });
}

export interface Repairs {
  /** Just the records to write. Its checkpoint is the sweep's position, never the incremental cursor. */
  readonly batch: ChangeBatch;
  readonly scanned: number;
  readonly repaired: number;
}

export async function recordsToRepair(tx: Database, connectionId: string, batch: ChangeBatch): Promise<Repairs> {
  const notCompared = new Date(0); // synced_at
  const updatedAt = (r: { updatedAt: string }) => r.updatedAt;
  const repairs: ChangeBatch = {
    ...batch,
    invoices: await needingRepair(tx, connectionId, {
      table: invoices,
      items: batch.invoices,
      row: (i) => invoiceRow(connectionId, i, notCompared),
      order: updatedAt,
      versioned: true,
    }),
    payments: await needingRepair(tx, connectionId, {
      table: payments,
      items: batch.payments,
      row: (p) => paymentRow(connectionId, p, notCompared),
      order: updatedAt,
      versioned: true,
    }),
    creditNotes: await needingRepair(tx, connectionId, {
      table: creditNotes,
      items: batch.creditNotes,
      row: (c) => creditNoteRow(connectionId, c, notCompared),
      order: updatedAt,
      versioned: true,
    }),
    disputes: await needingRepair(tx, connectionId, {
      table: chargeDisputes,
      items: batch.disputes,
      row: (d) => disputeRow(connectionId, d, notCompared),
      order: (d) => d.createdAt,
      versioned: false,
    }),
  };
  const records = (b: Pick<ChangeBatch, 'invoices' | 'payments' | 'creditNotes' | 'disputes'>) =>
    [b.invoices, b.payments, b.creditNotes, b.disputes].reduce(
      (n, list: readonly Item[]) => n + new Set(list.map((r) => r.ref.id)).size,
      0,
    );
  return { batch: repairs, scanned: records(batch), repaired: records(repairs) };
}
