// The Temporal plumbing itself: real dev server, time skipping across days, bundling once per file.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableTimerWorkflow, pokeSignal, pokesQuery } from '../fixtures/workflows/index.js';
import { bundle, createDevEnv, createTimeSkippingEnv, uniqueId } from '../helpers/temporal-env.js';

const activities = { stampActivity: async (s: string) => `stamped: ${s}` };
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundle(new URL('../fixtures/workflows/index.ts', import.meta.url));
});

describe('on the real dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createDevEnv();
  });
  afterAll(() => env?.teardown());

  it('runs a workflow with signals, queries and an activity', async () => {
    const taskQueue = uniqueId('dev');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(durableTimerWorkflow, {
        taskQueue,
        workflowId: uniqueId('timer'),
        args: [0],
      });
      await handle.signal(pokeSignal, 'hello');
      expect(await handle.query(pokesQuery)).toEqual(['hello']);
      return handle.result();
    });
    expect(result.stamped).toBe('stamped: slept 0 days');
  });
});

describe('on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  it('finishes a 3-day durable timer in seconds of wall time', async () => {
    const taskQueue = uniqueId('skip');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
    const startedAt = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute(durableTimerWorkflow, { taskQueue, workflowId: uniqueId('timer'), args: [3] }),
    );
    const elapsedDays = ((await env.currentTimeMs()) - startedAt) / 86_400_000;
    expect(result.stamped).toBe('stamped: slept 3 days');
    expect(elapsedDays).toBeGreaterThanOrEqual(3);
  });
});
