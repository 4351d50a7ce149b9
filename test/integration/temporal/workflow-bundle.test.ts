// The worker loads a workflow bundle built ahead of time: the first start on new workflow code builds it in a child
// process into the cache (webpack never runs in the worker), later starts find it by the sources' hash.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowBundle, workflowSourceHash } from '../../../src/app/temporal/workflow-bundle.js';
import { createWorker } from '../../../src/app/worker.js';
import { createTimeSkippingEnv, uniqueId } from '../../helpers/temporal-env.js';

let dir: string;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-bundle-'));
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
  await rm(dir, { recursive: true, force: true });
});

describe('workflow bundle built ahead of time', () => {
  it('is built once for the workflow code in hand, then found by its hash, and a worker runs from it', async () => {
    const none = path.join(dir, 'no-prebuilt-bundle');
    const cache = path.join(dir, 'cache');
    const first = await workflowBundle(cache, none);
    expect(first.builtNow).toBe(true);
    expect(path.basename(first.codePath)).toBe(`workflows-${await workflowSourceHash()}.js`);
    const code = await readFile(first.codePath, 'utf8');
    expect(code).toContain('disputeCaseWorkflow');
    expect(code).toContain('connectionSyncWorkflow');

    const again = await workflowBundle(cache, none);
    expect(again).toEqual({ codePath: first.codePath, builtNow: false });
    // A bundle built at build time is preferred to the cache.
    expect(await workflowBundle(path.join(dir, 'empty-cache'), cache)).toEqual({
      codePath: first.codePath,
      builtNow: false,
    });

    const worker = await createWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: uniqueId('bundle'),
      activities: {},
      workflowBundle: { codePath: first.codePath },
    });
    expect(await worker.runUntil(async () => worker.getState())).toBe('RUNNING');
  });
});
