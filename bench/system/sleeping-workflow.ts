// The baseline for the open-cases bench: a workflow that does nothing but wait, as cheaply as Temporal allows.
import { sleep } from '@temporalio/workflow';

export async function sleepingWorkflow(): Promise<void> {
  await sleep('30 days');
}
