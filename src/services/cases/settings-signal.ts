// Settings the owner saves reach the cases already open: each running case of the organisation is signalled the
// new profile (organisationSettingsSignal), and its letters drafted and deadlines computed from then on use it.
// The signal carries the Settings revision, so sending it again (a retried delivery, two servers racing) changes
// nothing a case already has.
//
// Each case row records the revision its workflow has (cases.settings_revision: the one it started with, or the
// newest Temporal accepted a signal of), so a delivery and the sweep signal only the cases that miss the current
// one. Only a signal Temporal accepted is recorded: a case whose workflow is not found (still starting, or gone)
// records nothing, and the starter passes newer Settings on once it has started the workflow (starter.ts). The save itself only commits the Settings: the server passes them on in the background (createSettingsDelivery),
// one delivery at a time per organisation, a newer save superseding the one in flight. A Temporal that does not
// answer a batch within the call timeout stops the delivery at once and leaves the rest owed to the sweep, which
// the server runs at start and every 5 minutes. Cases are read a page at a time and signalled a batch at a time, so
// an organisation with thousands of open cases neither loads them all nor opens thousands of calls at once.
import type { WorkflowClient } from '@temporalio/client';
import { isGrpcDeadlineError, isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { and, asc, count, eq, exists, gt, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { cases, organisations } from '../db/schema.js';
import { organisationSettingsSignal } from '../../../workflows/dispute-case/definitions.js';
import { recordSettingsRevision } from './claim.js';
import { organisationProfile } from './input.js';
import { closedStatuses } from './records.js';

export interface SettingsSignalResult {
  /** Open cases that received the settings. */
  readonly signalled: number;
  /**
   * Cases whose workflow Temporal did not find (not started yet, or finished): nothing is recorded for them. A case
   * still starting is signalled by its starter once its workflow runs; any other stays owed to the sweep.
   */
  readonly finished: number;
  /** Cases the signal could not reach (Temporal refused or was unreachable); they stay owed to the sweep. */
  readonly failed: number;
}

export interface DeliveryResult extends SettingsSignalResult {
  /** The revision delivered. */
  readonly revision: number;
  /** Temporal answered none of a batch: the delivery stopped there, and the rest is owed to the sweep. */
  readonly unreachable: boolean;
  /** ...because Temporal could not be reached at all (connection or deadline): other organisations would fail too. */
  readonly temporalDown: boolean;
  /** A newer save (or the server stopping) ended this delivery between two batches, leaving the rest owed. */
  readonly superseded: boolean;
}

export interface SettingsSignalOptions {
  /** Cases read per page. */
  readonly pageSize?: number;
  /** Signals in flight at once. */
  readonly batchSize?: number;
  /** How long Temporal has to accept one batch of signals (the client's own retries included). */
  readonly callTimeoutMs?: number;
  readonly log?: { warn(obj: object, msg: string): void; info?(obj: object, msg: string): void };
}

type Workflows = Pick<WorkflowClient, 'getHandle' | 'withDeadline'>;

const openCase = notInArray(cases.status, [...closedStatuses]);

/**
 * Signals the organisation's current Settings (revision and profile, read from the database) to each of its open
 * cases whose row records an older revision, and records each case reached. A case still starting is signalled
 * too: its workflow may have read the settings before they were saved. `superseded` is asked between batches.
 */
export async function signalSettingsToOpenCases(
  db: Database,
  workflows: Workflows,
  organisationId: string,
  { pageSize = 200, batchSize = 20, callTimeoutMs = 5_000, log }: SettingsSignalOptions = {},
  superseded: () => boolean = () => false,
): Promise<DeliveryResult> {
  await markDelivering(db, organisationId);
  const organisation = await organisationProfile(db, organisationId);
  const revision = organisation.settingsRevision ?? 0;
  const change = { revision, organisation };
  let signalled = 0;
  let finished = 0;
  let failed = 0;
  const result = (over: Partial<DeliveryResult> = {}): DeliveryResult => ({
    revision,
    signalled,
    finished,
    failed,
    unreachable: false,
    temporalDown: false,
    superseded: false,
    ...over,
  });
  let after = '';
  for (;;) {
    const page = await db
      .select({ id: cases.id, workflowId: cases.workflowId })
      .from(cases)
      .where(
        and(
          eq(cases.organisationId, organisationId),
          openCase,
          lt(cases.settingsRevision, revision),
          ...(after ? [gt(cases.id, after)] : []),
        ),
      )
      .orderBy(asc(cases.id))
      .limit(pageSize);
    for (let i = 0; i < page.length; i += batchSize) {
      if (superseded()) return result({ superseded: true });
      const batch = page.slice(i, i + batchSize);
      // A deadline over the whole batch bounds the client's own retries: a Temporal that is down fails it fast.
      const results = await workflows.withDeadline(Date.now() + callTimeoutMs, () =>
        Promise.allSettled(
          batch.map((row) => workflows.getHandle(row.workflowId).signal(organisationSettingsSignal, change)),
        ),
      );
      const reached: string[] = [];
      const refused: { caseId: string; err: unknown }[] = [];
      results.forEach((r, j) => {
        const row = batch[j]!;
        if (r.status === 'fulfilled') {
          signalled++;
          reached.push(row.id);
        } else if (r.reason instanceof WorkflowNotFoundError) finished++;
        else {
          failed++;
          refused.push({ caseId: row.id, err: r.reason });
        }
      });
      // Temporal answered none of a batch: the rest would wait just as long. They stay owed to the sweep.
      if (refused.length === batch.length) {
        log?.warn(
          { err: refused[0]?.err, organisationId, revision, cases: refused.length },
          'Temporal did not take the settings signals; the open cases still owed them wait for the sweep',
        );
        await markUndelivered(db, organisationId);
        return result({ unreachable: true, temporalDown: refused.every(({ err }) => temporalDown(err)) });
      }
      for (const { caseId, err } of refused) log?.warn({ err, caseId }, 'settings not signalled to an open case');
      if (reached.length > 0)
        await db
          .update(cases)
          .set({ settingsRevision: sql`greatest(${cases.settingsRevision}, ${revision})` })
          .where(inArray(cases.id, reached));
      await markDelivering(db, organisationId);
    }
    if (page.length < pageSize) break;
    after = page.at(-1)!.id;
  }
  if (failed > 0) await markUndelivered(db, organisationId);
  else
    await db
      .update(organisations)
      .set({
        settingsUndeliveredAt: null,
        settingsDeliveringAt: null,
        // For a process of the previous release during a rolling upgrade: its sweep reads this, not the case rows.
        settingsDeliveredRevision: sql`greatest(${organisations.settingsDeliveredRevision}, ${revision})`,
      })
      .where(eq(organisations.id, organisationId));
  return result();
}

/** gRPC codes CANCELLED, DEADLINE_EXCEEDED and UNAVAILABLE. */
const noAnswer: readonly number[] = [1, 4, 14];

/** The call never got an answer from Temporal (no connection, or the batch deadline passed), as opposed to a refusal. */
function temporalDown(err: unknown): boolean {
  if (isGrpcDeadlineError(err)) return true;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e)) return noAnswer.includes(e.code);
  }
  return true; // no answer from Temporal at all
}

