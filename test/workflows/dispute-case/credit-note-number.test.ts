// The concession letter names the credit note by the ledger's own number (5001), which is known only once the case
// has posted it, after the owner approved the letter. Each ordering the case can meet under load is played here with
// the step that decides it held: the view read while the letter goes out, the sync reading the credit note back
// before the posting returns, and a posting retried after the ledger wrote the note.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { renderDraft } from '../../../activities/letters.js';
import { caseCreditReference } from '../../../src/domain/account.js';
import type { CaseActivities } from '../../../workflows/dispute-case/activities.js';
import {
  decideDraftUpdate,
  decideObjectionUpdate,
  ledgerEventSignal,
  registerObjectionUpdate,
} from '../../../workflows/dispute-case/definitions.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { latest, timeSkippingSuite, withCase, type CaseRun } from './harness.js';

const ctx = timeSkippingSuite();

const usd = (minor: number) => ({ minor, currency: 'USD' });
const approve = (version: number) => ({
  args: [{ kind: 'approve' as const, version, by: 'ana' }] as [{ kind: 'approve'; version: number; by: string }],
});
const creditNote = { ref: 'cm-1', total: usd(15_000), number: '5001' };

/** A step the test holds: `reached` settles when the activity starts, `release` lets it finish. */
function hold() {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  const released = new Promise<void>((r) => (release = r));
  return {
    reached,
    release,
    wait: () => (reach(), released),
    /** The test body, releasing the step however it ends: a held activity keeps the worker from shutting down. */
    around:
      (body: (run: CaseRun) => Promise<void>) =>
      async (run: CaseRun): Promise<void> => {
        try {
          await body(run);
        } finally {
          release();
        }
      },
  };
}

/** The first response sent, then the client names Signage and the owner concedes it and approves the letter. */
async function concessionApproved({ handle, until }: CaseRun): Promise<void> {
  await until((v) => v.status === 'awaiting_approval', 'the first response');
  await handle.executeUpdate(decideDraftUpdate, approve(1));
  await until((v) => v.status === 'awaiting_payment', 'the payment wait');
  await handle.executeUpdate(registerObjectionUpdate, {
    args: [{ kind: 'specific', by: 'ana', summary: 'Signage was delivered late', lineIds: ['l3'] }],
  });
  await handle.executeUpdate(decideObjectionUpdate, {
    args: [{ kind: 'concede', by: 'ana', lines: [{ lineId: 'l3', amount: usd(15_000) }] }],
  });
  const drafted = await until((v) => latest(v).kind === 'concession' && latest(v).state === 'pending', 'the draft');
  await handle.executeUpdate(decideDraftUpdate, approve(latest(drafted).version));
}

/** The case's activities with the real letters (so the draft carries the placeholder reference) and a ledger number. */
const withLetters =
  (more: (recording: CaseActivities) => Partial<CaseActivities> = () => ({})) =>
  (recording: CaseActivities): Partial<CaseActivities> => ({
    draftLetter: async (r) => (await recording.draftLetter(r), renderDraft(r)),
    postCreditNote: async (c) => (await recording.postCreditNote(c), creditNote),
    ...more(recording),
  });

const concessionEmail = (run: CaseRun) => run.calls.emails.find((m) => /points you raised/.test(m.subject));

describe('the credit note number in the concession letter', () => {
  it('is in the case’s copy of the letter while the letter goes out, not only once the send has returned', async () => {
    const input = shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() });
    const placeholder = caseCreditReference(input.caseId);
    const sending = hold();
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      input,
      sending.around(async (run) => {
        await concessionApproved(run);
        await sending.reached;
        // The client already has the letter (the outbox delivered it); the case has not heard back from the send.
        const email = concessionEmail(run)!;
        expect(email.text).toContain('Credit note 5001 for $150.00');
        const going = latest(await run.view());
        expect(going).toMatchObject({ kind: 'concession', state: 'approved' });
        expect(going.content.text).toContain('Credit note 5001 for $150.00');
        expect(going.content.text).not.toContain(placeholder);
        sending.release();
        const sent = await run.until((v) => latest(v).state === 'sent', 'the concession sent');
        expect(latest(sent).content).toMatchObject({ subject: email.subject, text: email.text, html: email.html });
      }),
      withLetters((recording) => ({
        sendEmail: async (m) => {
          const result = await recording.sendEmail(m);
          if (/points you raised/.test(m.subject)) await sending.wait();
          return result;
        },
      })),
    );
  });

  it('is in the letter when the sync reads the credit note back before the posting returns, counted once', async () => {
    const input = shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() });
    const posting = hold();
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      input,
      posting.around(async (run) => {
        await concessionApproved(run);
        await posting.reached;
        // The ledger's copy, as the sync reads it: its own number, applied to the invoice.
        await run.handle.signal(ledgerEventSignal, {
          kind: 'credit_note_seen',
          ref: { provider: 'quickbooks', accountId: 'realm-1', id: creditNote.ref },
          amount: creditNote.total,
          number: creditNote.number,
        });
        await run.until((v) => v.account.credited.minor === 15_000, 'the ledger copy seen');
        posting.release();
        const sent = await run.until((v) => latest(v).state === 'sent', 'the concession sent');
        expect(concessionEmail(run)!.text).toContain('Credit note 5001 for $150.00');
        expect(latest(sent).content.text).toContain('Credit note 5001 for $150.00');
        expect(sent.account).toMatchObject({ credited: usd(15_000), stillOwed: usd(25_000) });
        expect(sent.account.credits).toEqual([expect.objectContaining({ ref: 'cm-1', number: '5001', ours: true })]);
      }),
      withLetters((recording) => ({
        postCreditNote: async (c) => {
          await recording.postCreditNote(c);
          await posting.wait();
          return creditNote;
        },
      })),
    );
  });

  it('is in the letter when the posting is retried after the ledger wrote the note', async () => {
    const input = shortPaymentInput({ learnedAt: new Date(await ctx.env.currentTimeMs()).toISOString() });
    let attempts = 0;
    await withCase(
      ctx.env,
      ctx.workflowBundle,
      input,
      async (run) => {
        await concessionApproved(run);
        const sent = await run.until((v) => latest(v).state === 'sent', 'the concession sent');
        // Two attempts, one key: the ledger wrote the note once and answered the retry with it.
        expect(run.calls.credits.map((c) => c.key)).toEqual([run.calls.credits[0]!.key, run.calls.credits[0]!.key]);
        expect(concessionEmail(run)!.text).toContain('Credit note 5001 for $150.00');
        expect(latest(sent).content.text).toContain('Credit note 5001 for $150.00');
        expect(sent.account).toMatchObject({ credited: usd(15_000), stillOwed: usd(25_000) });
      },
      withLetters((recording) => ({
        postCreditNote: async (c) => {
          await recording.postCreditNote(c);
          // The note is written, but the answer is lost on the way back (a timeout, a dropped connection).
          if (++attempts === 1) throw ApplicationFailure.retryable('the connection dropped after the note was written');
          return creditNote;
        },
      })),
    );
  });
});
