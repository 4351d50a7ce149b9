// The Temporal worker: workflow code from workflows/ (bundled into the sandbox), activities from activities/.
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';

export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activities: object;
  /** Tests pass a pre-built bundle so each file bundles once. */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createWorker(d: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: d.connection,
    namespace: d.namespace,
    taskQueue: d.taskQueue,
    activities: d.activities,
    ...(d.workflowBundle ? { workflowBundle: d.workflowBundle } : { workflowsPath }),
    // VM contexts live outside the V8 heap; cap the cache explicitly (reference/temporal.md §9).
    maxCachedWorkflows: 500,
    shutdownGraceTime: '10s',
  });
}