/** Some open case was not reached: the page says so, and no delivery is running for it any more. */
const markUndelivered = (db: Database, organisationId: string) =>
  db
    .update(organisations)
    .set({ settingsUndeliveredAt: new Date(), settingsDeliveringAt: null })
    .where(eq(organisations.id, organisationId));

/** A delivery is running for the organisation (the Settings page says "Reaching…" while this is recent). */
const markDelivering = (db: Database, organisationId: string) =>
  db.update(organisations).set({ settingsDeliveringAt: new Date() }).where(eq(organisations.id, organisationId));

/** A delivery stopped (the server closing) or failed: nothing is reaching the cases it left owed until the sweep. */
const markNotDelivering = (db: Database, organisationId: string) =>
  db.update(organisations).set({ settingsDeliveringAt: null }).where(eq(organisations.id, organisationId));

/** How long after its last sign of life a delivery counts as running: a batch is bounded by the call timeout. */
export const deliveringWithinMs = 60_000;

/**
 * After the starter started (or joined) a case's workflow: Settings saved while the case was starting found no
 * workflow to signal and recorded nothing, so the workflow is signalled the current profile if it is newer than the
 * revision it is known to have (`known`), and the row records it once Temporal accepted the signal (the workflow
 * ignores a revision it already has). A signal that fails leaves the case owed to the sweep; the start stands.
 */
export async function passOnNewerSettings(
  db: Database,
  workflows: Pick<WorkflowClient, 'getHandle'>,
  row: { readonly id: string; readonly workflowId: string },
  organisationId: string,
  known: number,
  log?: { warn(obj: object, msg: string): void },
): Promise<void> {
  const current = await organisationProfile(db, organisationId);
  const revision = current.settingsRevision ?? 0;
  if (revision <= known) return;
  try {
    await workflows.getHandle(row.workflowId).signal(organisationSettingsSignal, { revision, organisation: current });
  } catch (err) {
    log?.warn({ err, caseId: row.id, revision }, 'settings not signalled to a case just started; the sweep sends them');
    return;
  }
  await recordSettingsRevision(db, row.id, revision);
}

/** Where the organisation's open cases stand against its saved Settings, for the Settings page. */
export interface SettingsDeliveryStatus {
  /** Open cases (a case still starting included). */
  readonly open: number;
  /** Open cases whose workflow has not been given the current revision yet. */
  readonly owed: number;
  /** The last delivery stopped with cases unreached (Temporal down or refusing): they wait for the sweep. */
  readonly undeliveredAt: Date | null;
  /** A delivery showed it is running within the last deliveringWithinMs (saved just now, or a batch answered). */
  readonly delivering: boolean;
}

