// pullChanges: a paged backfill of every object, then the Events API as the change feed. Events only
// say *which* objects changed; each one is re-read, because events arrive late, twice and out of order.
import { z } from 'zod';
import type { ChangeBatch } from '../types.js';
import { IntegrationError } from '../errors.js';
import type { StripeClient } from './client.js';
import {
  backfillStages,
  decodeCursor,
  encodeCursor,
  feedPosition,
  positionTime,
  type FeedStart,
  type SyncPosition,
} from './cursor.js';
import { syncedEventTypes } from './events.js';
import { stripeLimits } from './limits.js';
import { emptyChangeSet, type ChangeSet, type StripeReader } from './reader.js';
import { StripeEvent, StripeInvoice, StripeInvoicePayment } from './schemas.js';

export interface SyncDeps {
  readonly client: StripeClient;
  readonly reader: StripeReader;
  readonly now: () => number;
  /** Most objects one backfill batch reads (the SDK pages through them 100 at a time). */
  readonly batchSize: number;
}

type Backfill = Extract<SyncPosition, { kind: 'backfill' }>;
type EventsAfter = Extract<SyncPosition, { kind: 'events' }>;
type EventsSince = Extract<SyncPosition, { kind: 'events_since' }>;

// Events may become listable a little after their `created` second, and our clock is not Stripe's:
// time-based positions keep this much overlap. Re-reading an object twice is harmless; missing one is not.
const settleSeconds = 300;
// Leave headroom before Stripe prunes the events a cursor still needs.
const retentionHeadroomSeconds = 3600;
// An event cursor on a quiet account is swapped for a time position before its event gets old.
const idleCursorMaxAgeSeconds = 7 * 24 * 3600;
const types = [...syncedEventTypes];

const nowSeconds = (d: SyncDeps) => Math.floor(d.now() / 1000);
const expired = (d: SyncDeps, at: number) =>
  nowSeconds(d) - at > stripeLimits.eventRetentionSeconds - retentionHeadroomSeconds;

function batch(
  changes: ChangeSet,
  checkpoint: SyncPosition,
  next: SyncPosition | undefined,
  backfill: boolean,
): ChangeBatch {
  return {
    ...changes,
    checkpoint: encodeCursor(checkpoint),
    ...(next && { nextCursor: encodeCursor(next) }),
    backfill,
  };
}

async function newestEvent(d: SyncDeps): Promise<StripeEvent | undefined> {
  const page = await d.client.call((s, o) => s.events.list({ types, limit: 1 }, o));
  const first = page.data[0];
  return first ? StripeEvent.parse(first) : undefined;
}

async function startBackfill(d: SyncDeps): Promise<ChangeBatch> {
  const newest = await newestEvent(d);
  const feed: FeedStart =
    newest && !expired(d, newest.created)
      ? { eventId: newest.id, at: newest.created }
      : { since: nowSeconds(d) - settleSeconds };
  return backfillStep(d, { v: 1, kind: 'backfill', stage: 'invoices', feed });
}

function afterStage(p: Backfill): SyncPosition {
  const next = backfillStages[backfillStages.indexOf(p.stage) + 1];
  return next ? { v: 1, kind: 'backfill', stage: next, feed: p.feed } : feedPosition(p.feed);
}

async function backfillStep(d: SyncDeps, p: Backfill): Promise<ChangeBatch> {
  const page = await d.reader.page(p.stage, p.after, d.batchSize);
  const next: SyncPosition = page.exhausted ? afterStage(p) : { ...p, after: page.lastId };
  const done = batch(page.changes, next, next, true);
  return next.kind === 'backfill' ? done : { ...done, nextIsFeed: true };
}

const InvoiceLink = z.object({
  invoice: z.union([z.string(), z.object({ id: z.string() })]).transform((v) => (typeof v === 'string' ? v : v.id)),
});

interface Target {
  readonly kind: 'invoice' | 'payment' | 'credit_note' | 'dispute';
  readonly id: string;
  /** Last state the event carried: all that is left of a deleted draft invoice. */
  readonly snapshot?: unknown;
  /** A dispute's PaymentIntent, as its event named it (it never changes). */
  readonly paymentIntent?: string;
}

const DisputeIntent = z.object({ payment_intent: z.string().nullable().optional() });

function targetsOf(events: readonly StripeEvent[]): Target[] {
  const found = new Map<string, Target>();
  const add = (t: Target) => found.set(`${t.kind}:${t.id}`, t);
  const linkedInvoice = (obj: unknown) => {
    const link = InvoiceLink.safeParse(obj);
    if (link.success) add({ kind: 'invoice', id: link.data.invoice });
  };
  for (const { data } of events) {
    const obj = data.object;
    if (obj.object === 'invoice') add({ kind: 'invoice', id: obj.id, snapshot: obj });
    if (obj.object === 'invoice_payment') add({ kind: 'payment', id: obj.id });
    if (obj.object === 'credit_note') add({ kind: 'credit_note', id: obj.id });
    if (obj.object === 'dispute') {
      const intent = DisputeIntent.safeParse(obj);
      const paymentIntent = intent.success ? intent.data.payment_intent : undefined;
      add({ kind: 'dispute', id: obj.id, ...(paymentIntent && { paymentIntent }) });
    }
    // A payment or credit note changes what its invoice still asks for, whatever events say.
    if (obj.object === 'invoice_payment' || obj.object === 'credit_note') linkedInvoice(obj);
  }
  return [...found.values()];
}

