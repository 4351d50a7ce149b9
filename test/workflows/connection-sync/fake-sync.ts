// The connection-sync workflow on the time-skipping server, with its activities replaced by a typed fake that
// plays scripted pages (change feed) and sweep pages (reconciliation), and records every call.
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { SweepPageResult, SyncActivities, SyncPageResult } from '../../../activities/sync.js';
import type { CaseAction } from '../../../src/domain/case-actions.js';
import {
  syncStatusQuery,
  type ConnectionSyncInput,
  type SyncStatus,
} from '../../../workflows/connection-sync/definitions.js';
import { connectionSyncWorkflow } from '../../../workflows/connection-sync/workflow.js';
import { uniqueId } from '../../helpers/temporal-env.js';
import { eventually } from '../../helpers/eventually.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

type Step<T> = T | ApplicationFailure;
export const page = (nextPageCursor?: string, actions: CaseAction[] = []): SyncPageResult => ({
  actions,
  stored: { invoices: 1, payments: 0, creditNotes: 0, disputes: 0 },
  ...(nextPageCursor && { nextPageCursor }),
});
export const sweepPage = (
  scanned: number,
  repaired: number,
  nextPageCursor?: string,
  actions: CaseAction[] = [],
): SweepPageResult => ({ actions, scanned, repaired, ...(nextPageCursor && { nextPageCursor }) });
export const failure = (type: string) =>
  ApplicationFailure.create({ type, message: `${type} failure`, nonRetryable: true });
export const action: CaseAction = {
  kind: 'resolve',
  reason: 'balance_cleared',
  caseKey: 'invoice/quickbooks/realm-1/inv-1',
  connectionId: 'c1',
  trigger: { invoiceId: 'inv-1' },
};

export interface Script {
  readonly pages?: Step<SyncPageResult>[];
  readonly sweeps?: Step<SweepPageResult>[];
  /** Status activities that fail every time, as one that ran out of attempts does (non-retryable here, to be quick). */
  readonly failingStatus?: readonly ('markConnectionBroken' | 'markConnectionRestored' | 'recordSyncFailure')[];
  /** The first page of the feed waits for this: a pass that is still running. */
  readonly holdFirstPage?: Promise<void>;
}

function next<T>(queue: Step<T>[], fallback: T): T {
  const step = queue.shift() ?? fallback;
  if (step instanceof ApplicationFailure) throw step;
  return step;
}

export function fakeActivities(script: Script) {
  const calls: string[] = [];
  const pages = [...(script.pages ?? [])];
  const sweeps = [...(script.sweeps ?? [])];
  const status = (name: NonNullable<Script['failingStatus']>[number], call: string) => {
    if (script.failingStatus?.includes(name)) {
      calls.push(`${call} (failed)`);
      throw ApplicationFailure.create({
        type: 'database.unavailable',
        message: 'database unavailable',
        nonRetryable: true,
      });
    }
    calls.push(call);
  };
  const syncPage: SyncActivities['syncPage'] = async (input) => {
    calls.push(`page:${input.pageCursor ?? '-'}`);
    if (calls.length === 1 && script.holdFirstPage) await script.holdFirstPage;
    return next(pages, page());
  };
  const applyCaseActions: SyncActivities['applyCaseActions'] = async (i) => (
    calls.push(`apply:${i.actions.length}`),
    { started: 0, signalled: i.actions.length, skipped: 0 }
  );
  const activities: SyncActivities = {
    syncPage,
    // The page and its actions in one activity, recorded as the two steps they are.
    async syncAndApplyPage(input) {
      const { actions, ...rest } = await syncPage(input);
      const applied =
        actions.length > 0
          ? await applyCaseActions({ connectionId: input.connectionId, actions })
          : { started: 0, signalled: 0, skipped: 0 };
      return { ...rest, applied };
    },
    async sweepPage(input) {
      calls.push(`sweep:${input.pageCursor ?? '-'}`);
      return next(sweeps, sweepPage(0, 0));
    },
    applyCaseActions,
    recordReconciliation: async (i) => void calls.push(`reconciled:${i.result.repaired}/${i.result.scanned}`),
    markConnectionBroken: async (i) => status('markConnectionBroken', `broken:${i.reason}`),
    markConnectionRestored: async () => status('markConnectionRestored', 'restored'),
    recordSyncFailure: async (i) => status('recordSyncFailure', `failure:${i.message}`),
  };
  return { activities, calls };
}

export interface SyncRun {
  readonly handle: WorkflowHandleWithFirstExecutionRunId<typeof connectionSyncWorkflow>;
  readonly calls: string[];
  until(pred: (s: SyncStatus, calls: string[]) => boolean): Promise<SyncStatus>;
  /** For a workflow that continues as new: a query sent while the run hands over can wait a long time. */
  untilCalls(pred: (calls: string[]) => boolean): Promise<void>;
}

export async function withSync(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  script: Script,
  input: Partial<ConnectionSyncInput>,
  body: (run: SyncRun) => Promise<void>,
) {
  const { activities, calls } = fakeActivities(script);
  const taskQueue = uniqueId('sync');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(connectionSyncWorkflow, {
      taskQueue,
      workflowId: uniqueId('sync'),
      args: [{ connectionId: 'c1', intervalMs: 15 * MINUTE, ...input }],
    });
    const until = (pred: (s: SyncStatus, c: string[]) => boolean) =>
      eventually(
        () => handle.query(syncStatusQuery),
        (s) => pred(s, calls),
        `the sync status; calls: ${calls.join(', ')}`,
        { intervalMs: 25 },
      );
    const untilCalls = async (pred: (c: string[]) => boolean) => {
      await eventually(() => calls, pred, 'the expected calls', { intervalMs: 25 });
    };
    try {
      await body({ handle, calls, until, untilCalls });
    } finally {
      const latest = env.client.workflow.getHandle(handle.workflowId);
      const { status } = await latest.describe();
      if (status.name === 'RUNNING') await latest.terminate('test finished');
    }
  });
}
