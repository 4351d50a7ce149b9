// The connection-sync loop on the time-skipping server, with its activities replaced by a typed fake.
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncActivities, SyncPageInput, SyncPageResult } from '../../../activities/sync.js';
import type { CaseAction } from '../../../src/sync/actions.js';
import { reconnectedSignal, syncNowSignal, syncStatusQuery, type ConnectionSyncInput, type SyncStatus } from '../../../workflows/connection-sync/definitions.js';
import { connectionSyncWorkflow } from '../../../workflows/connection-sync/workflow.js';
import { bundle, createTimeSkippingEnv, uniqueId } from '../../helpers/temporal-env.js';

const MINUTE = 60_000;
let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([createTimeSkippingEnv(), bundle(new URL('../../../workflows/index.ts', import.meta.url))]);
});
afterAll(() => env?.teardown());

type Step = SyncPageResult | ApplicationFailure;
const page = (nextPageCursor?: string, actions: CaseAction[] = []): SyncPageResult =>
  ({ actions, stored: { invoices: 1, payments: 0, creditNotes: 0, disputes: 0 }, ...(nextPageCursor && { nextPageCursor }) });
const failure = (type: string) => ApplicationFailure.create({ type, message: `${type} failure`, nonRetryable: true });
const action: CaseAction = { kind: 'resolve', reason: 'balance_cleared', caseKey: 'invoice/quickbooks/realm-1/inv-1', connectionId: 'c1', trigger: { invoiceId: 'inv-1' } };

function fakeActivities(script: Step[]) {
  const calls: string[] = [];
  const pages: SyncPageInput[] = [];
  const activities: SyncActivities = {
    async syncPage(input) {
      pages.push(input);
      calls.push(`page:${input.pageCursor ?? '-'}`);
      const next = script.shift() ?? page();
      if (next instanceof ApplicationFailure) throw next;
      return next;
    },
    applyCaseActions: async (i) => (calls.push(`apply:${i.actions.length}`), { started: 0, signalled: i.actions.length, skipped: 0 }),
    markConnectionBroken: async (i) => void calls.push(`broken:${i.reason}`),
    markConnectionRestored: async () => void calls.push('restored'),
    recordSyncFailure: async (i) => void calls.push(`failure:${i.message}`),
  };
  return { activities, calls, pages };
}

async function withSync(script: Step[], input: Partial<ConnectionSyncInput>, body: (run: {
  handle: Awaited<ReturnType<typeof env.client.workflow.start<typeof connectionSyncWorkflow>>>;
  calls: string[];
  until(pred: (s: SyncStatus, calls: string[]) => boolean): Promise<SyncStatus>;
}) => Promise<void>) {
  const { activities, calls } = fakeActivities(script);
  const taskQueue = uniqueId('sync');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(connectionSyncWorkflow, { taskQueue, workflowId: uniqueId('sync'), args: [{ connectionId: 'c1', intervalMs: 15 * MINUTE, ...input }] });
    const until = async (pred: (s: SyncStatus, c: string[]) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const s = await handle.query(syncStatusQuery);
        if (pred(s, calls)) return s;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`timed out; calls: ${calls.join(', ')}`);
    };
    try {
      await body({ handle, calls, until });
    } finally {
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.terminate('test finished');
    }
  });
}

describe('connection sync workflow', () => {
  it('pages through the feed, applies each page\'s case actions, then sleeps until the interval', async () => {
    await withSync([page('p2', [action]), page('p3'), page(undefined, [action, action])], {}, async ({ calls, until }) => {
      await until((s) => s.phase === 'idle');
      expect(calls).toEqual(['page:-', 'apply:1', 'page:p2', 'page:p3', 'apply:2']);
      await env.sleep(15 * MINUTE);
      const s = await until((s, c) => s.passes === 2 && c.length === 6);
      expect(calls.at(-1)).toBe('page:-');
      expect(s).toMatchObject({ phase: 'idle', pages: 4 });
    });
  });

  it('syncs at once when a webhook sends syncNow', async () => {
    await withSync([], {}, async ({ handle, calls, until }) => {
      await until((s) => s.phase === 'idle');
      await handle.signal(syncNowSignal);
      await until((s) => s.passes === 2);
      expect(calls).toEqual(['page:-', 'page:-']);
    });
  });

  it('parks on a lost grant until the owner reconnects, then resumes the cases and syncs', async () => {
    await withSync([failure('integration.auth')], {}, async ({ handle, calls, until }) => {
      const waiting = await until((s) => s.phase === 'waiting_for_reconnect' && calls.length === 2);
      expect(waiting.lastError).toBe('integration.auth failure');
      expect(calls).toEqual(['page:-', 'broken:integration.auth failure']);
      await env.sleep(3 * 24 * 60 * MINUTE); // nothing happens while it waits, however long
      expect(calls).toHaveLength(2);
      await handle.signal(reconnectedSignal);
      const s = await until((s) => s.phase === 'idle');
      expect(calls.slice(2)).toEqual(['restored', 'page:-']);
      expect(s.lastError).toBeUndefined();
    });
  });

  it('records other failures, starts the next pass from the stored checkpoint, and keeps running', async () => {
    await withSync([page('p2'), failure('integration.invalid')], {}, async ({ handle, calls, until }) => {
      const s = await until((s) => s.phase === 'idle' && s.passes === 1);
      expect(s.lastError).toBe('integration.invalid failure');
      expect(calls).toEqual(['page:-', 'page:p2', 'failure:integration.invalid failure']);
      await handle.signal(syncNowSignal);
      await until((s) => s.passes === 2 && s.lastError === undefined);
      expect(calls.at(-1)).toBe('page:-');
    });
  });

  it('ends when the connection has been disconnected', async () => {
    await withSync([failure('connection.disconnected')], {}, async ({ handle }) => {
      await handle.result();
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    });
  });

  it('continues as new after its passes, and the new run syncs first', async () => {
    await withSync([], { passesPerRun: 2 }, async ({ handle, calls, until }) => {
      await until((s) => s.phase === 'idle');
      const firstRun = (await handle.describe()).runId;
      await handle.signal(syncNowSignal);
      await until((s) => s.passes === 2 && s.phase === 'idle');
      await handle.signal(syncNowSignal);
      // Watch the activity calls, not the query: a query sent while the run hands over can wait a long time.
      for (let i = 0; i < 100 && calls.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
      expect(calls).toEqual(['page:-', 'page:-', 'page:-']);
      const next = env.client.workflow.getHandle(handle.workflowId);
      expect((await next.describe()).runId).not.toBe(firstRun);
      expect(await next.query(syncStatusQuery)).toMatchObject({ passes: 1 });
      await next.terminate('test finished');
    });
  });
});
