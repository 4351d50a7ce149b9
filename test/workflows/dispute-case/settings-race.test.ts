// Settings the owner saves while a letter is being written: the letter is withdrawn and written again, so the payment
// deadline it states is the one the case sets when it goes out.
import { describe, expect, it } from 'vitest';
import { decideDraftUpdate, organisationSettingsSignal } from '../../../workflows/dispute-case/definitions.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { advanceToNext, deadline, latest, timeSkippingSuite, withCase } from './harness.js';

const ctx = timeSkippingSuite();

describe('settings saved while a letter is drafted', () => {
  it('withdraws the letter drafted from the old Settings; the redraft states the deadline the case sets', async () => {
    const learnedAt = await advanceToNext(ctx.env, 4, 15); // Thursday 10:00 New York
    const input = shortPaymentInput({ learnedAt });
    // The first response's drafting waits until the test has delivered the Settings signal.
    let drafting!: () => void;
    const started = new Promise<void>((r) => (drafting = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let held = false;
    try {
      await withCase(
        ctx.env,
        ctx.workflowBundle,
        input,
        async ({ handle, until, calls }) => {
          await started;
          // The owner lengthens the balance window from 14 to 30 days and signs differently.
          await handle.signal(organisationSettingsSignal, {
            revision: 1,
            organisation: {
              ...input.organisation,
              signature: 'Ana Ruiz, Founder',
              windows: { responseBusinessDays: 3, balanceDueDays: 30 },
            },
          });
          release();

          const v = await until((v) => v.drafts.length === 2 && latest(v).state === 'pending', 'the redraft');
          const [stale, redraft] = [v.drafts[0]!, v.drafts[1]!];
          expect(stale).toMatchObject({ kind: 'first_response', state: 'withdrawn' });
          expect(stale.withdrawn?.because).toMatch(/settings changed/);
          expect(redraft.kind).toBe('first_response');
          expect(redraft.dueBy).toBeDefined();
          expect(redraft.dueBy).not.toBe(stale.dueBy);
          expect(calls.letters.at(-1)).toMatchObject({ kind: 'first_response', paymentDueBy: redraft.dueBy });
          await expect(
            handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: 'ana' }] }),
          ).rejects.toMatchObject({
            cause: { message: expect.stringMatching(/^Draft v1 was withdrawn: the settings changed/) },
          });

          await handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 2, by: 'ana' }] });
          const sent = await until((v) => latest(v).state === 'sent' && deadline(v, 'payment') !== undefined, 'sent');
          expect(deadline(sent, 'payment')).toBe(redraft.dueBy);
          expect(calls.emails.at(-1)?.text).toContain(`due ${redraft.dueBy}`);
        },
        (recording) => ({
          draftLetter: async (r) => {
            if (r.kind === 'first_response' && !held) {
              held = true;
              drafting();
              await released;
            }
            return recording.draftLetter(r);
          },
        }),
      );
    } finally {
      release();
    }
  });
});
