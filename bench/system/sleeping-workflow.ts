// The baselines for the open-cases bench: a workflow that does nothing but wait, as cheaply as Temporal allows, and
// one that first takes as many steps as a case does before it rests (activities that do nothing), then waits.
import { proxyActivities, sleep } from '@temporalio/workflow';

const { step } = proxyActivities<{ step(i: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

export async function sleepingWorkflow(): Promise<void> {
  await sleep('30 days');
}

/** `steps` activities one after another, each its own workflow task, as a case's steps are; then the same wait. */
export async function steppingWorkflow(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await step(i);
  await sleep('30 days');
}
