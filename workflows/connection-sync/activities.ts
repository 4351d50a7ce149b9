// The activity contract of the connection-sync workflow: what it asks of the Node side, as plain data that
// crosses Temporal's payload boundary. activities/sync.ts implements it.
import type { CaseAction } from '../../src/domain/case-actions.js';
import type { ReconciliationResult } from './definitions.js';

export interface SyncPageInput {
  readonly connectionId: string;
  /** The previous page's nextCursor while a feed is being paged. */
  readonly pageCursor?: string;
}

export interface SyncPageResult {
  readonly actions: readonly CaseAction[];
  readonly nextPageCursor?: string;
  readonly stored: {
    readonly invoices: number;
    readonly payments: number;
    readonly creditNotes: number;
    readonly disputes: number;
  };
}

/** A page of the feed stored and its case actions applied, in one activity. */
export interface SyncAndApplyResult {
  readonly nextPageCursor?: string;
  readonly stored: SyncPageResult['stored'];
  readonly applied: AppliedActions;
}

export interface AppliedActions {
  readonly started: number;
  readonly signalled: number;
  readonly skipped: number;
}

export interface SweepPageResult {
  readonly actions: readonly CaseAction[];
  readonly nextPageCursor?: string;
  readonly scanned: number;
  readonly repaired: number;
}

export interface SyncActivities {
  /** Pulls and stores one page of the change feed; returns the case actions it produced. */
  syncPage(input: SyncPageInput): Promise<SyncPageResult>;
  /**
   * syncPage, then applyCaseActions on the actions it produced, in the same activity: the page's cases start
   * without a workflow task and an activity dispatch between. A retry pulls the page again; the actions a failed
   * attempt did not get to are still pending in the store (flags stay set until acknowledged), so it finds them.
   */
  syncAndApplyPage(input: SyncPageInput): Promise<SyncAndApplyResult>;
  /** One page of the daily sweep: compares the provider's records with ours and repairs what differs. */
  sweepPage(input: SyncPageInput): Promise<SweepPageResult>;
  applyCaseActions(input: { connectionId: string; actions: readonly CaseAction[] }): Promise<AppliedActions>;
  recordReconciliation(input: { connectionId: string; result: ReconciliationResult }): Promise<void>;
  markConnectionBroken(input: { connectionId: string; reason: string }): Promise<void>;
  markConnectionRestored(input: { connectionId: string }): Promise<void>;
  recordSyncFailure(input: { connectionId: string; message: string }): Promise<void>;
}
