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

/** Returns the ids of the events not seen before; the others are duplicates of earlier deliveries. */
/** `processedAt` stores the events as already handled: kept for the record, never handed to onEvents (ignored events). */
export async function recordEvents(
  db: Database,
  events: readonly NormalizedWebhookEvent[],
  processedAt?: Date,
): Promise<{ fresh: string[]; duplicates: number }> {
  if (events.length === 0) return { fresh: [], duplicates: 0 };
  const rows = await db
    .insert(webhookInbox)
    .values(
      events.map((e) => ({
        provider: e.provider,
        eventId: e.eventId,
        accountId: e.accountId,
        entity: e.entity,
        entityId: e.entityId,
        operation: e.operation,
        occurredAt: e.occurredAt,
        payload: e.payload ?? {},
        ...(processedAt && { processedAt }),
      })),
    )
    .onConflictDoNothing({ target: [webhookInbox.provider, webhookInbox.eventId] })
    .returning({ id: webhookInbox.id });
  return { fresh: rows.map((r) => r.id), duplicates: events.length - rows.length };
}

export interface ProcessResult {
  readonly processed: number;
  readonly failed: number;
}

/** Claims the rows (attempts + 1) so that concurrent processors skip them, then hands them over per provider. */
async function handle(
  db: Database,
  claimed: readonly InboxRow[],
  onEvents: InboxHandler,
  now: () => number,
): Promise<ProcessResult> {
  const byProvider = new Map<ProviderKey, InboxRow[]>();
  for (const r of claimed)
    byProvider.set(r.provider as ProviderKey, [...(byProvider.get(r.provider as ProviderKey) ?? []), r]);
  let processed = 0;
  let failed = 0;
  for (const [provider, rows] of byProvider) {
    const ids = rows.map((r) => r.id);
    try {
      await onEvents(provider, rows.map(toEvent));
      await db
        .update(webhookInbox)
        .set({ processedAt: new Date(now()), lastError: null })
        .where(inArray(webhookInbox.id, ids));
      processed += rows.length;
    } catch (err) {
      await db
        .update(webhookInbox)
        .set({ lastError: err instanceof Error ? err.message : String(err) })
        .where(inArray(webhookInbox.id, ids));
      failed += rows.length;
    }
  }
  return { processed, failed };
}

export async function processEvents(
  db: Database,
  ids: readonly string[],
  onEvents: InboxHandler,
  now: () => number = Date.now,
): Promise<ProcessResult> {
  if (ids.length === 0) return { processed: 0, failed: 0 };
  const claimed = await db
    .update(webhookInbox)
    .set({ attempts: sql`${webhookInbox.attempts} + 1` })
    .where(and(inArray(webhookInbox.id, [...ids]), isNull(webhookInbox.processedAt)))
    .returning();
  return handle(db, claimed, onEvents, now);
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
  return handle(o.db, claimed, o.onEvents, now);
}

export async function inboxRow(db: Database, provider: ProviderKey, eventId: string): Promise<InboxRow | undefined> {
  const [row] = await db
    .select()
    .from(webhookInbox)
    .where(and(eq(webhookInbox.provider, provider), eq(webhookInbox.eventId, eventId)));
  return row;
}
