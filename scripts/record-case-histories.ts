// Records dispute-case histories for test/fixtures/histories: `node --import tsx scripts/record-case-histories.ts`,
// or name the ones to record (`… record-case-histories.ts case-settings-changed`); the others are kept as they are.
// Re-record only on purpose: a recorded history that stops replaying means running cases would break on deploy.
// case-numbered-concession-before-keep-first.json is not recorded here: it was recorded on the code before the patch
// letter-as-sent-before-sending (7cbd92b, with this script's scenarios and activity overrides) and must stay that way.
// Nor is case-chargeback-evidence-edit-before-read-by-heading.json: recorded on e2d3746, before the patch
// evidence-edit-read-by-heading, as case-chargeback-won with the evidence edited to 'We delivered everything on time.'
// (no heading: approved then, refused now).
import { writeFile } from 'node:fs/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import {
  caseViewQuery,
  closeCaseUpdate,
  decideDraftUpdate,
  decideObjectionUpdate,
  registerObjectionUpdate,
  chargebackSignal,
  ledgerEventSignal,
  organisationSettingsSignal,
  type CaseView,
  type DisputeCaseInput,
} from '../workflows/dispute-case/definitions.js';
import type { CaseActivities } from '../workflows/dispute-case/activities.js';
import { disputeCaseWorkflow } from '../workflows/dispute-case/workflow.js';
import { chargebackInput, recordingActivities, shortPaymentInput } from '../test/helpers/case-fixtures.js';
import { bundle, createDevEnv } from '../test/helpers/temporal-env.js';

