// Records a workflow history for the replay tests: `node --import tsx scripts/record-history.ts <fixture>`.
// Re-record only on purpose: a history that no longer replays means deployed runs would break.
import { writeFile } from 'node:fs/promises';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { durableTimerWorkflow, pokeSignal } from '../test/fixtures/workflows/index.js';
import { bundle, createDevEnv, uniqueId } from '../test/helpers/temporal-env.js';

const env = await createDevEnv();
try {
  const taskQueue = uniqueId('record');
  const workflowBundle = await bundle(new URL('../test/fixtures/workflows/index.ts', import.meta.url));
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: { stampActivity: async (s: string) => `stamped: ${s}` },
  });
  const handle = await worker.runUntil(async () => {
    const h = await env.client.workflow.start(durableTimerWorkflow, {
      taskQueue,
      workflowId: 'replay/durable-timer',
      args: [0],
    });
    await h.signal(pokeSignal, 'recorded');
    await h.result();
    return h;
  });
  const history = await handle.fetchHistory();
  await writeFile(new URL('../test/fixtures/histories/durable-timer.json', import.meta.url), historyToJSON(history));
} finally {
  await env.teardown();
}
