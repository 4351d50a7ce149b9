// pullChanges: a backfill of ACCREC invoices, their payments and credit notes, then If-Modified-Since runs
// over the same three, plus a periodic sweep of open invoices. One call reads one page.
import type { ChangeBatch } from '../types.js';
import type { XeroApi } from './client.js';
import { decodeCursor, encodeCursor, stages, type Checkpoint, type Run, type Stage } from './cursor.js';
import { toCreditNote, toInvoice, toPayment } from './mappers.js';
import { XeroCreditNotesPage, XeroInvoicesPage, XeroPaymentsPage, type XeroPagination } from './schemas.js';

export interface SyncDeps {
  readonly api: XeroApi;
  readonly tenantId: string;
  readonly now: () => number;
  readonly pageSize: number;
  /** How often an incremental run also re-reads every open invoice. */
  readonly sweepEveryMs: number;
}

type Rows = Pick<ChangeBatch, 'invoices' | 'payments' | 'creditNotes'>;

interface StagePage {
  readonly rows: Rows;
  readonly count: number;
  readonly pagination?: XeroPagination | undefined;
}

// Our clock and Xero's disagree a little: start each window a few minutes early. Re-reading is harmless.
const clockMarginMs = 5 * 60_000;
const none: Rows = { invoices: [], payments: [], creditNotes: [] };

async function readStage(d: SyncDeps, stage: Stage, run: Run): Promise<StagePage> {
  const q = { page: run.page, pageSize: d.pageSize, ...(run.since && { ifModifiedSince: run.since }) };
  switch (stage) {
    case 'invoices':
    case 'openInvoices': {
      const statuses = stage === 'openInvoices' ? ['AUTHORISED'] : undefined;
      const page = XeroInvoicesPage.parse(
        await d.api.listInvoices({ ...q, where: 'Type=="ACCREC"', ...(statuses && { statuses }) }),
      );
      const invoices = page.Invoices.map((r) => toInvoice(r, d.tenantId));
      return {
        rows: { ...none, invoices },
        count: invoices.length,
        pagination: page.pagination,
      };
    }
    case 'payments': {
      const page = XeroPaymentsPage.parse(await d.api.listPayments({ ...q, where: 'PaymentType=="ACCRECPAYMENT"' }));
      const payments = page.Payments.map((r) => toPayment(r, d.tenantId));
      return {
        rows: { ...none, payments },
        count: payments.length,
        pagination: page.pagination,
      };
    }
    case 'creditNotes': {
      const page = XeroCreditNotesPage.parse(await d.api.listCreditNotes({ ...q, where: 'Type=="ACCRECCREDIT"' }));
      const creditNotes = page.CreditNotes.map((r) => toCreditNote(r, d.tenantId));
      return {
        rows: { ...none, creditNotes },
        count: creditNotes.length,
        pagination: page.pagination,
      };
    }
  }
}

function nextStage(run: Run): Run | undefined {
  const later = stages.slice(stages.indexOf(run.stage) + 1).filter((s) => s !== 'openInvoices' || run.sweep);
  const stage = later[0];
  if (!stage) return undefined;
  // The sweep reads every open invoice, not just the recently modified ones.
  const since = stage === 'openInvoices' ? undefined : run.from;
  return { ...run, stage, page: 1, since };
}

// One call a page, and no row read twice: the window (If-Modified-Since) stays put for the whole stage and the
// page number advances. Rows come newest first (client.ts), so whatever changes while a run pages moves to the
// front, behind the reader: rows it passes shift towards the end and at worst are read twice, never skipped.
// A row that changes after the run passed it is newer than the run's start, so the next run reads it.
function afterPage(run: Run, page: StagePage, pageSize: number): Run | undefined {
  const more = page.pagination ? page.pagination.page < page.pagination.pageCount : page.count >= pageSize;
  return more ? { ...run, page: run.page + 1 } : nextStage(run);
}

function startRun(d: SyncDeps, from?: Checkpoint): Run {
  const startedAt = new Date(d.now() - clockMarginMs).toISOString();
  if (!from)
    return {
      v: 1,
      kind: 'run',
      backfill: true,
      stage: 'invoices',
      page: 1,
      startedAt,
      sweep: false,
      lastSweepAt: startedAt,
    };
  const sweep = from.sweepNow === true || d.now() - Date.parse(from.lastSweepAt) >= d.sweepEveryMs;
  return {
    v: 1,
    kind: 'run',
    backfill: false,
    stage: 'invoices',
    since: from.from,
    from: from.from,
    page: 1,
    startedAt,
    sweep,
    lastSweepAt: sweep ? startedAt : from.lastSweepAt,
  };
}

export async function pullChanges(d: SyncDeps, input: { cursor?: string; pageCursor?: string }): Promise<ChangeBatch> {
  const text = input.pageCursor ?? input.cursor;
  const cursor = text === undefined ? undefined : decodeCursor(text);
  const run = cursor?.kind === 'run' ? cursor : startRun(d, cursor);
  const page = await readStage(d, run.stage, run);
  const next = afterPage(run, page, d.pageSize);
  const nextCursor = next && encodeCursor(next);
  const checkpoint =
    nextCursor ?? encodeCursor({ v: 1, kind: 'checkpoint', from: run.startedAt, lastSweepAt: run.lastSweepAt });
  // Xero counts what the stage's query matches: what is left of it after this page.
  const p = page.pagination;
  const remaining = p && { what: run.stage, records: Math.max(0, p.itemCount - p.page * p.pageSize) };
  return {
    ...page.rows,
    disputes: [],
    ...(nextCursor && { nextCursor }),
    checkpoint,
    backfill: run.backfill,
    ...(remaining && remaining.records > 0 && { remaining }),
  };
}
