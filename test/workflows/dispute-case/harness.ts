// One time-skipping environment and one bundle per test file; a fresh worker and task queue per test.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { CaseActivities } from '../../../workflows/dispute-case/activities.js';
import { caseViewQuery, type CaseView, type DisputeCaseInput } from '../../../workflows/dispute-case/definitions.js';
import { disputeCaseWorkflow } from '../../../workflows/dispute-case/workflow.js';
import { recordingActivities, type Recorded } from '../../helpers/case-fixtures.js';
import { bundle, createTimeSkippingEnv, uniqueId } from '../../helpers/temporal-env.js';

export const workflowsUrl = new URL('../../../workflows/index.ts', import.meta.url);
export const bundleCases = () => bundle(workflowsUrl);

export interface CaseRun {
  handle: WorkflowHandle<typeof disputeCaseWorkflow>;
  calls: Recorded;
  view(): Promise<CaseView>;
  /** Polls the case view (in real time; the test server only skips time while awaiting a result). */
  until(pred: (v: CaseView, c: Recorded) => boolean, what: string): Promise<CaseView>;
}

export async function withCase(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  input: DisputeCaseInput,
  body: (run: CaseRun) => Promise<void>,
  /** Activities that replace the recording ones (each may still call the recording one it replaces). */
  override: (recording: CaseActivities) => Partial<CaseActivities> = () => ({}),
) {
  const recorded = recordingActivities();
  const { calls } = recorded;
  const activities: CaseActivities = { ...recorded.activities, ...override(recorded.activities) };
  const taskQueue = uniqueId('cases');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(disputeCaseWorkflow, {
      taskQueue,
      workflowId: uniqueId('case'),
      args: [input],
    });
    const view = () => handle.query(caseViewQuery);
    const until = async (pred: (v: CaseView, c: Recorded) => boolean, what: string) => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        const v = await view();
        if (pred(v, calls)) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
      const v = await view();
      expect.fail(
        `timed out waiting for ${what}; status ${v.status}, timeline: ${v.timeline.map((t) => t.kind).join(', ')}`,
      );
    };
    try {
      await body({ handle, calls, view, until });
    } finally {
      // A running case left behind has timers with no worker: the test server would stop skipping time.
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.terminate('test finished');
    }
  });
}

export const deadline = (v: CaseView, name: string) => v.deadlines.find((d) => d.name === name)?.at;
export const latest = (v: CaseView) => v.drafts[v.drafts.length - 1]!;

/** Moves the test server's clock forward to the next occurrence of a weekday/time (UTC), so windows are deterministic. */
export async function advanceToNext(
  env: TestWorkflowEnvironment,
  isoWeekday: number,
  utcHour: number,
): Promise<string> {
  const now = await env.currentTimeMs();
  const d = new Date(now);
  d.setUTCHours(utcHour, 0, 0, 0);
  while (d.getTime() <= now || ((d.getUTCDay() + 6) % 7) + 1 !== isoWeekday) d.setUTCDate(d.getUTCDate() + 1);
  await env.sleep(d.getTime() - now);
  return d.toISOString();
}

export async function skip(env: TestWorkflowEnvironment, ms: number) {
  await env.sleep(ms);
}

/**
 * Registers the hooks every time-skipping case test file needs: one bundle per file, and one test server per test
 * (time skipping is global to a server, and a case left from an earlier test could hold it back).
 */
export function timeSkippingSuite(): { env: TestWorkflowEnvironment; workflowBundle: WorkflowBundleWithSourceMap } {
  const ctx = {} as { env: TestWorkflowEnvironment; workflowBundle: WorkflowBundleWithSourceMap };
  beforeAll(async () => {
    ctx.workflowBundle = await bundleCases();
  });
  beforeEach(async () => {
    ctx.env = await createTimeSkippingEnv();
  });
  afterEach(() => ctx.env?.teardown());
  return ctx;
}
