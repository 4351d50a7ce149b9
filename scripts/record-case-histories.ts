// Records dispute-case histories for test/fixtures/histories: `node --import tsx scripts/record-case-histories.ts`,
// or name the ones to record (`… record-case-histories.ts case-settings-changed`); the others are kept as they are.
// Re-record only on purpose: a recorded history that stops replaying means running cases would break on deploy.
// case-numbered-concession-before-keep-first.json is not recorded here: it was recorded on the code before the patch
// letter-as-sent-before-sending (7cbd92b, with this script's scenarios and activity overrides) and must stay that way.
// Nor is case-chargeback-evidence-edit-before-read-by-heading.json: recorded on e2d3746, before the patch
// evidence-edit-read-by-heading, as case-chargeback-won with the evidence edited to 'We delivered everything on time.'
// (no heading: approved then, refused now).
// The scenarios marked `before` are the situation a patch changes, recorded on the workflow code before it: they run
// only when named, and only on a tree without the patch (`git archive <commit> | tar -x -C <tmp>`, outside the
// repository; link node_modules and copy this script in; run it there; copy the history back).
import { readFile, writeFile } from 'node:fs/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
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
import {
  chargebackInput,
  recordingActivities,
  shortPaymentInput,
  type Recorded,
} from '../test/helpers/case-fixtures.js';
import { bundle, createDevEnv, createTimeSkippingEnv } from '../test/helpers/temporal-env.js';

type Handle = WorkflowHandle<typeof disputeCaseWorkflow>;
const DAY = 86_400_000;
const until = async (h: Handle, pred: (v: CaseView) => boolean) => {
  for (let i = 0; i < 400; i++) {
    if (pred(await h.query(caseViewQuery))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
};
const settled = async (done: () => boolean) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!done()) throw new Error('timed out');
};
const latest = (v: CaseView) => v.drafts[v.drafts.length - 1]!;

