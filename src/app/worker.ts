// The Temporal worker: workflow code from workflows/ (bundled into the sandbox), activities from activities/.
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { sharedWorkflowModules, workflowsPath } from './temporal/workflow-bundle.js';

export { workflowsPath };

export interface WorkerDeps {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activities: object;
  /**
   * The bundle built ahead of time (temporal/workflow-bundle.ts); without one the worker runs webpack itself,
   * which only tests that build their own bundle should rely on.
   */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createWorker(d: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: d.connection,
    namespace: d.namespace,
    taskQueue: d.taskQueue,
    activities: d.activities,
    ...(d.workflowBundle
      ? { workflowBundle: d.workflowBundle }
      : { workflowsPath, bundlerOptions: { preloadModules: [...sharedWorkflowModules] } }),
    // VM contexts live outside the V8 heap; cap the cache explicitly (reference/temporal.md §9).
    maxCachedWorkflows: 500,
    shutdownGraceTime: '10s',
  });
}
