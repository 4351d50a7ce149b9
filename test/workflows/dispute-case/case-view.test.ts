// What the caseView Query tells the web page in structured fields: the invoice lines and the open objection,
// from registration through the owner's decision to the letter that answers it, and after continue-as-new.
import { describe, expect, it } from 'vitest';
import {
  decideDraftUpdate,
  decideObjectionUpdate,
  registerObjectionUpdate,
} from '../../../workflows/dispute-case/definitions.js';
import * as st from '../../../workflows/dispute-case/state.js';
import { chargebackInput, shortPaymentInput } from '../../helpers/case-fixtures.js';
import { latest, withCase, type CaseRun, timeSkippingSuite } from './harness.js';

const ctx = timeSkippingSuite();

const usd = (minor: number) => ({ minor, currency: 'USD' });
const approve = (version: number) => ({
  args: [{ kind: 'approve' as const, version, by: 'ana' }] as [{ kind: 'approve'; version: number; by: string }],
});
const invoiceLines = [
  { id: 'l1', description: 'Brand identity', amount: usd(60_000) },
  { id: 'l2', description: 'Menu design', amount: usd(25_000) },
  { id: 'l3', description: 'Signage', amount: usd(15_000) },
];

async function responded(run: CaseRun) {
  await run.until((v) => v.status === 'awaiting_approval', 'draft');
  await run.handle.executeUpdate(decideDraftUpdate, approve(1));
  await run.until((v) => v.status === 'awaiting_payment', 'payment wait');
}

const learnedNow = async () => new Date(await ctx.env.currentTimeMs()).toISOString();

describe('case view query', () => {
  it('lists the invoice lines and no objection while the client has not objected', async () => {
    await withCase(ctx.env, ctx.workflowBundle, shortPaymentInput({ learnedAt: await learnedNow() }), async (run) => {
      const v = await run.view();
      expect(v.lines).toEqual(invoiceLines); // id, description and amount only: quantity and unit price stay in the workflow
      expect(v.objection).toBeUndefined();
    });
  });

  it('has no lines for a chargeback without an invoice', async () => {
    await withCase(ctx.env, ctx.workflowBundle, chargebackInput({ learnedAt: await learnedNow() }), async (run) => {
      expect((await run.view()).lines).toEqual([]);
    });
  });

  it('shows a specific objection until its concession letter is sent, with the decision once made', async () => {
    await withCase(ctx.env, ctx.workflowBundle, shortPaymentInput({ learnedAt: await learnedNow() }), async (run) => {
      await responded(run);
      await run.handle.executeUpdate(registerObjectionUpdate, {
        args: [{ kind: 'specific', by: 'ana', summary: 'Signage was delivered late', lineIds: ['l3'] }],
      });
      const registered = await run.view();
      const at = registered.timeline.findLast((t) => t.kind === 'objection')!.at;
      expect(registered.objection).toEqual({
        kind: 'specific',
        summary: 'Signage was delivered late',
        lineIds: ['l3'],
        by: 'ana',
        registeredAt: at,
      });

      const concede = { kind: 'concede' as const, by: 'ana', lines: [{ lineId: 'l3', amount: usd(15_000) }] };
      await run.handle.executeUpdate(decideObjectionUpdate, { args: [concede] });
      const decided = await run.until((v) => latest(v).kind === 'concession', 'concession draft');
      expect(decided.objection).toEqual({ ...registered.objection, decision: concede });

      await run.handle.executeUpdate(decideDraftUpdate, approve(latest(decided).version));
      const answered = await run.until(
        (v) => v.status === 'awaiting_payment' && latest(v).state === 'sent',
        'concession sent',
      );
      expect(answered.objection).toBeUndefined();
      expect(answered.lines).toEqual(invoiceLines); // a credit note narrows the balance, not the invoice as issued
    });
  });

  it('shows a vague objection with no lines until the request for specifics is sent', async () => {
    await withCase(ctx.env, ctx.workflowBundle, shortPaymentInput({ learnedAt: await learnedNow() }), async (run) => {
      await responded(run);
      await run.handle.executeUpdate(registerObjectionUpdate, {
        args: [{ kind: 'vague', by: 'ana', summary: 'Client is not happy' }],
      });
      const v = await run.until((v) => latest(v).kind === 'ask_specifics', 'ask-specifics draft');
      expect(v.objection).toMatchObject({ kind: 'vague', summary: 'Client is not happy', lineIds: [], by: 'ana' });
      expect(v.objection).not.toHaveProperty('decision');
      await run.handle.executeUpdate(decideDraftUpdate, approve(latest(v).version));
      expect((await run.until((v) => latest(v).state === 'sent', 'reply sent')).objection).toBeUndefined();
    });
  });

  it('keeps the objection and lines through continue-as-new: both come from the carried state', async () => {
    const now = await learnedNow();
    const input = shortPaymentInput({ learnedAt: now });
    let carried = st.scheduleResponse(st.initialState(input, now), now, now);
    carried = st.applyObjection(
      { ...carried, announced: true, firstResponseSent: true },
      { kind: 'specific', by: 'ana', summary: 'Menu design took 6 hours', lineIds: ['l2'] },
      now,
    );
    carried = st.applyObjectionDecision(carried, { kind: 'uphold', by: 'ana' }, now);
    await withCase(ctx.env, ctx.workflowBundle, { ...input, carried }, async (run) => {
      const v = await run.view();
      expect(v.lines).toEqual(invoiceLines);
      expect(v.objection).toEqual({
        kind: 'specific',
        summary: 'Menu design took 6 hours',
        lineIds: ['l2'],
        by: 'ana',
        registeredAt: now,
        decision: { kind: 'uphold', by: 'ana' },
      });
    });
  });
});
