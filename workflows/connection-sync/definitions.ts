// The public contract of the connection-sync workflow: one long-lived run per connection, woken by webhooks,
// with a daily reconciliation sweep that re-reads the whole ledger and repairs what the change feed missed.
import * as wf from '@temporalio/workflow';

export interface ConnectionSyncInput {
  readonly connectionId: string;
  /** How long to wait between syncs when no webhook asks for one; default 15 minutes. */
  readonly intervalMs?: number;
  /** Sync passes per run before continuing as new (sooner when the server suggests it); default 200. */
  readonly passesPerRun?: number;
  /** How often the reconciliation sweep runs; default one day. */
  readonly sweepEveryMs?: number;
  /** Carried over continue-as-new: the page a sync pass was about to read, and a pending syncNow. */
  readonly pageCursor?: string;
  readonly syncNow?: boolean;
  /** Carried over continue-as-new: when the next sweep is due (epoch ms), a sweep under way, the last result. */
  readonly nextSweepAt?: number;
  readonly sweep?: SweepProgress;
  readonly lastReconciliation?: ReconciliationResult;
}

export interface SweepProgress {
  readonly pageCursor?: string;
  readonly scanned: number;
  readonly repaired: number;
}

/** One finished sweep: records re-read from the provider, and those missing or different here, now rewritten. */
export interface ReconciliationResult {
  readonly at: string;
  readonly scanned: number;
  readonly repaired: number;
}

export type SyncPhase = 'syncing' | 'reconciling' | 'idle' | 'waiting_for_reconnect';

export interface SyncStatus {
  readonly phase: SyncPhase;
  readonly passes: number;
  readonly pages: number;
  readonly lastError?: string;
  readonly lastReconciliation?: ReconciliationResult;
  readonly nextReconciliationAt?: string;
}

export type ConnectionSyncWorkflow = (input: ConnectionSyncInput) => Promise<void>;

export const syncNowSignal = wf.defineSignal('syncNow');
/** Sent after the owner reconnects (new tokens stored): the workflow resumes its cases and syncs at once. */
export const reconnectedSignal = wf.defineSignal('reconnected');
export const syncStatusQuery = wf.defineQuery<SyncStatus>('syncStatus');

/**
 * What asking for a sync now did: `started` (a pass begins at once), `already_running` (a pass is under way; no
 * second one is started), `already_requested` (one was asked for and is about to begin), `needs_reconnect`.
 */
export type SyncRequestOutcome = 'started' | 'already_running' | 'already_requested' | 'needs_reconnect';
/** The owner's "Sync now": idempotent, unlike syncNow (a webhook's), which also queues a pass behind a running one. */
export const requestSyncUpdate = wf.defineUpdate<SyncRequestOutcome>('requestSync');

/** Failure types the workflow branches on (activities/failures.ts produces them; workflows/failure-types.ts lists them). */
export { authFailureType, disconnectedFailureType } from '../failure-types.js';

export const connectionSyncWorkflowId = (connectionId: string) => `sync/${connectionId}`;
export const defaultSyncIntervalMs = 15 * 60_000;
export const defaultPassesPerRun = 200;
export const defaultSweepEveryMs = 24 * 60 * 60_000;
