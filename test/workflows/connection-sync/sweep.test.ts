// The daily reconciliation sweep on the time-skipping server: when it runs, what it carries over
// continue-as-new, and what a failed one leaves behind.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  syncStatusQuery,
  type ConnectionSyncInput,
  type SyncStatus,
} from '../../../workflows/connection-sync/definitions.js';
import { bundle, createTimeSkippingEnv } from '../../helpers/temporal-env.js';
import { action, failure, HOUR, MINUTE, sweepPage, withSync, type Script, type SyncRun } from './fake-sync.js';

const DAY = 24 * HOUR;
let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundle(new URL('../../../workflows/index.ts', import.meta.url)),
  ]);
});
afterAll(() => env?.teardown());

const sweep = (script: Script, input: Partial<ConnectionSyncInput>, body: (r: SyncRun) => Promise<void>) =>
  withSync(env, workflowBundle, script, { intervalMs: 6 * HOUR, ...input }, body);
const sweeps = (calls: readonly string[]) => calls.filter((c) => c.startsWith('sweep:'));
const startOf = async (r: SyncRun) => (await r.handle.describe()).startTime.getTime();

describe('reconciliation sweep', () => {
  it('runs a day after the sync starts and not before, pages through the backfill and records the total', async () => {
    const script = { sweeps: [sweepPage(40, 1, 's2', [action]), sweepPage(12, 2)] };
    await sweep(script, {}, async (r) => {
      const first = await r.until((s) => s.phase === 'idle');
      const started = await startOf(r);
      expect(Date.parse(first.nextReconciliationAt!) - started).toBeGreaterThanOrEqual(DAY);
      expect(Date.parse(first.nextReconciliationAt!) - started).toBeLessThan(DAY + HOUR);

      await env.sleep(23 * HOUR);
      await r.until((s) => s.passes === 4 && s.phase === 'idle'); // 0h, 6h, 12h and 18h
      expect(sweeps(r.calls)).toEqual([]);
      expect((await r.handle.query(syncStatusQuery)).lastReconciliation).toBeUndefined();

      await env.sleep(2 * HOUR);
      const done = await r.until((s) => s.lastReconciliation !== undefined && s.phase === 'idle');
      expect(r.calls.slice(4)).toEqual(['sweep:-', 'apply:1', 'sweep:s2', 'reconciled:3/52']);
      expect(done).toMatchObject<Partial<SyncStatus>>({
        passes: 5,
        pages: 6,
        lastReconciliation: { at: expect.any(String), scanned: 52, repaired: 3 },
      });
      // Activities take real time, which the workflow clock counts too.
      const dueAt = Date.parse(first.nextReconciliationAt!);
      expect(Date.parse(done.lastReconciliation!.at) - dueAt).toBeLessThan(MINUTE);
      expect(Date.parse(done.nextReconciliationAt!) - dueAt - DAY).toBeLessThan(MINUTE);

      await env.sleep(6 * HOUR); // the change feed carries on at its interval
      await r.untilCalls((c) => c.length === 9);
      expect(r.calls.at(-1)).toBe('page:-');
    });
  });

  it('keeps its schedule across continue-as-new', async () => {
    await sweep({ sweeps: [sweepPage(9, 0)] }, { passesPerRun: 2 }, async (r) => {
      await r.until((s) => s.phase === 'idle');
      await env.sleep(23 * HOUR); // two runs of two passes each: 0h and 6h, then 12h and 18h
      await r.untilCalls((c) => c.length === 4);
      expect(sweeps(r.calls)).toEqual([]);
      await env.sleep(2 * HOUR);
      await r.untilCalls((c) => c.includes('reconciled:0/9'));
      expect(r.calls).toEqual(['page:-', 'page:-', 'page:-', 'page:-', 'sweep:-', 'reconciled:0/9']);
      expect((await env.client.workflow.getHandle(r.handle.workflowId).describe()).runId).not.toBe(
        r.handle.firstExecutionRunId,
      );
    });
  });

  it('resumes a sweep handed over by the previous run, adding to its totals', async () => {
    const input = { sweep: { pageCursor: 's7', scanned: 500, repaired: 4 }, nextSweepAt: Date.now() + 30 * DAY }; // the server's clock runs ahead of ours after the tests before
    await sweep({ sweeps: [sweepPage(20, 1)] }, input, async (r) => {
      const s = await r.until((s) => s.lastReconciliation !== undefined && s.phase === 'idle');
      expect(r.calls).toEqual(['sweep:s7', 'reconciled:5/520']);
      expect(s.lastReconciliation).toMatchObject({ scanned: 520, repaired: 5 });
    });
  });

  it('records a failed sweep and leaves the next one to the following day', async () => {
    await sweep(
      { sweeps: [sweepPage(10, 0, 's2'), failure('integration.invalid')] },
      { sweepEveryMs: 12 * HOUR },
      async (r) => {
        await r.until((s) => s.phase === 'idle');
        await env.sleep(13 * HOUR);
        const s = await r.until((s) => s.passes === 3 && s.phase === 'idle');
        expect(r.calls).toEqual(['page:-', 'page:-', 'sweep:-', 'sweep:s2', 'failure:integration.invalid failure']);
        expect(s.lastError).toBe('integration.invalid failure');
        expect(s.lastReconciliation).toBeUndefined();
        await env.sleep(6 * HOUR);
        await r.untilCalls((c) => c.length === 6);
        expect(r.calls.at(-1)).toBe('page:-');
      },
    );
  });
});
