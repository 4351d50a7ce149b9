// Sync workflows run for months: a history recorded before the daily sweep existed (passes past the 24-hour
// mark, then continue-as-new) must replay against today's code, which sweeps only in runs started after it.
import { readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, it } from 'vitest';
import { bundle } from '../../helpers/temporal-env.js';

describe('connection sync replay', () => {
  it('replays a history recorded before the reconciliation sweep', async () => {
    const workflowBundle = await bundle(new URL('../../../workflows/index.ts', import.meta.url));
    const history = historyFromJSON(
      JSON.parse(await readFile(new URL('./histories/sync-before-sweep.json', import.meta.url), 'utf8')),
    );
    await Worker.runReplayHistory({ workflowBundle }, history, 'sync-before-sweep');
  });
});
