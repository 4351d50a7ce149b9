// One long-lived sync per connection: drain the change feed page by page, hand the case actions to the case
// starter, then sleep until a webhook asks (syncNow) or the interval passes. Once a day the pass is a
// reconciliation sweep instead: a full re-read that repairs what the feed missed, leaving the feed's cursor
// where it was. A lost grant parks the loop until the owner reconnects; everything else is retried by the
// activity policy and, failing that, next pass. Every policy has an attempt limit (README "What is retried").
import * as wf from '@temporalio/workflow';
import type { SyncActivities } from './activities.js';
import { nonRetryableFailureTypes } from '../failure-types.js';
import {
  authFailureType,
  defaultPassesPerRun,
  defaultSweepEveryMs,
  defaultSyncIntervalMs,
  disconnectedFailureType,
  reconnectedSignal,
  requestSyncUpdate,
  syncNowSignal,
  syncStatusQuery,
  type ConnectionSyncInput,
  type ReconciliationResult,
  type SweepProgress,
  type SyncPhase,
} from './definitions.js';

const nonRetryableErrorTypes = [...nonRetryableFailureTypes];
// A page: 8 attempts over about 10 minutes (5 s doubling to 5 minutes); after that the pass fails and the next
// one, an interval later, starts again from the stored checkpoint.
const pages = wf.proxyActivities<SyncActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes,
  },
});
// Status changes (our own database, and signals to the cases) must ride out an outage: 300 attempts, about a day
// (2 s doubling to one try every 5 minutes). Past that the sync logs it and carries on rather than failing.
const status = wf.proxyActivities<SyncActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 300,
    nonRetryableErrorTypes,
  },
});

// Runs begun before the sweep existed replay without it; the run they continue as sweeps.
const sweepPatch = 'daily-reconciliation-sweep';
// Runs begun before it apply a page's case actions in an activity of their own (a workflow task and a dispatch
// after the page); the runs they continue as apply them in the page's activity.
const applyWithPagePatch = 'case-actions-applied-with-page';

type PassOutcome = 'drained' | 'yield' | 'broken' | 'failed' | 'disconnected';

function failureOf(err: unknown): { type?: string; message: string } {
  const cause = err instanceof wf.ActivityFailure ? err.cause : err;
  return cause instanceof wf.ApplicationFailure
    ? { type: cause.type ?? undefined, message: cause.message }
    : { message: err instanceof Error ? err.message : String(err) };
}

