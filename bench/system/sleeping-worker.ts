// The baseline worker for the open-cases bench: the production worker settings (src/app/worker.ts) with a bundle of
// the baseline workflows (sleeping-workflow.ts) and one activity that does nothing. Run as a child process with
// worker-probe.ts loaded.
import { NativeConnection } from '@temporalio/worker';
import { createWorker } from '../../src/app/worker.js';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
const worker = await createWorker({
  connection,
  namespace: 'default',
  taskQueue: env('TEMPORAL_TASK_QUEUE'),
  activities: { step: async (i: number) => i },
  workflowBundle: { codePath: env('BENCH_WORKFLOW_BUNDLE') },
});
process.once('SIGTERM', () => worker.shutdown());
const running = worker.run();
console.log('worker polling');
await running;
await connection.close();
