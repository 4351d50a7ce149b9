// The public contract of the connection-sync workflow: one long-lived run per connection, woken by webhooks.
import * as wf from '@temporalio/workflow';

export interface ConnectionSyncInput {
  readonly connectionId: string;
  /** How long to wait between syncs when no webhook asks for one; default 15 minutes. */
  readonly intervalMs?: number;
  /** Sync passes per run before continuing as new (sooner when the server suggests it); default 200. */
  readonly passesPerRun?: number;
  /** Carried over continue-as-new: the page a sync pass was about to read, and a pending syncNow. */
  readonly pageCursor?: string;
  readonly syncNow?: boolean;
}

export type SyncPhase = 'syncing' | 'idle' | 'waiting_for_reconnect';

export interface SyncStatus {
  readonly phase: SyncPhase;
  readonly passes: number;
  readonly pages: number;
  readonly lastError?: string;
}

export type ConnectionSyncWorkflow = (input: ConnectionSyncInput) => Promise<void>;

export const syncNowSignal = wf.defineSignal('syncNow');
/** Sent after the owner reconnects (new tokens stored): the workflow resumes its cases and syncs at once. */
export const reconnectedSignal = wf.defineSignal('reconnected');
export const syncStatusQuery = wf.defineQuery<SyncStatus>('syncStatus');

/** Failure types the workflow branches on (activities/failures.ts produces them). */
export const authFailureType = 'integration.auth';
export const disconnectedFailureType = 'connection.disconnected';

export const connectionSyncWorkflowId = (connectionId: string) => `sync/${connectionId}`;
export const defaultSyncIntervalMs = 15 * 60_000;
export const defaultPassesPerRun = 200;
