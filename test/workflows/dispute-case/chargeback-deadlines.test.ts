// The chargeback's two dates from the owner's side: Shortfall's date for the approval and Stripe's own `due_by`. The
// owner hears of them only while the dispute still needs evidence, and they follow Stripe when it moves `due_by`.
import { describe, expect, it } from 'vitest';
import { chargebackSignal } from '../../../workflows/dispute-case/definitions.js';
import { chargebackInput } from '../../helpers/case-fixtures.js';
import { deadline, withCase, timeSkippingSuite } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ctx = timeSkippingSuite();

const lostNotice = (subject: string) => /chargeback is lost/.test(subject);

describe('chargeback deadlines', () => {
  it('tells the owner nothing about deadlines once they answered the chargeback from Stripe’s dashboard', async () => {
    const now = await ctx.env.currentTimeMs();
    const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
    const dueBy = new Date(now + 4 * DAY).toISOString();
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      { ...input, chargeback: { ...input.chargeback!, dueBy } },
      async ({ handle, until, calls }) => {
        await until((v) => v.status === 'awaiting_approval', 'evidence draft');
        // The owner submitted evidence in Stripe's dashboard: Stripe reports the dispute under review.
        await handle.signal(chargebackSignal, { status: 'under_review' });
        await until((v) => v.timeline.some((t) => t.summary.includes('under review')), 'status recorded');
        const before = calls.owner.length;
        await ctx.env.sleep(5 * DAY); // past Shortfall's approval date and Stripe's due_by
        await handle.signal(chargebackSignal, { status: 'won' });
        expect((await handle.result()).status).toBe('resolved');
        const after = calls.owner.slice(before);
        expect(after.filter((n) => n.kind === 'overdue' || n.kind === 'reminder')).toEqual([]);
        expect(after.map((n) => n.subject)).toEqual(['Chargeback won']);
      },
    );
  });

  it('still tells the owner the chargeback is lost when Stripe’s deadline passes with nothing submitted', async () => {
    const now = await ctx.env.currentTimeMs();
    const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      { ...input, chargeback: { ...input.chargeback!, dueBy: new Date(now + 4 * DAY).toISOString() } },
      async ({ until }) => {
        await until((v) => v.status === 'awaiting_approval', 'evidence draft');
        await ctx.env.sleep(5 * DAY);
        await until((_v, c) => c.owner.some((n) => lostNotice(n.subject)), 'the lost notice at due_by');
      },
    );
  });

  it('moves Shortfall’s approval date and the due_by timer when Stripe moves its deadline', async () => {
    const now = await ctx.env.currentTimeMs();
    const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
    const first = new Date(now + 4 * DAY).toISOString();
    const later = new Date(now + 14 * DAY).toISOString();
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      { ...input, chargeback: { ...input.chargeback!, dueBy: first } },
      async ({ handle, until, calls }) => {
        const v = await until((v) => v.status === 'awaiting_approval', 'evidence draft');
        expect(Date.parse(first) - Date.parse(deadline(v, 'stripe_submit')!)).toBe(48 * HOUR);
        await handle.signal(chargebackSignal, { status: 'needs_response', dueBy: later });
        const moved = await until((v) => v.chargeback?.dueBy === later, 'the new due_by recorded');
        expect(Date.parse(later) - Date.parse(deadline(moved, 'stripe_submit')!)).toBe(48 * HOUR);
        await ctx.env.sleep(6 * DAY); // past the first due_by, well before the new one
        await until((v) => v.status === 'awaiting_approval', 'still awaiting approval');
        expect(calls.owner.filter((n) => lostNotice(n.subject) || n.kind === 'overdue')).toEqual([]);
        await ctx.env.sleep(9 * DAY); // past the new due_by
        await until((_v, c) => c.owner.some((n) => lostNotice(n.subject)), 'the lost notice at the new due_by');
      },
    );
  });
});
