// Recorded histories must replay against today's workflow code; a changed workflow must be caught.
import { readdir, readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundle } from '../helpers/temporal-env.js';

const historiesDir = new URL('../fixtures/histories/', import.meta.url);

async function loadHistory(name: string) {
  return historyFromJSON(JSON.parse(await readFile(new URL(name, historiesDir), 'utf8')));
}

describe('replay', () => {
  it('replays every recorded infrastructure history', async () => {
    const workflowBundle = await bundle(new URL('../fixtures/workflows/index.ts', import.meta.url));
    const files = (await readdir(historiesDir)).filter((f) => f.endsWith('.json') && !f.startsWith('case-'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) await Worker.runReplayHistory({ workflowBundle }, await loadHistory(f), f);
  });

  it("replays every recorded dispute case against today's workflow code", async () => {
    const workflowBundle = await bundle(new URL('../../workflows/index.ts', import.meta.url));
    const files = (await readdir(historiesDir)).filter((f) => f.startsWith('case-') && f.endsWith('.json'));
    expect(files.sort()).toEqual([
      'case-audit-in-its-step.json',
      'case-chargeback-won.json',
      'case-settings-changed.json',
      'case-short-payment-concession.json',
      'case-zone-changed-concession.json',
    ]);
    for (const f of files) await Worker.runReplayHistory({ workflowBundle }, await loadHistory(f), f);
  });

  it('rejects a history when the workflow code changed incompatibly', async () => {
    const workflowBundle = await bundle(new URL('../fixtures/workflows-changed/index.ts', import.meta.url));
    await expect(
      Worker.runReplayHistory({ workflowBundle }, await loadHistory('durable-timer.json')),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
