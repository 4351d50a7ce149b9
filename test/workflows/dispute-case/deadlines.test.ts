// Paths that cross days: reminders over a weekend, final notice and escalation, extensions, the ledger pause.
import { describe, expect, it } from 'vitest';
import {
  decideDraftUpdate,
  extendDeadlineUpdate,
  ledgerEventSignal,
} from '../../../workflows/dispute-case/definitions.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { advanceToNext, deadline, latest, withCase, timeSkippingSuite } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ctx = timeSkippingSuite();

const approve = (version: number) => ({
  args: [{ kind: 'approve' as const, version, by: 'ana' }] as [{ kind: 'approve'; version: number; by: string }],
});

describe('response window', () => {
  it('counts 5 business days across a weekend, reminds the owner, then says the window closed', async () => {
    const learnedAt = await advanceToNext(ctx.env, 4, 15); // Thursday 10:00 New York
    await withCase(ctx.env, ctx.workflowBundle, shortPaymentInput({ learnedAt }), async ({ until, calls }) => {
      const v = await until((v) => v.status === 'awaiting_approval', 'draft');
      // 3 business days from Thursday skips Saturday and Sunday: Tuesday; 5: Thursday next week.
      expect(new Date(deadline(v, 'response')!).getUTCDay()).toBe(2);
      expect(Date.parse(deadline(v, 'response_limit')!) - Date.parse(learnedAt)).toBe(7 * DAY + 7 * HOUR);
      await ctx.env.sleep(4 * DAY); // Monday 10:00: the day-before reminder (Monday 09:00) is out
      await until((_v, c) => c.owner.some((n) => n.kind === 'reminder'), 'reminder');
      expect(calls.owner.filter((n) => n.kind === 'deadline_reached')).toHaveLength(0);
      await ctx.env.sleep(DAY + 8 * HOUR); // Tuesday 18:00: past the response deadline
      await until((_v, c) => c.owner.some((n) => n.kind === 'deadline_reached'), 'deadline notice');
      await ctx.env.sleep(2 * DAY); // Thursday 18:00: past the hard limit
      await until((_v, c) => c.owner.some((n) => n.kind === 'overdue'), 'overdue notice');
      expect(calls.emails).toHaveLength(1); // nothing goes to the client without approval
      expect(new Set(calls.owner.map((n) => n.key)).size).toBe(calls.owner.length);
    });
  });

  it('takes the urgent path for a "full and final" memo: owner alerted at once, response due next business day', async () => {
    const learnedAt = await advanceToNext(ctx.env, 5, 15); // Friday
    const input = shortPaymentInput({
      learnedAt,
      fullAndFinal: {
        payment: { provider: 'quickbooks', accountId: 'realm-1', id: 'pay-1' },
        memo: 'Full and final payment',
        matched: 'full and final',
      },
    });
    await withCase(ctx.env, ctx.workflowBundle, input, async ({ until, calls }) => {
      const v = await until((v) => v.status === 'awaiting_approval', 'draft');
      expect(calls.owner[0]).toMatchObject({
        kind: 'full_and_final',
        subject: expect.stringContaining('full and final'),
      });
      expect(calls.letters[1]).toMatchObject({ kind: 'first_response', fullAndFinal: { matched: 'full and final' } });
      expect(Date.parse(deadline(v, 'response')!) - Date.parse(learnedAt)).toBe(3 * DAY + 7 * HOUR); // Monday 17:00
    });
  });
});

describe('payment deadline', () => {
  it('sends a final notice after the deadline, then builds the evidence pack and escalates', async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until, calls }) => {
        await until((v) => v.status === 'awaiting_approval', 'draft');
        await handle.executeUpdate(decideDraftUpdate, approve(1));
        await until((v) => v.status === 'awaiting_payment', 'payment wait');
        await ctx.env.sleep(18 * DAY);
        const drafted = await until((v) => latest(v).kind === 'final_notice', 'final notice draft');
        expect(latest(drafted)).toMatchObject({ version: 2, state: 'pending' });
        expect(calls.letters.at(-1)!.kind).toBe('final_notice');
        await handle.executeUpdate(decideDraftUpdate, approve(2));
        let v = await until((v) => v.status === 'final_notice', 'final notice sent');
        expect(calls.emails.at(-1)!.subject).toBe('final_notice for invoice 1001');
        const due = Date.parse(deadline(v, 'final_notice')!);
        await ctx.env.sleep(due - (await ctx.env.currentTimeMs()) + HOUR);
        v = await until(
          (v, c) => v.status === 'escalated' && c.owner.some((n) => n.kind === 'escalated'),
          'escalation',
        );
        expect(calls.packs).toHaveLength(1);
        expect(calls.owner.at(-1)).toMatchObject({
          kind: 'escalated',
          detail: expect.stringContaining('evidence pack'),
        });
        expect(v.timeline.map((t) => t.kind)).toContain('escalated');
      },
    );
  });

  it('moves the final notice when the owner extends the payment deadline', async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until }) => {
        await until((v) => v.status === 'awaiting_approval', 'draft');
        await handle.executeUpdate(decideDraftUpdate, approve(1));
        const before = await until((v) => v.status === 'awaiting_payment', 'payment wait');
        const moved = await handle.executeUpdate(extendDeadlineUpdate, {
          args: [{ deadline: 'payment', days: 10, by: 'ana' }],
        });
        expect(Date.parse(moved.at) - Date.parse(deadline(before, 'payment')!)).toBe(10 * DAY);
        await ctx.env.sleep(Date.parse(deadline(before, 'payment')!) - (await ctx.env.currentTimeMs()) + DAY);
        expect(((await handle.query('caseView' as never)) as { status: string }).status).toBe('awaiting_payment');
        await ctx.env.sleep(10 * DAY);
        await until((v) => latest(v).kind === 'final_notice', 'final notice after the extension');
      },
    );
  });

  it('pauses payment clocks while the ledger connection is broken and tells the owner', async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until, calls }) => {
        await until((v) => v.status === 'awaiting_approval', 'draft');
        await handle.executeUpdate(decideDraftUpdate, approve(1));
        const before = await until((v) => v.status === 'awaiting_payment', 'payment wait');
        await handle.signal(ledgerEventSignal, { kind: 'connection_broken', reason: 'invalid_grant' });
        await until((_v, c) => c.owner.some((n) => n.kind === 'connection_broken'), 'owner told');
        await ctx.env.sleep(20 * DAY); // far past the original deadline: nothing happens while paused
        let v = await until((v) => !v.ledgerConnected, 'paused');
        expect(v.drafts).toHaveLength(1);
        await handle.signal(ledgerEventSignal, { kind: 'connection_restored' });
        v = await until((v) => v.ledgerConnected, 'restored');
        // The clock resumes with the business time it had left: about 20 days later, weekends not counted down.
        const shifted = Date.parse(deadline(v, 'payment')!) - Date.parse(deadline(before, 'payment')!);
        expect(shifted).toBeGreaterThanOrEqual(20 * DAY);
        expect(shifted).toBeLessThanOrEqual(23 * DAY);
        expect(deadline(v, 'response')).toBeUndefined(); // the response went out before the break
        expect(calls.owner.filter((n) => n.kind === 'connection_broken')).toHaveLength(1);
      },
    );
  });
});
