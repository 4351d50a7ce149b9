// A chargeback case that was running before its standing said what Stripe holds: after the deploy, its next
// projection writes the standing again, so the case list and /invoices stop reading the held charge as owed (for a
// chargeback alone the list's next deadline changes under chargeback-applying-deadlines, which projects it again).
// The case starts on the workflow code before the change (b1b7ff7, taken from git: needs the repository's history)
// and resumes on today's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from '@temporalio/worker';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaseProjection } from '../../../workflows/dispute-case/activities.js';
import { caseViewQuery } from '../../../workflows/dispute-case/definitions.js';
import { disputeCaseWorkflow } from '../../../workflows/dispute-case/workflow.js';
import { chargebackInput, recordingActivities } from '../../helpers/case-fixtures.js';
import { bundle, uniqueId } from '../../helpers/temporal-env.js';
import { timeSkippingSuite } from './harness.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const before = mkdtempSync(path.join(tmpdir(), 'shortfall-b1b7ff7-'));
afterAll(() => rmSync(before, { recursive: true, force: true }));
const ctx = timeSkippingSuite();

describe('a chargeback case running across the deploy', () => {
  it(
    'projects what Stripe holds at its next step, where its stored standing had none',
    { timeout: 120_000 },
    async () => {
      execFileSync('sh', ['-c', `git -C "${repo}" archive b1b7ff7 workflows src | tar -x -C "${before}"`]);
      symlinkSync(path.join(repo, 'node_modules'), path.join(before, 'node_modules'));
      const oldBundle = await bundle(pathToFileURL(path.join(before, 'workflows/index.ts')));
      const recorded = recordingActivities();
      const projected: CaseProjection[] = [];
      const activities = {
        ...recorded.activities,
        projectCase: async (p: CaseProjection) => void projected.push(p),
      };
      const taskQueue = uniqueId('cases');
      const now = await ctx.env.currentTimeMs();
      const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
      const args = [
        { ...input, chargeback: { ...input.chargeback!, dueBy: new Date(now + 10 * 86_400_000).toISOString() } },
      ];
      const run = (workflowBundle: typeof oldBundle, body: () => Promise<void>) =>
        // No sticky cache: the next worker (today's code) gets the whole history, as a deploy's fresh worker does.
        Worker.create({
          connection: ctx.env.nativeConnection,
          taskQueue,
          workflowBundle,
          activities,
          maxCachedWorkflows: 0,
        }).then((w) => w.runUntil(body));
      const handle = await ctx.env.client.workflow.start(disputeCaseWorkflow, {
        taskQueue,
        workflowId: uniqueId('case'),
        args: args as Parameters<typeof disputeCaseWorkflow>,
      });
      const poll = async (pred: () => Promise<boolean> | boolean, what: string) => {
        for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
          if (await pred()) return;
        expect.fail(`timed out waiting for ${what}`);
      };
      try {
        await run(oldBundle, () =>
          poll(async () => (await handle.query(caseViewQuery)).status === 'awaiting_approval', 'the evidence draft'),
        );
        // The old code's standing knows nothing of what Stripe holds.
        expect(projected.length).toBeGreaterThan(0);
        expect(projected.every((p) => p.standing?.held === undefined)).toBe(true);
        const written = projected.length;
        await run(ctx.workflowBundle, async () => {
          await ctx.env.sleep(9 * 86_400_000); // past Shortfall's approval date: its timer wakes the case
          await poll(() => projected.length > written, 'a projection after the deploy');
        });
        expect(projected.at(-1)!.standing?.held).toEqual(input.chargeback!.amount);
        expect(projected.at(-1)!.standing?.outstanding.minor).toBe(0);
      } finally {
        const { status } = await handle.describe();
        if (status.name === 'RUNNING') await handle.terminate('test finished');
      }
    },
  );
});