const scenarios: Record<
  string,
  {
    /** Built when the scenario runs, at the server's time. */
    input: DisputeCaseInput | ((now: number) => DisputeCaseInput);
    drive(h: Handle, run: { env: TestWorkflowEnvironment; calls: Recorded }): Promise<void>;
    /** Activities that replace the recording ones. */
    activities?: (recording: CaseActivities) => Partial<CaseActivities>;
    /** Days pass in it: recorded on the time-skipping test server, which moves its clock when asked to. */
    skipsTime?: boolean;
    /** Recorded on the workflow code before this patch (named in the history's path; see the header). */
    before?: { patch: string; commit: string };
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
  // The owner answers the chargeback from Stripe's dashboard (under review), and Shortfall's approval date and Stripe's
  // due_by pass with nothing submitted through Shortfall: the code before the patch still sent the evidence reminder
  // and the deadline notice. Stripe then decides for the owner.
  'case-chargeback-under-review-before-processor-deadline-notice': {
    before: { patch: 'processor-deadline-notice', commit: 'b1b7ff7' },
    skipsTime: true,
    input: (now) => {
      const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
      return { ...input, chargeback: { ...input.chargeback!, dueBy: new Date(now + 4 * DAY).toISOString() } };
    },
    async drive(h, { env, calls }) {
      await until(h, (v) => v.status === 'awaiting_approval');
      await h.signal(chargebackSignal, { status: 'under_review' });
      await until(h, (v) => v.chargeback?.status === 'under_review');
      await env.sleep(5 * DAY); // past Shortfall's approval date and Stripe's due_by
      await settled(() => calls.owner.some((n) => n.kind === 'overdue'));
      await h.signal(chargebackSignal, { status: 'won' });
    },
  },
  // The same on the code that timed Stripe's due_by but before the notices followed the dispute: the owner who answered
  // from Stripe's dashboard also heard at due_by that the chargeback was lost.
  'case-chargeback-under-review-before-notices-follow-dispute': {
    before: { patch: 'evidence-notices-follow-dispute', commit: 'e2d3746' },
    skipsTime: true,
    input: (now) => {
      const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
      return { ...input, chargeback: { ...input.chargeback!, dueBy: new Date(now + 4 * DAY).toISOString() } };
    },
    async drive(h, { env, calls }) {
      await until(h, (v) => v.status === 'awaiting_approval');
      await h.signal(chargebackSignal, { status: 'under_review' });
      await until(h, (v) => v.chargeback?.status === 'under_review');
      await env.sleep(5 * DAY); // past Shortfall's approval date and Stripe's first due_by
      await settled(() => calls.owner.some((n) => n.key.endsWith(':processor_deadline')));
      await h.signal(chargebackSignal, { status: 'won' });
    },
  },
  // Stripe moves due_by ten days later while the evidence waits for approval: the code before the patch kept the
  // evidence timers of the first due_by, told the owner at it that the chargeback was lost, and Stripe then decides.
  'case-chargeback-due-by-moved-before-notices-follow-dispute': {
    before: { patch: 'evidence-notices-follow-dispute', commit: 'e2d3746' },
    skipsTime: true,
    input: (now) => {
      const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
      return { ...input, chargeback: { ...input.chargeback!, dueBy: new Date(now + 4 * DAY).toISOString() } };
    },
    async drive(h, { env, calls }) {
      await until(h, (v) => v.status === 'awaiting_approval');
      const later = new Date(Date.parse((await h.query(caseViewQuery)).chargeback!.dueBy!) + 10 * DAY);
      await h.signal(chargebackSignal, { status: 'needs_response', dueBy: later.toISOString() });
      await until(h, (v) => v.chargeback?.dueBy === later.toISOString());
      await env.sleep(5 * DAY); // past the first due_by, well before the new one
      await settled(() => calls.owner.some((n) => n.key.endsWith(':processor_deadline')));
      await h.signal(chargebackSignal, { status: 'won' });
    },
  },
  // A chargeback alone, waiting for the owner's approval past the written-response date (which does not apply to it):
  // the evidence reminder wakes it, and the code before the patch projected the next deadline changing there.
  'case-chargeback-deadlines-before-applying-deadlines': {
    before: { patch: 'chargeback-applying-deadlines', commit: 'b1b7ff7' },
    skipsTime: true,
    input: (now) => {
      const input = chargebackInput({ learnedAt: new Date(now).toISOString() });
      return { ...input, chargeback: { ...input.chargeback!, dueBy: new Date(now + 10 * DAY).toISOString() } };
    },
    async drive(h, { env, calls }) {
      await until(h, (v) => v.status === 'awaiting_approval');
      // To an hour before Shortfall's approval date (8 days ahead): its reminder, on the business day before, fell after
      // the response date.
      await env.sleep(8 * DAY - DAY / 24);
      await settled(() => calls.owner.some((n) => n.kind === 'reminder'));
      await h.signal(chargebackSignal, { status: 'won' });
    },
  },
  // A short payment (600 of 1,000 paid) waiting for the owner's approval, whose card payment Stripe then charges back
  // (the chargeback reaches the running case by signal, due_by 10 days out): the code before the patch set no approval
  // date and no reminder (it read due_by from the case's input only), told the owner at due_by that the chargeback was
  // lost, and projected the case as opened for the 400 short alone while Stripe held the 600. Stripe decides: lost.
  'case-short-payment-chargeback-before-chargeback-on-running-case': {
    before: { patch: 'chargeback-on-running-case', commit: '7bf3598' },
    skipsTime: true,
    input: (now) => shortPaymentInput({ learnedAt: new Date(now).toISOString() }),
    async drive(h, { env, calls }) {
      await until(h, (v) => v.status === 'awaiting_approval');
      const dueBy = new Date((await env.currentTimeMs()) + 10 * DAY).toISOString();
      await h.signal(chargebackSignal, {
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
      });
      await until(h, (v) => latest(v).kind === 'stripe_evidence' && latest(v).state === 'pending');
      await env.sleep(11 * DAY); // past Stripe's due_by with nothing approved
      await settled(() => calls.owner.some((n) => n.key.endsWith(':processor_deadline')));
      await h.signal(chargebackSignal, { status: 'lost' });
    },
  },
  // The same on the code with the patch chargeback-on-running-case: the approval date and its reminder, the evidence
  // approved and submitted, Stripe decides for the owner, and the case goes on with the short payment's response.
  'case-short-payment-chargeback-on-running-case': {
    skipsTime: true,
    input: (now) => shortPaymentInput({ learnedAt: new Date(now).toISOString() }),
    async drive(h, { env, calls }) {
      await until(h, (v) => v.status === 'awaiting_approval');
      const dueBy = new Date((await env.currentTimeMs()) + 10 * DAY).toISOString();
      await h.signal(chargebackSignal, {
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
      });
      await until(h, (v) => latest(v).kind === 'stripe_evidence' && latest(v).state === 'pending');
      await env.sleep(8 * DAY - DAY / 24); // to an hour before Shortfall's approval date
      await settled(() => calls.owner.some((n) => n.kind === 'reminder'));
      const version = latest(await h.query(caseViewQuery)).version;
      await h.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version, by: 'ana' }] });
      await until(h, (v) => v.status === 'stripe_submitted');
      await h.signal(chargebackSignal, { status: 'won' });
      await until(h, (v) => latest(v).kind === 'first_response' && latest(v).state === 'pending');
      await h.executeUpdate(closeCaseUpdate, { args: [{ kind: 'write_off', by: 'ana' }] });
    },
  },
  // The owner writes the case off while Stripe holds the charged-back money: the code before the patch wrote off the
  // held amount too.
  'case-chargeback-write-off-before-without-held': {
    before: { patch: 'write-off-without-held', commit: 'e2d3746' },
    input: chargebackInput({ learnedAt: new Date().toISOString() }),
    async drive(h) {
      await until(h, (v) => v.status === 'awaiting_approval');
      await h.executeUpdate(closeCaseUpdate, { args: [{ kind: 'write_off', by: 'ana' }] });
    },
  },
};

