// The chargeback branch, and a run continued as new that resumes mid-case from its carried state.
import { describe, expect, it } from 'vitest';
import {
  caseViewQuery,
  clientReplySignal,
  decideDraftUpdate,
  chargebackSignal,
} from '../../../workflows/dispute-case/definitions.js';
import { addDraft, initialState, scheduleResponse } from '../../../workflows/dispute-case/state.js';
import { chargebackInput, shortPaymentInput } from '../../helpers/case-fixtures.js';
import { deadline, latest, withCase, timeSkippingSuite } from './harness.js';

const HOUR = 3_600_000;
const ctx = timeSkippingSuite();

describe('Stripe chargeback', () => {
  it('stages evidence, submits it once after approval before due_by, and resolves when won', async () => {
    const now = await ctx.env.currentTimeMs();
    const dueBy = new Date(now + 10 * 24 * HOUR).toISOString();
    const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      { ...input, chargeback: { ...input.chargeback!, dueBy } },
      async ({ handle, until, calls }) => {
        const v = await until(
          (v, c) => v.status === 'awaiting_approval' && c.staged.length > 0,
          'evidence draft staged',
        );
        expect(latest(v).kind).toBe('stripe_evidence');
        expect(latest(v).content.evidence).toMatchObject({ product_description: 'Design work' });
        expect(calls.staged).toHaveLength(1);
        expect(calls.submitted).toHaveLength(0); // nothing reaches Stripe's decision before the owner approves
        // due_by minus the 48-hour safety margin
        expect(Date.parse(dueBy) - Date.parse(deadline(v, 'stripe_submit')!)).toBe(48 * HOUR);
        expect(calls.emails).toHaveLength(0); // no letter to a cardholder
        await handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: 'ana' }] });
        await until((v) => v.status === 'stripe_submitted', 'submitted');
        expect(calls.submitted).toEqual([`${handle.workflowId}/stripe/submit/dp_1/1`]);
        await handle.signal(chargebackSignal, { status: 'under_review' });
        await handle.signal(chargebackSignal, { status: 'won' });
        const done = await handle.result();
        expect(done.status).toBe('resolved');
        expect(calls.submitted).toHaveLength(1);
        expect(calls.owner.at(-1)).toMatchObject({ kind: 'stripe_outcome', subject: 'Chargeback won' });
      },
    );
  });

  it('warns the owner when the evidence deadline passes without approval, and closes a lost dispute', async () => {
    const now = await ctx.env.currentTimeMs();
    const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      { ...input, chargeback: { ...input.chargeback!, dueBy: new Date(now + 4 * 24 * HOUR).toISOString() } },
      async ({ handle, until, calls }) => {
        await until((v) => v.status === 'awaiting_approval', 'evidence draft');
        await ctx.env.sleep(3 * 24 * HOUR);
        await until((_v, c) => c.owner.some((n) => n.kind === 'overdue'), 'overdue warning');
        expect(calls.submitted).toHaveLength(0);
        await handle.signal(chargebackSignal, { status: 'lost' });
        expect((await handle.result()).status).toBe('written_off');
      },
    );
  });
});

describe('continue-as-new', () => {
  it('resumes from carried state: the pending draft is still approvable and nothing is redone', async () => {
    const now = new Date(await ctx.env.currentTimeMs()).toISOString();
    const input = shortPaymentInput({ learnedAt: now });
    let carried = scheduleResponse(initialState(input, now), now, now);
    carried = addDraft(
      { ...carried, announced: true },
      'first_response',
      { subject: 'Carried draft', text: 'carried', html: '<p>carried</p>', attachments: [] },
      now,
      new Date(Date.parse(now) + 14 * 24 * HOUR).toISOString(),
    );
    await withCase(ctx.env, ctx.workflowBundle, { ...input, carried }, async ({ handle, until, calls }) => {
      const v = await handle.query(caseViewQuery);
      expect(v.drafts).toHaveLength(1);
      await handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: 'ana' }] });
      await until((v) => v.status === 'awaiting_payment', 'sent after resume');
      expect(calls.letters).toHaveLength(0); // no receipt or draft rendered again
      expect(calls.emails.map((e) => e.subject)).toEqual(['Carried draft']);
    });
  });
});

describe('client replies', () => {
  it('records a reply from the client on the timeline and hands the case to the owner', async () => {
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
      async ({ handle, until }) => {
        await until((v) => v.status === 'awaiting_approval', 'draft');
        await handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: 'ana' }] });
        await until((v) => v.status === 'awaiting_payment', 'sent');
        await handle.signal(clientReplySignal, {
          receivedAt: new Date().toISOString(),
          from: 'pay@harbor.example',
          subject: 'Re: Invoice 1001',
          text: 'The signage was late.',
        });
        const v = await until((v) => v.timeline.some((t) => t.kind === 'client_reply'), 'reply recorded');
        expect(v.timeline.at(-1)!.summary).toBe('Reply from pay@harbor.example: Re: Invoice 1001');
      },
    );
  });
});
