// The chargeback's two dates from the owner's side: Shortfall's date for the approval and Stripe's own `due_by`. The
// owner hears of them only while the dispute still needs evidence, and they follow Stripe when it moves `due_by`.
import { describe, expect, it } from 'vitest';
import type { CaseStanding } from '../../../src/domain/account.js';
import { chargebackSignal, type ChargebackUpdate } from '../../../workflows/dispute-case/definitions.js';
import { chargebackInput, shortPaymentInput } from '../../helpers/case-fixtures.js';
import { deadline, latest, withCase, timeSkippingSuite } from './harness.js';

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

  it('gives a chargeback that reaches a running short payment Shortfall’s approval date, its reminders and its money', async () => {
    const now = await ctx.env.currentTimeMs();
    const dueBy = new Date(now + 10 * DAY).toISOString();
    const chargeback: ChargebackUpdate = {
      status: 'needs_response',
      dispute: {
        dispute: { provider: 'stripe', accountId: 'acct_1', id: 'dp_9' },
        chargeId: 'ch_9',
        dueBy,
        processorName: 'Stripe',
        amount: { minor: 60_000, currency: 'USD' },
        reason: 'product_not_received',
        connectionId: 'stripe-connection-1',
      },
    };
    const standings: CaseStanding[] = [];
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(now).toISOString() }), // 600 of 1,000 paid: 400 short
      async ({ handle, until, calls }) => {
        const opened = await until((v) => v.status === 'awaiting_approval', 'the written response drafted');
        // The client's card payment of 600 is charged back while the response waits for the owner.
        await handle.signal(chargebackSignal, chargeback);
        const v = await until(
          (v) => latest(v).kind === 'stripe_evidence' && v.status === 'awaiting_approval',
          'the evidence drafted',
        );
        const approveBy = deadline(v, 'stripe_submit')!;
        expect(Date.parse(dueBy) - Date.parse(approveBy)).toBe(48 * HOUR);
        // The short payment's written response keeps the window it had.
        expect(deadline(v, 'response')).toBe(deadline(opened, 'response'));
        const told = calls.owner.find((n) => n.kind === 'chargeback')!;
        expect(told.subject).toMatch(/^Chargeback of \$600\.00: approve the evidence by \w{3} \d+, \d{4}$/);
        expect(told.detail).toMatch(/Shortfall's date for your approval, 2 days before Stripe's own deadline \(/);
        expect(calls.approvals.at(-1)).toMatchObject({
          kind: 'stripe_evidence',
          respondBy: approveBy,
          evidence: { processorName: 'Stripe', processorDueBy: dueBy, lead: '2 days before' },
        });
        // The dashboard's figures: what the case opened for counts the 600 Stripe holds, as its in dispute does.
        const standing = standings.at(-1)!;
        expect(standing.openedFor).toEqual({ minor: 100_000, currency: 'USD' });
        expect(standing.held).toEqual({ minor: 60_000, currency: 'USD' });
        expect(standing.inDispute.minor + standing.held!.minor).toBe(standing.openedFor.minor);

        // Days pass with the evidence unapproved: a reminder before Shortfall's date, none saying it is lost.
        await ctx.env.sleep(8 * DAY - HOUR);
        const reminded = await until((_v, c) => c.owner.some((n) => n.kind === 'reminder'), 'the evidence reminder');
        const reminder = calls.owner.find((n) => n.kind === 'reminder')!;
        expect(reminder.subject).toBe('Chargeback evidence is waiting for your approval');
        expect(reminder.detail).toMatch(/2 days before Stripe's deadline/);
        expect(reminded.status).toBe('awaiting_approval');
        expect(calls.owner.filter((n) => lostNotice(n.subject))).toEqual([]);

        // Stripe decides for the owner: the 600 comes back (recovered), the evidence's dates no longer apply, and the
        // short payment's written response is drafted again.
        await handle.signal(chargebackSignal, { status: 'won' });
        const after = await until(
          (v) => v.chargeback?.status === 'won' && latest(v).kind === 'first_response' && latest(v).state === 'pending',
          'the written response drafted again',
        );
        expect(deadline(after, 'stripe_submit')).toBeUndefined();
        await until(() => standings.at(-1)!.recovered.minor === 60_000, 'the won chargeback recovered');
        expect(standings.at(-1)).toMatchObject({ openedFor: { minor: 100_000 }, outstanding: { minor: 40_000 } });
      },
      (recording) => ({
        projectCase: async (p) => {
          if (p.standing) standings.push(p.standing);
          await recording.projectCase(p);
        },
      }),
    );
  });
});