const only = process.argv.slice(2);
const chosen = Object.entries(scenarios).filter(([n, x]) => (only.length === 0 ? !x.before : only.includes(n)));
const workflowSource = await readFile(new URL('../workflows/dispute-case/workflow.ts', import.meta.url), 'utf8');
for (const [name, { before }] of chosen)
  if (before && workflowSource.includes(`'${before.patch}'`))
    throw new Error(
      `${name} is recorded on the code before the patch ${before.patch} (${before.commit}): see the header`,
    );
let devEnv: TestWorkflowEnvironment | undefined;
try {
  const workflowBundle = await bundle(new URL('../workflows/index.ts', import.meta.url));
  for (const [name, scenario] of chosen) {
    const env = scenario.skipsTime ? await createTimeSkippingEnv() : (devEnv ??= await createDevEnv());
    try {
      const taskQueue = `record/${name}`;
      const recorded = recordingActivities();
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle,
        activities: { ...recorded.activities, ...scenario.activities?.(recorded.activities) },
      });
      const input = typeof scenario.input === 'function' ? scenario.input(await env.currentTimeMs()) : scenario.input;
      const history = await worker.runUntil(async () => {
        const h = await env.client.workflow.start(disputeCaseWorkflow, {
          taskQueue,
          workflowId: `replay/${name}`,
          args: [input],
        });
        await scenario.drive(h, { env, calls: recorded.calls });
        await h.result();
        return h.fetchHistory();
      });
      await writeFile(new URL(`../test/fixtures/histories/${name}.json`, import.meta.url), historyToJSON(history));
    } finally {
      if (scenario.skipsTime) await env.teardown();
    }
    console.log(`recorded ${name}`);
  }
} finally {
  await devEnv?.teardown();
}