export async function settingsDeliveryStatus(db: Database, organisationId: string): Promise<SettingsDeliveryStatus> {
  const [row] = await db
    .select({
      open: count(cases.id),
      owed: sql<number>`count(${cases.id}) filter (where ${cases.settingsRevision} < ${organisations.settingsRevision})`.mapWith(
        Number,
      ),
      undeliveredAt: organisations.settingsUndeliveredAt,
      delivering: sql<boolean>`coalesce(${organisations.settingsDeliveringAt} > now() - make_interval(secs => ${deliveringWithinMs / 1000}), false)`,
    })
    .from(organisations)
    .leftJoin(cases, and(eq(cases.organisationId, organisations.id), openCase))
    .where(eq(organisations.id, organisationId))
    .groupBy(organisations.id);
  return { open: 0, owed: 0, undeliveredAt: null, delivering: false, ...row };
}

/** Organisations with an open case whose row records an older Settings revision than the organisation's. */
export async function organisationsOwedSettings(db: Database): Promise<string[]> {
  const rows = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(
      exists(
        db
          .select({ one: sql`1` })
          .from(cases)
          .where(
            and(
              eq(cases.organisationId, organisations.id),
              openCase,
              lt(cases.settingsRevision, organisations.settingsRevision),
            ),
          ),
      ),
    )
    .orderBy(asc(organisations.id));
  return rows.map((r) => r.id);
}

export interface SweepResult extends SettingsSignalResult {
  /** Organisations some open case was owed Settings by. */
  readonly organisations: number;
  /** The sweep stopped at an organisation whose cases Temporal did not answer; the rest wait for the next one. */
  readonly unreachable: boolean;
}

export interface SettingsDelivery {
  /**
   * Passes the organisation's current Settings on to its open cases in the background and returns at once. A
   * delivery already running for the organisation stops at its next batch and starts over with the newer save.
   * The promise (for tests and logs) never rejects.
   */
  deliver(organisationId: string): Promise<DeliveryResult | undefined>;
  /**
   * Sends saved Settings to the open cases still owed them (a delivery Temporal did not answer, or a server that
   * stopped mid-way), one organisation at a time, joining a delivery already running; stops when Temporal does not
   * answer at all (the connection or the batch deadline failed), and goes on past an organisation whose own cases
   * Temporal refused.
   */
  sweep(): Promise<SweepResult>;
  /**
   * Stops every delivery at its next batch and waits for them; what is left is owed to the next sweep, and the
   * Settings page no longer says it is being reached.
   */
  close(): Promise<void>;
}

export function createSettingsDelivery(
  db: Database,
  workflows: Workflows,
  options: SettingsSignalOptions = {},
): SettingsDelivery {
  const running = new Map<string, { again: boolean; done: Promise<DeliveryResult | undefined> }>();
  let closing = false;

  function start(organisationId: string): Promise<DeliveryResult | undefined> {
    const entry = { again: false, done: Promise.resolve<DeliveryResult | undefined>(undefined) };
    entry.done = (async () => {
      try {
        // Bounded: one more pass per newer save that arrived during the last one, none once closing.
        for (;;) {
          entry.again = false;
          const r = await signalSettingsToOpenCases(
            db,
            workflows,
            organisationId,
            options,
            () => entry.again || closing,
          );
          if (!entry.again || closing) {
            if (r.superseded) await markNotDelivering(db, organisationId);
            options.log?.info?.({ organisationId, ...r }, 'settings passed on to open cases');
            return r;
          }
        }
      } catch (err) {
        options.log?.warn({ err, organisationId }, 'settings delivery failed; the sweep sends them again');
        await markNotDelivering(db, organisationId).catch((e: unknown) =>
          options.log?.warn({ err: e, organisationId }, 'could not record that the settings delivery stopped'),
        );
        return undefined;
      } finally {
        running.delete(organisationId);
      }
    })();
    running.set(organisationId, entry);
    return entry.done;
  }

  return {
    deliver(organisationId) {
      if (closing) return Promise.resolve(undefined);
      const current = running.get(organisationId);
      if (!current) return start(organisationId);
      current.again = true;
      return current.done;
    },
    async sweep() {
      const total = { organisations: 0, signalled: 0, finished: 0, failed: 0, unreachable: false };
      for (const id of await organisationsOwedSettings(db)) {
        if (closing) break;
        total.organisations++;
        const r = await (running.get(id)?.done ?? start(id));
        if (!r) continue;
        total.signalled += r.signalled;
        total.finished += r.finished;
        total.failed += r.failed;
        if (r.unreachable) total.unreachable = true;
        // Temporal not answering at all would fail the next organisation just the same; one whose own cases it
        // refused says nothing of the others.
        if (r.temporalDown) break;
      }
      return total;
    },
    async close() {
      closing = true;
      await Promise.all([...running.values()].map((e) => e.done));
    },
  };
}
