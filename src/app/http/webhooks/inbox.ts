// The webhook inbox: every verified event is stored (deduplicated on provider + event id) before anything acts
// on it, then handed to onEvents. Rows whose handling failed, or never ran because the process stopped, are
// picked up again by processInbox.
import { and, asc, eq, inArray, isNull, lt, lte, sql } from 'drizzle-orm';
import type { NormalizedWebhookEvent } from '../../../../integrations/types.js';
import type { Database } from '../../../services/db/index.js';
import { webhookInbox } from '../../../services/db/schema.js';
import type { ProviderKey } from '../../../domain/model.js';

export type InboxHandler = (provider: ProviderKey, events: readonly NormalizedWebhookEvent[]) => Promise<void>;
type InboxRow = typeof webhookInbox.$inferSelect;

const toEvent = (r: InboxRow): NormalizedWebhookEvent => ({
  provider: r.provider as ProviderKey,
  eventId: r.eventId,
  accountId: r.accountId,
  entity: r.entity,
  entityId: r.entityId,
  operation: r.operation,
  occurredAt: r.occurredAt ?? r.receivedAt.toISOString(),
  payload: r.payload,
});

/** A stored event and its inbox row's id: what the hand-over needs, without reading the row back. */
export interface InboxEntry {
  readonly id: string;
  readonly event: NormalizedWebhookEvent;
}

export interface RecordResult {
  /** The events not seen before, stored already claimed (attempts 1) for the caller to hand over. */
  readonly fresh: InboxEntry[];
  readonly duplicates: number;
}

interface Pending {
  readonly events: readonly NormalizedWebhookEvent[];
  readonly processedAt: Date | undefined;
  resolve(r: RecordResult): void;
  reject(e: unknown): void;
}

// Rows per INSERT: 9 parameters each stays far below Postgres's 65,535.
const maxBatchRows = 1000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const keyOf = (provider: string, eventId: string) => `${provider}\u0000${eventId}`;
type Inserted = { id: string; provider: string; eventId: string };

/**
 * Group commit for the inbox: every request's events wait for one multi-row INSERT shared with the requests that
 * arrived while the previous one ran, so a burst costs one statement instead of one per request (on the single
 * in-process PGlite, statements are what the HTTP server waits behind). A request is answered only once its batch
 * is stored. Fresh rows are stored already claimed (attempts 1) for the request that brought them, which saves the
 * claim statement; processInbox still picks them up if that work never finishes. The INSERT returns only each new
 * row's id and key: the events are still in memory, so nothing (least of all the payload) is read back. A batch the
 * database refuses is retried request by request, so one bad event fails only its own request. `concurrency`
 * INSERTs may be in flight at once (1, the default, for PGlite's one connection; a few on a Postgres pool, whose
 * own group commit shares the WAL flush between them), so a request arriving during a commit waits for its own
 * commit only.
 */
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function createInboxWriter(db: Database, options: { concurrency?: number } = {}) {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  let queue: Pending[] = [];
  const lanes = new Set<Promise<void>>();

  async function insert(batch: readonly Pending[]): Promise<Inserted[]> {
    // Rows in key order: two INSERTs in flight that share keys then lock them in the same order and never deadlock.
    const rows = batch
      .flatMap((p) => p.events.map((e) => ({ p, e })))
      .sort((a, b) => compareKeys(keyOf(a.e.provider, a.e.eventId), keyOf(b.e.provider, b.e.eventId)));
    return db
      .insert(webhookInbox)
      .values(
        rows.map(({ p, e }) => ({
          provider: e.provider,
          eventId: e.eventId,
          accountId: e.accountId,
          entity: e.entity,
          entityId: e.entityId,
          operation: e.operation,
          occurredAt: e.occurredAt,
          payload: e.payload ?? {},
          ...(p.processedAt ? { processedAt: p.processedAt } : { attempts: 1 }),
        })),
      )
      .onConflictDoNothing({ target: [webhookInbox.provider, webhookInbox.eventId] })
      .returning({ id: webhookInbox.id, provider: webhookInbox.provider, eventId: webhookInbox.eventId });
  }

  function settle(batch: readonly Pending[], rows: readonly Inserted[]): void {
    const inserted = new Map(rows.map((r) => [keyOf(r.provider, r.eventId), r.id]));
    for (const p of batch) {
      const fresh: InboxEntry[] = [];
      for (const e of p.events) {
        const key = keyOf(e.provider, e.eventId);
        const id = inserted.get(key);
        // The first request in the batch that carried an event gets its row; a later one saw a duplicate.
        if (id) inserted.delete(key);
        if (id && !p.processedAt) fresh.push({ id, event: e });
      }
      p.resolve({ fresh, duplicates: p.events.length - fresh.length - (p.processedAt ? p.events.length : 0) });
    }
  }

  async function drain(): Promise<void> {
    // Let the requests whose bytes arrived in this turn of the event loop reach the queue first.
    await nextTurn();
    while (queue.length > 0) {
      let rows = 0;
      const take = queue.findIndex((p) => (rows += p.events.length) > maxBatchRows);
      const batch = take <= 0 ? queue : queue.slice(0, take);
      queue = take <= 0 ? [] : queue.slice(take);
      try {
        settle(batch, await insert(batch));
      } catch (err) {
        if (batch.length === 1) batch[0]?.reject(err);
        else
          for (const p of batch)
            await insert([p]).then(
              (r) => settle([p], r),
              (e: unknown) => p.reject(e),
            );
      }
      await nextTurn();
    }
  }

  return {
    /** Stores the events (or, with `processedAt`, stores them as already handled) once their batch commits. */
    record(events: readonly NormalizedWebhookEvent[], processedAt?: Date): Promise<RecordResult> {
      if (events.length === 0) return Promise.resolve({ fresh: [], duplicates: 0 });
      const done = new Promise<RecordResult>((resolve, reject) => queue.push({ events, processedAt, resolve, reject }));
      // A request arriving while every lane waits for its INSERT starts another lane, up to `concurrency`, so it
      // need not wait for a commit it is not part of.
      if (lanes.size < concurrency) {
        const lane: Promise<void> = drain().finally(() => lanes.delete(lane));
        lanes.add(lane);
      }
      return done;
    },
    /** Resolves once no insert is queued or running: acknowledgements go first, the work after them waits for this. */
    idle: async (): Promise<void> => {
      while (lanes.size > 0) await Promise.all(lanes);
    },
    /** Requests waiting for their batch to be stored. */
    waiting: (): number => queue.length,
  };
}

