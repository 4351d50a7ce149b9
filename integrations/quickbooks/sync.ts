// pullChanges: a paged backfill by query, then CDC from the backfill's start time.
import { z } from 'zod';
import type { ChangeBatch } from '../types.js';
import type { QboClient, QboEntityName } from './client.js';
import { backfillOrder, encodeBackfill, nextEntity, parseCursor, type BackfillPosition } from './cursor.js';
import { quickbooksLimits } from './limits.js';
import {
  toCreditNote,
  toDeletedCreditNote,
  toDeletedInvoice,
  toDeletedPayment,
  toInvoice,
  toPayment,
} from './mappers.js';
import { QboCdcResponse, QboCreditMemo, QboDeleted, QboInvoice, QboPayment } from './schemas.js';

export interface SyncDeps {
  readonly client: QboClient;
  readonly realmId: string;
  readonly now: () => number;
}

type Rows = Pick<ChangeBatch, 'invoices' | 'payments' | 'creditNotes'>;

// Our clock and Intuit's disagree a little: stop trusting a cursor a while before Intuit would refuse it.
const lookbackMarginMs = 3600_000;

// Built once: zod compiles a schema on its first parse, so a schema built per row costs a compilation per row.
const DeletedMark = z.object({ status: z.literal('Deleted') });
const isDeleted = (row: unknown) => DeletedMark.safeParse(row).success;

function each<T>(rows: readonly unknown[], live: (row: unknown) => T, deleted: (row: QboDeleted) => T): T[] {
  return rows.map((row) => (isDeleted(row) ? deleted(QboDeleted.parse(row)) : live(row)));
}

function toRows(entity: QboEntityName, rows: readonly unknown[], realmId: string): Rows {
  const none: Rows = { invoices: [], payments: [], creditNotes: [] };
  switch (entity) {
    case 'Invoice':
      return {
        ...none,
        invoices: each(
          rows,
          (r) => toInvoice(QboInvoice.parse(r), realmId),
          (d) => toDeletedInvoice(d, realmId),
        ),
      };
    case 'Payment':
      return {
        ...none,
        payments: each(
          rows,
          (r) => toPayment(QboPayment.parse(r), realmId),
          (d) => toDeletedPayment(d, realmId),
        ),
      };
    case 'CreditMemo':
      return {
        ...none,
        creditNotes: each(
          rows,
          (r) => toCreditNote(QboCreditMemo.parse(r), realmId),
          (d) => toDeletedCreditNote(d, realmId),
        ),
      };
  }
}

// QBO stamps changes to the second; restarting from the whole second re-reads at most that second.
const wholeSecond = (time: string) => new Date(Math.floor(Date.parse(time) / 1000) * 1000).toISOString();

type PagePosition = Omit<BackfillPosition, 'since'> & { readonly since?: string };

// The first page fixes the backfill's start by Intuit's clock, not ours: CDC resumes from exactly there.
async function backfillPage({ client, realmId }: SyncDeps, at: PagePosition): Promise<ChangeBatch> {
  const pageSize = quickbooksLimits.queryPageSize;
  const page = await client.query(at.entity, { startPosition: at.position, maxResults: pageSize });
  const here: BackfillPosition = { ...at, since: at.since ?? wholeSecond(page.time) };
  const next = page.rows.length >= pageSize ? { ...here, position: here.position + pageSize } : nextEntity(here);
  const nextCursor = next && encodeBackfill(next);
  return {
    ...toRows(here.entity, page.rows, realmId),
    disputes: [],
    ...(nextCursor && { nextCursor }),
    checkpoint: nextCursor ?? here.since,
    backfill: true,
  };
}

const startBackfill = (deps: SyncDeps) => backfillPage(deps, { entity: 'Invoice', position: 1 });

function changedRows(response: QboCdcResponse): Map<QboEntityName, unknown[]> {
  const byEntity = new Map<QboEntityName, unknown[]>(backfillOrder.map((e) => [e, []]));
  for (const group of response.CDCResponse.flatMap((c) => c.QueryResponse)) {
    for (const entity of backfillOrder) {
      const rows = group[entity];
      if (Array.isArray(rows)) byEntity.get(entity)?.push(...rows);
    }
  }
  return byEntity;
}

async function changesSince(deps: SyncDeps, since: string): Promise<ChangeBatch> {
  if (deps.now() - Date.parse(since) > quickbooksLimits.cdcLookbackMs - lookbackMarginMs) return startBackfill(deps);
  const response = QboCdcResponse.parse(
    await deps.client.changeDataCapture(backfillOrder, new Date(since).toISOString()),
  );
  const changed = changedRows(response);
  // CDC silently drops whatever is past its cap and cannot be paged: only a backfill is complete then.
  if ([...changed.values()].reduce((n, rows) => n + rows.length, 0) >= quickbooksLimits.cdcMaxObjects)
    return startBackfill(deps);
  const rows = [...changed].map(([entity, list]) => toRows(entity, list, deps.realmId));
  return {
    invoices: rows.flatMap((r) => r.invoices),
    payments: rows.flatMap((r) => r.payments),
    creditNotes: rows.flatMap((r) => r.creditNotes),
    disputes: [],
    checkpoint: wholeSecond(response.time),
    backfill: false,
  };
}

export async function pullChanges(
  deps: SyncDeps,
  input: { cursor?: string; pageCursor?: string },
): Promise<ChangeBatch> {
  const cursor = input.pageCursor ?? input.cursor;
  if (cursor === undefined) return startBackfill(deps);
  const parsed = parseCursor(cursor);
  return parsed.kind === 'backfill' ? backfillPage(deps, parsed.at) : changesSince(deps, parsed.since);
}
