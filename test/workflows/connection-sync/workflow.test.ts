// The connection-sync loop on the time-skipping server, with its activities replaced by a typed fake.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  reconnectedSignal,
  requestSyncUpdate,
  syncNowSignal,
  syncStatusQuery,
  type ConnectionSyncInput,
  type SyncStatus,
} from '../../../workflows/connection-sync/definitions.js';
import { bundle, createTimeSkippingEnv } from '../../helpers/temporal-env.js';
import { action, failure, MINUTE, page, withSync as run, type Script, type SyncRun } from './fake-sync.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundle(new URL('../../../workflows/index.ts', import.meta.url)),
  ]);
});
afterAll(() => env?.teardown());

const withSync = (pages: Script['pages'], input: Partial<ConnectionSyncInput>, body: (r: SyncRun) => Promise<void>) =>
  run(env, workflowBundle, { pages }, input, body);

describe('connection sync workflow', () => {
  it("pages through the feed, applies each page's case actions, then sleeps until the interval", async () => {
    await withSync(
      [page('p2', [action]), page('p3'), page(undefined, [action, action])],
      {},
      async ({ calls, until }) => {
        await until((s) => s.phase === 'idle');
        expect(calls).toEqual(['page:-', 'apply:1', 'page:p2', 'page:p3', 'apply:2']);
        await env.sleep(15 * MINUTE);
        const s = await until((s, c) => s.passes === 2 && c.length === 6);
        expect(calls.at(-1)).toBe('page:-');
        expect(s).toMatchObject({ phase: 'idle', pages: 4 });
      },
    );
  });

  it('stores each page and applies its case actions in one activity, with no workflow task between', async () => {
    await withSync([page(undefined, [action])], {}, async ({ handle, calls, until }) => {
      await until((s) => s.phase === 'idle');
      expect(calls).toEqual(['page:-', 'apply:1']);
      const scheduled = ((await handle.fetchHistory()).events ?? []).flatMap(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
      );
      expect(scheduled).toEqual(['syncAndApplyPage']);
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

  it("starts one pass for the owner's Sync now, however often it is pressed, and none behind a running one", async () => {
    let release!: () => void;
    const holdFirstPage = new Promise<void>((r) => (release = r));
    await run(env, workflowBundle, { holdFirstPage }, {}, async ({ handle, calls, until }) => {
      await until((s, c) => s.phase === 'syncing' && c.length === 1); // the first pass is reading its first page
      expect(await handle.executeUpdate(requestSyncUpdate)).toBe('already_running');
      expect(await handle.executeUpdate(requestSyncUpdate)).toBe('already_running');
      release();
      await until((s) => s.phase === 'idle' && s.passes === 1);
      const clicks = await Promise.all([1, 2, 3].map(() => handle.executeUpdate(requestSyncUpdate)));
      expect(clicks.filter((o) => o === 'started')).toHaveLength(1);
      expect(
        clicks.filter((o) => o !== 'started').every((o) => o === 'already_requested' || o === 'already_running'),
      ).toBe(true);
      await until((s) => s.phase === 'idle' && s.passes === 2);
      await env.sleep(5 * MINUTE); // nothing else was queued: no third pass before the interval
      const s = await handle.query(syncStatusQuery);
      expect(s.passes).toBe(2);
      expect(calls).toEqual(['page:-', 'page:-']);
    });
  });

  it('answers Sync now on a lost grant with needs_reconnect and starts nothing', async () => {
    await withSync([failure('integration.auth')], {}, async ({ handle, calls, until }) => {
      await until((s) => s.phase === 'waiting_for_reconnect' && calls.length === 2);
      expect(await handle.executeUpdate(requestSyncUpdate)).toBe('needs_reconnect');
      expect(calls).toEqual(['page:-', 'broken:integration.auth failure']);
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
      // The daily sweep fell due while it waited: that full re-read is the sync it resumes with.
      expect(calls.slice(2)).toEqual(['restored', 'sweep:-', 'reconciled:0/0']);
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

  it('keeps running when a status change cannot be recorded, and tries to mark a lost grant again next pass', async () => {
    const script = {
      pages: [failure('integration.auth'), failure('integration.auth'), failure('integration.invalid')],
      failingStatus: ['markConnectionBroken', 'recordSyncFailure'] as const,
    };
    await run(env, workflowBundle, script, {}, async ({ handle, calls, until }) => {
      await until((s, c) => s.phase === 'idle' && c.length === 2);
      expect(calls).toEqual(['page:-', 'broken:integration.auth failure (failed)']);
      await handle.signal(syncNowSignal);
      await until((s, c) => s.passes === 2 && s.phase === 'idle' && c.length === 4);
      expect(calls.slice(2)).toEqual(['page:-', 'broken:integration.auth failure (failed)']);
      await handle.signal(syncNowSignal);
      await until((s, c) => s.passes === 3 && s.phase === 'idle' && c.length === 6);
      expect(calls.slice(4)).toEqual(['page:-', 'failure:integration.invalid failure (failed)']);
      expect((await handle.describe()).status.name).toBe('RUNNING');
    });
  });

  it('ends when the connection has been disconnected', async () => {
    await withSync([failure('connection.disconnected')], {}, async ({ handle }) => {
      await handle.result();
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    });
  });

  it('continues as new after its passes, and the new run syncs first', async () => {
    await withSync([], { passesPerRun: 2 }, async ({ handle, calls, until, untilCalls }) => {
      await until((s) => s.phase === 'idle');
      const firstRun = (await handle.describe()).runId;
      await handle.signal(syncNowSignal);
      await until((s) => s.passes === 2 && s.phase === 'idle');
      await handle.signal(syncNowSignal);
      await untilCalls((c) => c.length >= 3);
      expect(calls).toEqual(['page:-', 'page:-', 'page:-']);
      const next = env.client.workflow.getHandle(handle.workflowId);
      expect((await next.describe()).runId).not.toBe(firstRun);
      // The third call is the new run's first pass starting; its count moves once the pass completes.
      await expect
        .poll(() => next.query(syncStatusQuery), { timeout: 30_000 })
        .toMatchObject({ passes: 1, phase: 'idle' } satisfies Partial<SyncStatus>);
    });
  });
});
