// Sync workflows run for months: a history recorded before the daily sweep existed (passes past the 24-hour
// mark, then continue-as-new) must replay against today's code, which sweeps only in runs started after it; and
// one recorded before a page's case actions were applied in the page's own activity (a pass with actions, a
// webhook's syncNow, an interval's pass), which today's code applies so only in runs started after it.
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

  it("replays a history whose passes applied each page's case actions in an activity of their own", async () => {
    const workflowBundle = await bundle(new URL('../../../workflows/index.ts', import.meta.url));
    const history = historyFromJSON(
      JSON.parse(await readFile(new URL('./histories/sync-apply-in-own-activity.json', import.meta.url), 'utf8')),
    );
    await Worker.runReplayHistory({ workflowBundle }, history, 'sync-apply-in-own-activity');
  });
});
