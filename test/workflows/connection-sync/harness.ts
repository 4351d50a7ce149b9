// One dev server, one PGlite database and one workflow bundle per test file; each test runs its own worker on its
// own task queue.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { bundle, createDevEnv } from '../../helpers/temporal-env.js';
import { workflowsUrl } from '../dispute-case/harness.js';
import { openPglite } from '../../helpers/databases.js';
import { eventually } from '../../helpers/eventually.js';

export interface SyncSuite {
  env: TestWorkflowEnvironment;
  db: DatabaseHandle['db'];
  /** A worker on the suite's dev server for the suite's bundle; the caller runs it (runUntil). */
  worker(taskQueue: string, activities: object): Promise<Worker>;
}

/** Registers the hooks the dev-server sync tests share; `env` and `db` are set once beforeAll has run. */
export function syncSuite(): SyncSuite {
  let h: DatabaseHandle | undefined;
  let workflowBundle: WorkflowBundleWithSourceMap;
  const ctx = {
    worker: (taskQueue, activities) =>
      Worker.create({ connection: ctx.env.nativeConnection, taskQueue, workflowBundle, activities }),
  } as SyncSuite;
  beforeAll(async () => {
    [ctx.env, h, workflowBundle] = await Promise.all([createDevEnv(), openPglite(), bundle(workflowsUrl)]);
    ctx.db = h.db;
  });
  afterAll(async () => {
    await ctx.env?.teardown();
    await h?.close();
  });
  return ctx;
}

/** Reads until `pred` holds (a failed read counts as not yet), for up to 20 seconds. */
export async function poll<T>(read: () => Promise<T>, pred: (t: T) => boolean, what: string): Promise<T> {
  return (await eventually(
    () => read().catch(() => undefined),
    (value) => value !== undefined && pred(value),
    what,
  )) as T;
}