export type InboxWriter = ReturnType<typeof createInboxWriter>;

/**
 * Hands stored events over in batches: events stored while a hand-over runs wait and go together in the next, so
 * a burst costs one look-up and one update per provider, not per request. A hand-over starts only once no
 * acknowledgement waits for its insert (`before`): on the single in-process PGlite every statement blocks the
 * event loop, and the answers providers wait for must not queue behind the work that follows them. Past
 * `maxBatchRows` events waiting, it goes anyway, so a sustained burst cannot postpone it without bound.
 */
export function createInboxProcessor(
  db: Database,
  onEvents: InboxHandler,
  now: () => number,
  report: (r: ProcessResult) => void,
  fail: (err: unknown) => void,
  before: () => Promise<void> = async () => {},
) {
  let queue: InboxEntry[] = [];
  let running: Promise<void> | undefined;
  async function drain(): Promise<void> {
    await nextTurn();
    while (queue.length > 0) {
      if (queue.length < maxBatchRows) await before();
      const batch = queue;
      queue = [];
      await handle(db, batch, onEvents, now).then(report, fail);
      await nextTurn();
    }
  }
  return {
    add(entries: readonly InboxEntry[]): void {
      if (entries.length === 0) return;
      queue.push(...entries);
      running ??= drain().finally(() => (running = undefined));
    },
    /** Resolves once every event added so far has been handed over. */
    idle: async (): Promise<void> => {
      while (running) await running;
    },
  };
}

export interface ProcessResult {
  readonly processed: number;
  readonly failed: number;
}

/** Hands the claimed events over per provider and records the outcome on their rows. */
async function handle(
  db: Database,
  claimed: readonly InboxEntry[],
  onEvents: InboxHandler,
  now: () => number,
): Promise<ProcessResult> {
  const byProvider = new Map<ProviderKey, InboxEntry[]>();
  for (const r of claimed) {
    const entries = byProvider.get(r.event.provider);
    if (entries) entries.push(r);
    else byProvider.set(r.event.provider, [r]);
  }
  let processed = 0;
  let failed = 0;
  for (const [provider, entries] of byProvider) {
    const ids = entries.map((r) => r.id);
    try {
      await onEvents(
        provider,
        entries.map((r) => r.event),
      );
      await db
        .update(webhookInbox)
        .set({ processedAt: new Date(now()), lastError: null })
        .where(inArray(webhookInbox.id, ids));
      processed += entries.length;
    } catch (err) {
      await db
        .update(webhookInbox)
        .set({ lastError: err instanceof Error ? err.message : String(err) })
        .where(inArray(webhookInbox.id, ids));
      failed += entries.length;
    }
  }
  return { processed, failed };
}

export interface ProcessInboxOptions {
  readonly db: Database;
  readonly onEvents: InboxHandler;
  readonly now?: () => number;
  /** Leave rows this young to the request that stored them; default one minute. */
  readonly olderThanMs?: number;
  /** Give up on a row after this many attempts (it stays, with its last error); default 10. */
  readonly maxAttempts?: number;
  readonly limit?: number;
}

export async function processInbox(o: ProcessInboxOptions): Promise<ProcessResult> {
  const now = o.now ?? Date.now;
  const due = o.db
    .select({ id: webhookInbox.id })
    .from(webhookInbox)
    .where(
      and(
        isNull(webhookInbox.processedAt),
        lt(webhookInbox.attempts, o.maxAttempts ?? 10),
        lte(webhookInbox.receivedAt, new Date(now() - (o.olderThanMs ?? 60_000))),
      ),
    )
    .orderBy(asc(webhookInbox.receivedAt))
    .limit(o.limit ?? 100)
    .for('update', { skipLocked: true });
  const claimed = await o.db
    .update(webhookInbox)
    .set({ attempts: sql`${webhookInbox.attempts} + 1` })
    .where(inArray(webhookInbox.id, due))
    .returning();
  return handle(
    o.db,
    claimed.map((r) => ({ id: r.id, event: toEvent(r) })),
    o.onEvents,
    now,
  );
}

export async function inboxRow(db: Database, provider: ProviderKey, eventId: string): Promise<InboxRow | undefined> {
  const [row] = await db
    .select()
    .from(webhookInbox)
    .where(and(eq(webhookInbox.provider, provider), eq(webhookInbox.eventId, eventId)));
  return row;
}
