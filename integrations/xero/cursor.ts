// Sync cursors, opaque to everyone else: `xero:` + base64url JSON, validated on the way back in.
// A checkpoint says where the next run starts; a run position says which page of which stage comes next.
import { z } from 'zod';
import { IntegrationError } from '../errors.js';

export const stages = ['invoices', 'payments', 'creditNotes', 'openInvoices'] as const;
export type Stage = (typeof stages)[number];

const Instant = z.iso.datetime();

const Checkpoint = z.object({
  v: z.literal(1),
  kind: z.literal('checkpoint'),
  /** The next run asks for records modified since then (If-Modified-Since). */
  from: Instant,
  /** When open invoices were last read in full; see sync.ts for why that is needed. */
  lastSweepAt: Instant,
  /** Set by withOpenInvoiceSweep: sweep on the next run whatever the schedule says. */
  sweepNow: z.boolean().optional(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

const Run = z.object({
  v: z.literal(1),
  kind: z.literal('run'),
  backfill: z.boolean(),
  stage: z.enum(stages),
  /** Read rows modified at or after this; absent reads from the oldest. */
  since: Instant.optional(),
  /** 1-based page among the rows from `since`, newest first. */
  page: z.number().int().positive(),
  /** The window every incremental stage starts from; absent in a backfill. */
  from: Instant.optional(),
  /** Our clock when the run began (less a margin): the next checkpoint's `from`. */
  startedAt: Instant,
  sweep: z.boolean(),
  lastSweepAt: Instant,
});
export type Run = z.infer<typeof Run>;

const Cursor = z.discriminatedUnion('kind', [Checkpoint, Run]);
export type Cursor = z.infer<typeof Cursor>;

const prefix = 'xero:';

export const encodeCursor = (c: Cursor): string => prefix + Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor(text: string): Cursor {
  try {
    if (!text.startsWith(prefix)) throw new Error('missing prefix');
    return Cursor.parse(JSON.parse(Buffer.from(text.slice(prefix.length), 'base64url').toString('utf8')));
  } catch (e) {
    throw new IntegrationError('invalid', `Not a Xero sync cursor: ${JSON.stringify(text.slice(0, 80))}`, {
      provider: 'xero',
      code: 'bad_cursor',
      cause: e,
    });
  }
}

/**
 * Asks the next run from this cursor to re-read every open invoice as well. Some edits (a due date on a
 * part-paid invoice, say) do not move UpdatedDateUTC, so If-Modified-Since alone never sees them.
 */
export function withOpenInvoiceSweep(cursor: string): string {
  const c = decodeCursor(cursor);
  return encodeCursor(c.kind === 'checkpoint' ? { ...c, sweepNow: true } : { ...c, sweep: true });
}
