// Objections after the response: vague → ask again; specific → concede (credit note) or uphold.
import { describe, expect, it } from 'vitest';
import {
  closeCaseUpdate,
  decideDraftUpdate,
  decideObjectionUpdate,
  registerObjectionUpdate,
} from '../../../workflows/dispute-case/definitions.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { latest, withCase, type CaseRun, timeSkippingSuite } from './harness.js';

const ctx = timeSkippingSuite();

const usd = (minor: number) => ({ minor, currency: 'USD' });
const approve = (version: number) => ({
  args: [{ kind: 'approve' as const, version, by: 'ana' }] as [{ kind: 'approve'; version: number; by: string }],
});

async function responded(run: CaseRun) {
  await run.until((v) => v.status === 'awaiting_approval', 'draft');
  await run.handle.executeUpdate(decideDraftUpdate, approve(1));
  await run.until((v) => v.status === 'awaiting_payment', 'payment wait');
}

const withResponded = async (body: (run: CaseRun) => Promise<void>) =>
  withCase(
    ctx.env,
    ctx.workflowBundle,
    shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() }),
    async (run) => {
      await responded(run);
      await body(run);
    },
  );

describe('objections', () => {
  it('answers a vague objection by asking which line is disputed and why', async () => {
    await withResponded(async ({ handle, until, calls }) => {
      await handle.executeUpdate(registerObjectionUpdate, {
        args: [{ kind: 'vague', by: 'ana', summary: 'Client says they are not happy' }],
      });
      const v = await until((v) => latest(v).kind === 'ask_specifics', 'ask-specifics draft');
      expect(calls.letters.at(-1)).toMatchObject({
        kind: 'ask_specifics',
        objection: { summary: 'Client says they are not happy', lineIds: [] },
      });
      await handle.executeUpdate(decideDraftUpdate, approve(latest(v).version));
      const after = await until((v) => v.status === 'awaiting_payment' && latest(v).state === 'sent', 'reply sent');
      expect(after.timeline.map((t) => t.kind)).toContain('objection_answered');
    });
  });

  it('concedes a line: the concession letter is approved, then the credit note is posted once and the balance narrows', async () => {
    await withResponded(async ({ handle, until, calls }) => {
      expect(
        await handle.executeUpdate(registerObjectionUpdate, {
          args: [{ kind: 'specific', by: 'ana', summary: 'Signage was delivered late', lineIds: ['l3'] }],
        }),
      ).toBe('awaiting_owner');
      await until((_v, c) => c.owner.some((n) => n.kind === 'objection'), 'owner asked to decide');
      await handle.executeUpdate(decideObjectionUpdate, {
        args: [{ kind: 'concede', by: 'ana', lines: [{ lineId: 'l3', amount: usd(15_000) }] }],
      });
      const drafted = await until((v) => latest(v).kind === 'concession', 'concession draft');
      expect(calls.letters.at(-1)).toMatchObject({
        kind: 'concession',
        balance: usd(25_000),
        concession: { lines: [{ lineId: 'l3', amount: usd(15_000) }] },
      });
      expect(calls.credits).toHaveLength(0); // nothing is posted before the owner approves
      await handle.executeUpdate(decideDraftUpdate, approve(latest(drafted).version));
      const v = await until((v) => v.status === 'awaiting_payment' && latest(v).state === 'sent', 'concession sent');
      expect(calls.credits).toHaveLength(1);
      expect(calls.credits[0]).toMatchObject({
        invoiceId: 'inv-1001',
        currency: 'USD',
        lines: [{ lineId: 'l3', description: 'Signage', amount: usd(15_000) }],
      });
      // Still owed: the rest of the invoice; in dispute: nothing, since the one line the client named was credited.
      expect(v.account).toMatchObject({
        paid: usd(60_000),
        credited: usd(15_000),
        stillOwed: usd(25_000),
        inDispute: usd(0),
      });
      expect(v.conceded).toEqual(usd(15_000));
      expect(calls.audits).toContain('credit_note_posted');
    });
  });

  it('upholds the invoice with a reply that restates the deadline', async () => {
    await withResponded(async ({ handle, until, calls }) => {
      await handle.executeUpdate(registerObjectionUpdate, {
        args: [{ kind: 'specific', by: 'ana', summary: 'Rate was $X not $Y', lineIds: ['l1'] }],
      });
      await handle.executeUpdate(decideObjectionUpdate, { args: [{ kind: 'uphold', by: 'ana' }] });
      const v = await until((v) => latest(v).kind === 'uphold', 'uphold draft');
      expect(calls.letters.at(-1)).toMatchObject({ kind: 'uphold', paymentDueBy: latest(v).dueBy });
      await handle.executeUpdate(decideDraftUpdate, approve(latest(v).version));
      const sent = await until((v) => latest(v).state === 'sent', 'uphold sent');
      expect(sent.deadlines.find((d) => d.name === 'payment')!.at).toBe(latest(sent).dueBy);
      expect(calls.credits).toHaveLength(0);
    });
  });

  it('rejects concessions that break the rules, before anything is written to history', async () => {
    await withResponded(async ({ handle }) => {
      await expect(
        handle.executeUpdate(decideObjectionUpdate, { args: [{ kind: 'uphold', by: 'ana' }] }),
      ).rejects.toMatchObject({ cause: { message: 'There is no specific objection waiting for a decision.' } });
      await expect(
        handle.executeUpdate(registerObjectionUpdate, {
          args: [{ kind: 'specific', by: 'ana', summary: 'x', lineIds: ['l9'] }],
        }),
      ).rejects.toMatchObject({ cause: { message: 'Unknown invoice line(s): l9.' } });
      await handle.executeUpdate(registerObjectionUpdate, {
        args: [{ kind: 'specific', by: 'ana', summary: 'Menu design', lineIds: ['l2'] }],
      });
      const concede = (amount: { minor: number; currency: string }, lineId = 'l2') =>
        handle.executeUpdate(decideObjectionUpdate, {
          args: [{ kind: 'concede', by: 'ana', lines: [{ lineId, amount }] }],
        });
      await expect(concede(usd(30_000))).rejects.toMatchObject({
        cause: { message: 'Menu design is only $250.00: concede at most that.' },
      });
      await expect(concede({ minor: 100, currency: 'EUR' })).rejects.toMatchObject({
        cause: { message: 'Concessions must be in USD.' },
      });
      await expect(concede(usd(-5))).rejects.toMatchObject({
        cause: { message: 'A conceded amount must be positive.' },
      });
      await expect(
        handle.executeUpdate(registerObjectionUpdate, { args: [{ kind: 'vague', by: 'ana', summary: 'again' }] }),
      ).rejects.toMatchObject({ cause: { message: 'An earlier objection is still being answered.' } });
      const history = await handle.fetchHistory();
      const rejectedInHistory = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      expect(rejectedInHistory).toBe(2); // approval of v1 and the valid objection only
      await handle.executeUpdate(closeCaseUpdate, { args: [{ kind: 'withdraw', by: 'ana' }] });
    });
  });
});