async function readInvoice(d: SyncDeps, t: Target, into: ChangeSet): Promise<void> {
  const invoice = await d.reader.invoice(t.id);
  if (invoice) return void into.invoices.push(invoice);
  // Only drafts can be deleted; the event snapshot is the last state there is.
  const last = StripeInvoice.safeParse(t.snapshot);
  if (!last.success) return;
  into.invoices.push(d.reader.mapDeletedInvoice(last.data));
}

async function reread(d: SyncDeps, events: readonly StripeEvent[]): Promise<ChangeSet> {
  const into = emptyChangeSet();
  // A paid InvoicePayment's snapshot already says which invoice its PaymentIntent paid: a dispute of that payment
  // read in this same pass needs no look-up of its own.
  for (const { data } of events) {
    const payment = data.object.object === 'invoice_payment' ? StripeInvoicePayment.safeParse(data.object) : undefined;
    if (payment?.success) d.reader.rememberInvoiceLink(payment.data);
  }
  const push =
    <T>(list: T[]) =>
    (v: T | null) =>
      void (v && list.push(v));
  await Promise.all(
    targetsOf(events).map((t) => {
      switch (t.kind) {
        case 'invoice':
          return readInvoice(d, t, into);
        case 'payment':
          return d.reader.payment(t.id).then(push(into.payments));
        case 'credit_note':
          return d.reader.creditNote(t.id).then(push(into.creditNotes));
        case 'dispute':
          return d.reader.dispute(t.id, t.paymentIntent).then(push(into.disputes));
      }
    }),
  );
  return into;
}

/** Nothing newer exists right now: move the position to "recently", so a quiet account never goes stale. */
const idle = (d: SyncDeps, from: number): EventsSince => ({
  v: 1,
  kind: 'events_since',
  since: Math.max(from, nowSeconds(d) - settleSeconds),
});

async function eventsAfter(d: SyncDeps, p: EventsAfter): Promise<ChangeBatch> {
  let page;
  try {
    page = await d.client.call((s, o) =>
      s.events.list({ types, ending_before: p.after, limit: stripeLimits.listPageSize }, o),
    );
  } catch (e) {
    // Our cursor event has been pruned: the feed has a gap only a backfill can close.
    if (e instanceof IntegrationError && e.kind === 'not_found') return startBackfill(d);
    throw e;
  }
  const events = page.data.map((e) => StripeEvent.parse(e)); // newest first
  const newest = events[0];
  if (!newest) {
    const stillFresh = nowSeconds(d) - p.at < idleCursorMaxAgeSeconds;
    return batch(emptyChangeSet(), stillFresh ? p : idle(d, p.at - 1), undefined, false);
  }
  const next: SyncPosition = { v: 1, kind: 'events', after: newest.id, at: newest.created };
  return batch(await reread(d, events), next, page.has_more ? next : undefined, false);
}

async function eventsSince(d: SyncDeps, p: EventsSince): Promise<ChangeBatch> {
  const page = await d.client.call((s, o) =>
    s.events.list(
      {
        types,
        created: { gt: p.since },
        limit: stripeLimits.listPageSize,
        ...(p.startingAfter && { starting_after: p.startingAfter }),
      },
      o,
    ),
  );
  const events = page.data.map((e) => StripeEvent.parse(e)); // newest first: we walk back towards `since`
  const first = events[0];
  const newest = p.newest ?? (first && { id: first.id, at: first.created });
  const changes = await reread(d, events);
  const last = events.at(-1);
  if (page.has_more && last) {
    // Until the walk reaches `since`, resuming must redo it from the start.
    return batch(
      changes,
      { v: 1, kind: 'events_since', since: p.since },
      { ...p, startingAfter: last.id, ...(newest && { newest }) },
      false,
    );
  }
  const done: SyncPosition = newest ? { v: 1, kind: 'events', after: newest.id, at: newest.at } : idle(d, p.since);
  return batch(changes, done, undefined, false);
}

export async function pullStripeChanges(
  d: SyncDeps,
  input: { cursor?: string; pageCursor?: string },
): Promise<ChangeBatch> {
  const from = input.pageCursor ?? input.cursor;
  if (!from) return startBackfill(d);
  const position = decodeCursor(from);
  const at = positionTime(position);
  if (at !== undefined && expired(d, at)) return startBackfill(d);
  switch (position.kind) {
    case 'backfill':
      return backfillStep(d, position);
    case 'events':
      return eventsAfter(d, position);
    case 'events_since':
      return eventsSince(d, position);
  }
}
