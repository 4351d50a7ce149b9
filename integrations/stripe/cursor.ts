// Sync positions, opaque to everyone else: base64url JSON validated on the way back in.
import { z } from 'zod';

export const backfillStages = ['invoices', 'invoice_payments', 'credit_notes', 'disputes'] as const;
export type BackfillStage = (typeof backfillStages)[number];

/** Where the event feed picks up once a backfill is done. */
const FeedStart = z.union([z.object({ eventId: z.string(), at: z.int() }), z.object({ since: z.int() })]);
export type FeedStart = z.infer<typeof FeedStart>;

const Position = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('backfill'),
    stage: z.enum(backfillStages),
    after: z.string().optional(),
    feed: FeedStart,
  }),
  /** Events newer than `after` (created at `at`), read oldest first with ending_before. */
  z.object({ v: z.literal(1), kind: z.literal('events'), after: z.string(), at: z.int() }),
  /** Events created after `since`, walked newest first; `newest` becomes the next `events` cursor. */
  z.object({
    v: z.literal(1),
    kind: z.literal('events_since'),
    since: z.int(),
    startingAfter: z.string().optional(),
    newest: z.object({ id: z.string(), at: z.int() }).optional(),
  }),
]);
export type SyncPosition = z.infer<typeof Position>;

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

export const encodeCursor = (p: SyncPosition): string => Buffer.from(JSON.stringify(p)).toString('base64url');

export function decodeCursor(cursor: string): SyncPosition {
  try {
    return Position.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (e) {
    throw new InvalidCursorError('Not a Stripe sync cursor', { cause: e });
  }
}

export function feedPosition(start: FeedStart): SyncPosition {
  return 'eventId' in start
    ? { v: 1, kind: 'events', after: start.eventId, at: start.at }
    : { v: 1, kind: 'events_since', since: start.since };
}

/** The event time a position depends on; past the Events API's retention the feed has gaps. */
export function positionTime(p: SyncPosition): number | undefined {
  if (p.kind === 'events') return p.at;
  if (p.kind === 'events_since') return p.since;
  return undefined;
}