export async function connectionSyncWorkflow(input: ConnectionSyncInput): Promise<void> {
  const { connectionId } = input;
  const intervalMs = input.intervalMs ?? defaultSyncIntervalMs;
  const sweepEveryMs = input.sweepEveryMs ?? defaultSweepEveryMs;
  const sweeps = wf.patched(sweepPatch);
  const applyWithPage = wf.patched(applyWithPagePatch);
  let syncNow = input.syncNow ?? false;
  let reconnected = false;
  let pageCursor = input.pageCursor;
  let nextSweepAt = input.nextSweepAt ?? Date.now() + sweepEveryMs;
  let sweep: SweepProgress | undefined = input.sweep;
  let lastReconciliation: ReconciliationResult | undefined = input.lastReconciliation;
  let phase: SyncPhase = 'idle';
  let lastError: string | undefined;
  let passes = 0;
  let pageCount = 0;

  wf.setHandler(syncNowSignal, () => void (syncNow = true));
  wf.setHandler(reconnectedSignal, () => void (reconnected = true));
  wf.setHandler(requestSyncUpdate, () => {
    if (phase === 'waiting_for_reconnect') return 'needs_reconnect';
    if (phase !== 'idle') return 'already_running';
    if (syncNow) return 'already_requested';
    syncNow = true;
    return 'started';
  });
  wf.setHandler(syncStatusQuery, () => ({
    phase,
    passes,
    pages: pageCount,
    ...(lastError !== undefined && { lastError }),
    ...(lastReconciliation && { lastReconciliation }),
    ...(sweeps && { nextReconciliationAt: new Date(nextSweepAt).toISOString() }),
  }));

  async function failed(err: unknown): Promise<PassOutcome> {
    if (wf.isCancellation(err)) throw err;
    const failure = failureOf(err);
    lastError = failure.message;
    if (failure.type === authFailureType) return 'broken';
    if (failure.type === disconnectedFailureType) return 'disconnected';
    wf.log.warn('sync pass failed', { connectionId, type: failure.type, message: failure.message });
    await settled('record the sync failure', () =>
      status.recordSyncFailure({ connectionId, message: failure.message }),
    );
    return 'failed';
  }

  /** Runs a status activity; one that ran out of attempts (a day-long outage) is logged, never fatal to the sync. */
  async function settled(what: string, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      wf.log.error(`could not ${what}`, { connectionId, message: failureOf(err).message });
      return false;
    }
  }

  /** Stores the next page of the feed and applies its case actions; returns the page after it. */
  async function feedPage(): Promise<string | undefined> {
    const input = { connectionId, ...(pageCursor !== undefined && { pageCursor }) };
    if (applyWithPage) return (await pages.syncAndApplyPage(input)).nextPageCursor;
    const page = await pages.syncPage(input);
    if (page.actions.length > 0) await pages.applyCaseActions({ connectionId, actions: page.actions });
    return page.nextPageCursor;
  }

  async function pass(): Promise<PassOutcome> {
    try {
      do {
        const next = await feedPage();
        pageCount++;
        pageCursor = next;
        if (pageCursor !== undefined && wf.workflowInfo().continueAsNewSuggested) return 'yield';
      } while (pageCursor !== undefined);
      lastError = undefined;
      return 'drained';
    } catch (err) {
      // The stored checkpoint is where the next pass resumes; a page cursor may be what failed.
      pageCursor = undefined;
      return failed(err);
    }
  }

  async function sweepPass(): Promise<PassOutcome> {
    let progress = sweep ?? { scanned: 0, repaired: 0 };
    if (!sweep) nextSweepAt = Date.now() + sweepEveryMs;
    sweep = undefined; // set again only to hand a sweep under way to the next run
    try {
      do {
        const page = await pages.sweepPage({
          connectionId,
          ...(progress.pageCursor !== undefined && { pageCursor: progress.pageCursor }),
        });
        if (page.actions.length > 0) await pages.applyCaseActions({ connectionId, actions: page.actions });
        pageCount++;
        progress = {
          scanned: progress.scanned + page.scanned,
          repaired: progress.repaired + page.repaired,
          ...(page.nextPageCursor !== undefined && { pageCursor: page.nextPageCursor }),
        };
        if (progress.pageCursor !== undefined && wf.workflowInfo().continueAsNewSuggested) {
          sweep = progress;
          return 'yield';
        }
      } while (progress.pageCursor !== undefined);
      const result = { at: new Date(Date.now()).toISOString(), scanned: progress.scanned, repaired: progress.repaired };
      await status.recordReconciliation({ connectionId, result });
      wf.log.info('reconciliation sweep finished', { connectionId, ...result });
      lastReconciliation = result;
      lastError = undefined;
      return 'drained';
    } catch (err) {
      // Not retried before tomorrow's: re-reading the whole ledger every interval would spend the provider's rate limit.
      return failed(err);
    }
  }

  /** False when the connection could not even be marked broken: then the next pass tries again. */
  async function awaitReconnect(reason: string): Promise<boolean> {
    phase = 'waiting_for_reconnect';
    reconnected = false; // set before the activity: a reconnect during it still counts
    if (!(await settled('mark the connection broken', () => status.markConnectionBroken({ connectionId, reason }))))
      return false;
    await wf.condition(() => reconnected);
    // The reconnect itself resumes the cases too (src/services/sync/lifecycle.ts), so a failure here is not fatal.
    await settled('mark the connection restored', () => status.markConnectionRestored({ connectionId }));
    lastError = undefined;
    return true;
  }

  async function idle(): Promise<void> {
    if (!sweeps) return void (await wf.condition(() => syncNow, intervalMs));
    const untilSweep = nextSweepAt - Date.now();
    if (untilSweep > 0) await wf.condition(() => syncNow, Math.min(intervalMs, untilSweep));
  }

  const passesPerRun = input.passesPerRun ?? defaultPassesPerRun;
  while (passes < passesPerRun && !wf.workflowInfo().continueAsNewSuggested) {
    const sweeping = sweeps && (sweep !== undefined || Date.now() >= nextSweepAt);
    phase = sweeping ? 'reconciling' : 'syncing';
    if (!sweeping) syncNow = false;
    const outcome = sweeping ? await sweepPass() : await pass();
    passes++;
    if (outcome === 'disconnected') return;
    if (outcome === 'yield') {
      if (!sweeping) syncNow = true;
      break;
    }
    if (outcome === 'broken' && (await awaitReconnect(lastError ?? 'authorisation failed'))) {
      continue; // sync straight away with the new grant
    }
    phase = 'idle';
    await idle();
  }
  await wf.condition(wf.allHandlersFinished);
  await wf.continueAsNew<typeof connectionSyncWorkflow>({
    connectionId,
    intervalMs,
    passesPerRun,
    syncNow,
    ...(pageCursor !== undefined && { pageCursor }),
    ...(sweeps && {
      sweepEveryMs,
      nextSweepAt,
      ...(sweep && { sweep }),
      ...(lastReconciliation && { lastReconciliation }),
    }),
  });
}