type Handle = WorkflowHandle<typeof disputeCaseWorkflow>;
const env = await createDevEnv();
const until = async (h: Handle, pred: (v: CaseView) => boolean) => {
  for (let i = 0; i < 200; i++) {
    if (pred(await h.query(caseViewQuery))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
};
const latest = (v: CaseView) => v.drafts[v.drafts.length - 1]!;

const scenarios: Record<
  string,
  {
    input: DisputeCaseInput;
    drive(h: Handle): Promise<void>;
    /** Activities that replace the recording ones. */
    activities?: (recording: CaseActivities) => Partial<CaseActivities>;
  }
> = {
  'case-short-payment-concession': {
    input: shortPaymentInput({
      learnedAt: new Date().toISOString(),
      fullAndFinal: {
        payment: { provider: 'quickbooks', accountId: 'realm-1', id: 'pay-1' },
        memo: 'Full & final',
        matched: 'full & final',
      },
    }),
    async drive(h) {
      await until(h, (v) => v.status === 'awaiting_approval');
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'reject', version: 1, by: 'ana' }] });
      await until(h, (v) => v.drafts.length === 2);
      await h.executeUpdate(decideDraftUpdate, {
        args: [{ kind: 'edit_and_approve', version: 2, by: 'ana', subject: 'Invoice 1001', text: 'Edited.' }],
      });
      await until(h, (v) => v.status === 'awaiting_payment');
      await h.executeUpdate(registerObjectionUpdate, {
        args: [{ kind: 'specific', by: 'ana', summary: 'Signage late', lineIds: ['l3'] }],
      });
      await h.executeUpdate(decideObjectionUpdate, {
        args: [{ kind: 'concede', by: 'ana', lines: [{ lineId: 'l3', amount: { minor: 15_000, currency: 'USD' } }] }],
      });
      await until(h, (v) => latest(v).kind === 'concession');
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 3, by: 'ana' }] });
      await until(h, (v) => latest(v).state === 'sent');
      await h.executeUpdate(closeCaseUpdate, { args: [{ kind: 'write_off', by: 'ana' }] });
    },
  },
  // Settings saved while the case waits for approval (its draft is redrafted) and again while it waits for payment.
  'case-settings-changed': {
    input: shortPaymentInput({ learnedAt: new Date().toISOString() }),
    async drive(h) {
      await until(h, (v) => v.status === 'awaiting_approval');
      const organisation = shortPaymentInput().organisation;
      await h.signal(organisationSettingsSignal, {
        revision: 1,
        organisation: {
          ...organisation,
          signature: 'Ana Ruiz, Founder',
          timeZone: 'Europe/Lisbon',
          settingsRevision: 1,
        },
      });
      await until(h, (v) => v.drafts.length === 2 && latest(v).state === 'pending');
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 2, by: 'ana' }] });
      await until(h, (v) => v.status === 'awaiting_payment');
      await h.signal(organisationSettingsSignal, {
        revision: 2,
        organisation: { ...organisation, holidays: ['2026-12-24'], settingsRevision: 2 },
      });
      await until(h, (v) => v.timeline.filter((t) => t.kind === 'settings').length === 2);
      await h.executeUpdate(closeCaseUpdate, { args: [{ kind: 'write_off', by: 'ana' }] });
    },
  },
  // The first response goes out, the owner moves the business to another zone, then a concession goes out naming the
  // ledger's credit note number: the letters keep the zone they went out in, and the numbered letter is kept as sent
  // before it is sent.
  'case-zone-changed-concession': {
    input: shortPaymentInput({ learnedAt: new Date().toISOString() }),
    activities: (recording) => ({
      postCreditNote: async (c) => ({ ...(await recording.postCreditNote(c)), number: '5001' }),
    }),
    async drive(h) {
      await until(h, (v) => v.status === 'awaiting_approval');
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: 'ana' }] });
      await until(h, (v) => v.status === 'awaiting_payment');
      const organisation = shortPaymentInput().organisation;
      await h.signal(organisationSettingsSignal, {
        revision: 1,
        organisation: { ...organisation, timeZone: 'Pacific/Auckland', settingsRevision: 1 },
      });
      await until(h, (v) => v.timeline.some((t) => t.kind === 'settings'));
      await h.executeUpdate(registerObjectionUpdate, {
        args: [{ kind: 'specific', by: 'ana', summary: 'Signage late', lineIds: ['l3'] }],
      });
      await h.executeUpdate(decideObjectionUpdate, {
        args: [{ kind: 'concede', by: 'ana', lines: [{ lineId: 'l3', amount: { minor: 15_000, currency: 'USD' } }] }],
      });
      await until(h, (v) => latest(v).kind === 'concession');
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 2, by: 'ana' }] });
      await until(h, (v) => latest(v).state === 'sent');
      await h.executeUpdate(closeCaseUpdate, { args: [{ kind: 'write_off', by: 'ana' }] });
    },
  },
  // Recorded after the receipt's and the approval request's audit entries moved into the activities that send them
  // (patch audit-in-its-step): a short payment through to the owner's approval and the letter sent.
  'case-audit-in-its-step': {
    input: shortPaymentInput({ learnedAt: new Date().toISOString() }),
    async drive(h) {
      await until(h, (v) => v.status === 'awaiting_approval');
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: 'ana' }] });
      await until(h, (v) => v.status === 'awaiting_payment');
      await h.executeUpdate(closeCaseUpdate, { args: [{ kind: 'write_off', by: 'ana' }] });
    },
  },
  // Recorded after the case list's row moved into the steps that send the receipt and the approval request (patch
  // project-in-its-step): a short payment through to the owner's approval, a payment while it waits, the letter sent.
  'case-project-in-its-step': {
    input: shortPaymentInput({ learnedAt: new Date().toISOString() }),
    async drive(h) {
      await until(h, (v) => v.status === 'awaiting_approval');
      await h.signal(ledgerEventSignal, {
        kind: 'payment_applied',
        payment: {
          ref: { provider: 'quickbooks', accountId: 'realm-1', id: 'pay-2' },
          amount: { minor: 15_000, currency: 'USD' },
          date: '2026-12-10',
        },
        balance: { minor: 25_000, currency: 'USD' },
      });
      // The draft written before the payment is out of date: the case drafts again.
      await until(h, (v) => v.paid.minor === 75_000 && v.status === 'awaiting_approval' && latest(v).version === 2);
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 2, by: 'ana' }] });
      await until(h, (v) => v.status === 'awaiting_payment');
      await h.executeUpdate(closeCaseUpdate, { args: [{ kind: 'write_off', by: 'ana' }] });
    },
  },
  'case-chargeback-won': {
    input: chargebackInput({ learnedAt: new Date().toISOString() }),
    async drive(h) {
      await until(h, (v) => v.status === 'awaiting_approval');
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: 'ana' }] });
      await until(h, (v) => v.status === 'stripe_submitted');
      await h.signal(chargebackSignal, { status: 'won' });
    },
  },
};

try {
  const workflowBundle = await bundle(new URL('../workflows/index.ts', import.meta.url));
  const only = process.argv.slice(2);
  for (const [name, scenario] of Object.entries(scenarios).filter(([n]) => only.length === 0 || only.includes(n))) {
    const taskQueue = `record/${name}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: (() => {
        const recording = recordingActivities().activities;
        return { ...recording, ...scenario.activities?.(recording) };
      })(),
    });
    const handle = await worker.runUntil(async () => {
      const h = await env.client.workflow.start(disputeCaseWorkflow, {
        taskQueue,
        workflowId: `replay/${name}`,
        args: [scenario.input],
      });
      await scenario.drive(h);
      await h.result();
      return h;
    });
    await writeFile(
      new URL(`../test/fixtures/histories/${name}.json`, import.meta.url),
      historyToJSON(await handle.fetchHistory()),
    );
    console.log(`recorded ${name}`);
  }
} finally {
  await env.teardown();
}
