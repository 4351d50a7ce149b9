// The short-payment path on the time-skipping server: receipt at once, response window, approval, deadlines.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  closeCaseUpdate,
  decideDraftUpdate,
  extendDeadlineUpdate,
  ledgerEventSignal,
} from '../../../workflows/dispute-case/definitions.js';
import type { CaseProjection } from '../../../workflows/dispute-case/activities.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { advanceToNext, deadline, latest, withCase, timeSkippingSuite } from './harness.js';

const DAY = 86_400_000;
const ctx = timeSkippingSuite();

describe('short payment', () => {
  it('documents the partial payment at once and drafts the written response for approval', async () => {
    const learnedAt = await advanceToNext(ctx.env, 5, 15); // Friday 10:00 New York
    await withCase(ctx.env, ctx.workflowBundle, shortPaymentInput({ learnedAt }), async ({ until, calls }) => {
      // The draft shows in the view before its approval request and audit entry are written: wait for both.
      const v = await until(
        (v, c) => v.status === 'awaiting_approval' && c.audits.includes('draft_ready'),
        'first draft',
      );
      expect(calls.emails[0]).toMatchObject({ to: 'pay@harbor.example', subject: 'receipt for invoice 1001' });
      expect(calls.letters.map((l) => l.kind)).toEqual(['receipt', 'first_response']);
      expect(calls.approvals).toHaveLength(1);
      expect(calls.approvals[0]).toMatchObject({ version: 1, kind: 'first_response' });
      expect(calls.audits).toEqual(expect.arrayContaining(['case_opened', 'receipt_sent', 'draft_ready']));
      expect(v.paid).toEqual({ minor: 60_000, currency: 'USD' });
      expect(v.disputed).toEqual({ minor: 40_000, currency: 'USD' });
      // 3 business days from Friday: Wednesday 17:00 New York; hard limit 5: Friday 17:00.
      expect(new Date(deadline(v, 'response')!).getUTCDay()).toBe(3);
      expect(new Date(deadline(v, 'response_limit')!).getUTCDay()).toBe(5);
      expect(Date.parse(deadline(v, 'response_limit')!) - Date.parse(learnedAt)).toBe(7 * DAY + 7 * 3_600_000);
    });
  });

  it("writes the case list's row with the receipt and with the approval request: six steps to the owner's approval", async () => {
    const rows: CaseProjection[] = [];
    const learnedAt = await advanceToNext(ctx.env, 2, 11);
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt }),
      async ({ handle, until }) => {
        const v = await until(
          (v, c) => v.status === 'awaiting_approval' && c.audits.includes('draft_ready') && rows.length === 2,
          'the approval request and its row',
        );
        const history = await handle.fetchHistory();
        const steps = (history.events ?? []).flatMap((e) =>
          e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [],
        );
        expect(steps).toEqual([
          'recordAudit',
          'attachInvoicePdf',
          'draftLetter',
          'sendEmailProjected',
          'draftLetter',
          'requestApprovalProjected',
        ]);
        // What the list shows once the receipt went out, and once the owner was asked: what the case itself says.
        const money = { paid: { minor: 60_000, currency: 'USD' }, disputed: { minor: 40_000, currency: 'USD' } };
        expect(rows[0]).toMatchObject({ status: 'open', ...money, nextDeadline: deadline(v, 'response') });
        expect(rows[1]).toMatchObject({ status: 'awaiting_approval', ...money, nextDeadline: deadline(v, 'response') });
        expect(v).toMatchObject({ status: rows[1]!.status, ...money });
      },
      (recording) => ({
        // Every row the list is given, by whichever step writes it.
        projectCase: async (p) => {
          rows.push(p);
          await recording.projectCase(p);
        },
        sendEmailProjected: async (m) => {
          rows.push(m.projection);
          return recording.sendEmailProjected(m);
        },
        requestApprovalProjected: async (r) => {
          rows.push(r.projection);
          await recording.requestApprovalProjected(r);
        },
      }),
    );
  });

  it('a payment that lands while the approval request goes out still reaches the case list', async () => {
    const rows: CaseProjection[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const onItsWay = new Promise<void>((r) => (entered = r));
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until }) => {
        await onItsWay; // the approval request's step has started, its row read before the payment
        await handle.signal(ledgerEventSignal, {
          kind: 'payment_applied',
          payment: {
            ref: { provider: 'quickbooks', accountId: 'realm-1', id: 'pay-2' },
            amount: { minor: 15_000, currency: 'USD' },
            date: '2026-12-10',
          },
          balance: { minor: 25_000, currency: 'USD' },
        });
        release();
        const v = await until(
          (v) => v.paid.minor === 75_000 && rows.at(-1)?.paid.minor === 75_000,
          'the payment on the case list',
        );
        // The step's own row was read before the payment; the one written after the step has it.
        const fromStep = rows.findIndex((r) => r.status === 'awaiting_approval');
        expect(rows[fromStep]!.paid.minor).toBe(60_000);
        expect(rows.at(-1)).toMatchObject({
          paid: { minor: 75_000, currency: 'USD' },
          disputed: { minor: 25_000, currency: 'USD' },
          status: v.status,
        });
      },
      (recording) => ({
        // The approval request is on its way when the payment is signalled.
        requestApprovalProjected: async (r) => {
          entered();
          await held;
          rows.push(r.projection);
          await recording.requestApprovalProjected(r);
        },
        projectCase: async (p) => {
          rows.push(p);
          await recording.projectCase(p);
        },
      }),
    );
  });

  it('sends the approved response and sets a payment deadline 14 days out', async () => {
    const learnedAt = await advanceToNext(ctx.env, 1, 14);
    await withCase(ctx.env, ctx.workflowBundle, shortPaymentInput({ learnedAt }), async ({ handle, until, calls }) => {
      await until((v) => v.status === 'awaiting_approval', 'draft');
      const result = await handle.executeUpdate(decideDraftUpdate, {
        args: [{ kind: 'approve', version: 1, by: 'ana@brightside.example' }],
      });
      expect(result).toEqual({ version: 1, outcome: 'approved' });
      const v = await until((v) => v.status === 'awaiting_payment', 'payment wait');
      expect(calls.emails.map((e) => e.subject)).toEqual([
        'receipt for invoice 1001',
        'first_response for invoice 1001',
      ]);
      expect(latest(v).state).toBe('sent');
      expect(deadline(v, 'response')).toBeUndefined();
      const due = Date.parse(deadline(v, 'payment')!);
      expect(due - Date.parse(learnedAt)).toBeGreaterThanOrEqual(14 * DAY);
      expect(due - Date.parse(learnedAt)).toBeLessThan(17 * DAY);
    });
  });

  it('rejects a stale approval and an approval of a rejected draft, and drafts a new version', async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until }) => {
        await until((v) => v.status === 'awaiting_approval', 'draft');
        await handle.executeUpdate(decideDraftUpdate, {
          args: [{ kind: 'reject', version: 1, by: 'ana', note: 'too harsh' }],
        });
        await until((v) => v.drafts.length === 2, 'second draft');
        const again = handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: 'ana' }] });
        await expect(again).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        await expect(again).rejects.toMatchObject({ cause: { message: 'Draft v1 was already rejected by ana.' } });
        await expect(
          handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 7, by: 'ana' }] }),
        ).rejects.toMatchObject({ cause: { message: 'There is no draft version 7.' } });
        await handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 2, by: 'ana' }] });
        await expect(
          handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 2, by: 'bo' }] }),
        ).rejects.toMatchObject({
          cause: { message: expect.stringMatching(/^Draft v2 was already (approved|sent) by ana\.$/) },
        });
      },
    );
  });

  it("sends the owner's edited text when a draft is edited and approved", async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until, calls }) => {
        await until((v) => v.status === 'awaiting_approval', 'draft');
        await handle.executeUpdate(decideDraftUpdate, {
          args: [
            {
              kind: 'edit_and_approve',
              version: 1,
              by: 'ana',
              subject: 'Invoice 1001',
              text: 'Hello <team>,\n\nThanks.',
            },
          ],
        });
        await until((v) => v.status === 'awaiting_payment', 'sent');
        expect(calls.emails[1]).toMatchObject({
          subject: 'Invoice 1001',
          text: 'Hello <team>,\n\nThanks.',
          html: '<p>Hello &lt;team&gt;,</p>\n<p>Thanks.</p>',
        });
      },
    );
  });

  it('resolves the case when a later payment clears the balance', async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until, calls }) => {
        await until((v) => v.status === 'awaiting_approval', 'draft');
        await handle.signal(ledgerEventSignal, {
          kind: 'payment_applied',
          payment: {
            ref: { provider: 'quickbooks', accountId: 'realm-1', id: 'pay-2' },
            amount: { minor: 40_000, currency: 'USD' },
            date: '2026-12-10',
          },
          balance: { minor: 0, currency: 'USD' },
        });
        const view = await handle.result();
        expect(view.status).toBe('resolved');
        expect(view.paid).toEqual({ minor: 100_000, currency: 'USD' });
        expect(calls.emails).toHaveLength(1); // only the receipt: the unapproved response was never sent
        expect(calls.audits).toEqual(expect.arrayContaining(['resolved', 'case_closed']));
      },
    );
  });

  it('lets the owner write the case off', async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until }) => {
        await until((v) => v.status === 'awaiting_approval', 'draft');
        expect(
          await handle.executeUpdate(closeCaseUpdate, {
            args: [{ kind: 'write_off', by: 'ana', note: 'not worth it' }],
          }),
        ).toBe('written_off');
        await expect(
          handle.executeUpdate(closeCaseUpdate, { args: [{ kind: 'resolved', by: 'ana' }] }),
        ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        expect((await handle.result()).status).toBe('written_off');
      },
    );
  });

  it('rejects extending a deadline that does not exist or by a silly amount', async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until }) => {
        const v = await until((v) => v.status === 'awaiting_approval', 'draft');
        await expect(
          handle.executeUpdate(extendDeadlineUpdate, { args: [{ deadline: 'payment', days: 3, by: 'ana' }] }),
        ).rejects.toMatchObject({ cause: { message: 'There is no payment deadline to extend.' } });
        await expect(
          handle.executeUpdate(extendDeadlineUpdate, { args: [{ deadline: 'response', days: 0, by: 'ana' }] }),
        ).rejects.toMatchObject({ cause: { message: 'Extend by 1 to 90 days.' } });
        const moved = await handle.executeUpdate(extendDeadlineUpdate, {
          args: [{ deadline: 'response', days: 2, by: 'ana' }],
        });
        expect(Date.parse(moved.at) - Date.parse(deadline(v, 'response')!)).toBe(2 * DAY);
      },
    );
  });
});
