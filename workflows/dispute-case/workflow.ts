// Wiring of one dispute case: handlers, timers and activities. Every rule lives in state.ts; this file only
// decides what to wait for next and which side effect to run, re-reading state each step so that a
// continue-as-new run resumes exactly where the previous one stopped.
import * as wf from '@temporalio/workflow';
import type { CaseActivities, LetterRequest } from '../../activities/case-types.js';
import { caseStatusKey, connectionIdKey, customerIdKey, disputedMinorKey, invoiceNumberKey, nextDeadlineKey, providerKey } from '../search-attributes.js';
import {
  caseViewQuery, clientReplySignal, documentAddedSignal, closeCaseUpdate, decideDraftUpdate, decideObjectionUpdate, disputeCaseWorkflowId, extendDeadlineUpdate,
  ledgerEventSignal, registerObjectionUpdate, stripeDisputeSignal, type CaseView, type DisputeCaseInput, type DraftKind,
} from './definitions.js';
import * as st from './state.js';

const integrationRetry = { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: ['integration.auth', 'integration.invalid', 'integration.not_found'] };
const acts = wf.proxyActivities<CaseActivities>({ startToCloseTimeout: '2 minutes', retry: integrationRetry });
// Ledger and Stripe writes heartbeat while they wait on the provider, so a crashed worker is noticed in seconds.
// The invoice PDF is a nice-to-have attachment: a few quick tries, never holding up the receipt for long.
const lookups = wf.proxyActivities<Pick<CaseActivities, 'attachInvoicePdf'>>({ startToCloseTimeout: '30 seconds', retry: { ...integrationRetry, maximumAttempts: 3 } });
const writes = wf.proxyActivities<Pick<CaseActivities, 'postCreditNote' | 'stageStripeEvidence' | 'submitStripeEvidence'>>({
  startToCloseTimeout: '5 minutes', heartbeatTimeout: '10 seconds', retry: integrationRetry,
});

export async function disputeCaseWorkflow(input: DisputeCaseInput): Promise<CaseView> {
  const now = () => new Date(Date.now()).toISOString(); // workflow time: deterministic on replay
  let s: st.CaseState = input.carried ? (input.carried as st.CaseState) : st.initialState(input, now());
  const workflowId = wf.workflowInfo().workflowId;
  const caseId = s.input.caseId;

  // Handlers first, synchronously: an Update with no handler at the end of the activation is rejected.
  wf.setHandler(caseViewQuery, () => st.view(s));
  wf.setHandler(decideDraftUpdate, (d) => {
    s = st.applyDraftDecision(s, d, now());
    return { version: d.version, outcome: d.kind === 'reject' ? 'rejected' : 'approved' };
  }, { validator: (d) => st.assertDecidable(s, d) });
  wf.setHandler(registerObjectionUpdate, (o) => {
    s = st.applyObjection(s, o, now());
    return s.status;
  }, { validator: (o) => st.assertObjection(s, o) });
  wf.setHandler(decideObjectionUpdate, (d) => {
    s = st.applyObjectionDecision(s, d, now());
    return s.status;
  }, { validator: (d) => st.assertObjectionDecision(s, d) });
  wf.setHandler(extendDeadlineUpdate, (e) => {
    s = st.applyExtend(s, e, now());
    const name = e.deadline === 'response' ? 'response' : e.deadline;
    return { name, at: s.deadlines[name]! };
  }, { validator: (e) => st.assertExtend(s, e) });
  wf.setHandler(closeCaseUpdate, (c) => {
    s = st.applyClose(s, c, now());
    return s.status;
  }, { validator: (c) => st.assertClose(s, c) });
  wf.setHandler(ledgerEventSignal, (e) => void (s = st.applyLedgerEvent(s, e, now())));
  wf.setHandler(clientReplySignal, (r) => void (s = st.withStatus(st.record(s, r.receivedAt, 'client_reply', `Reply from ${r.from}: ${r.subject}`), s.status === 'awaiting_client' ? 'awaiting_owner' : s.status)));
  wf.setHandler(stripeDisputeSignal, (u) => void (s = st.applyStripeStatus(s, u.status, u.dueBy, now())));
  wf.setHandler(documentAddedSignal, (doc) => void (s = st.addDocument(s, doc, now())));

  const key = (...parts: (string | number)[]) => [workflowId, ...parts].join('/');
  const audit = (kind: string, data: Record<string, unknown> = {}, actor = 'shortfall') => acts.recordAudit({ key: key('audit', kind, s.timeline.length), caseId, kind, actor, data });
  const owner = (kind: Parameters<CaseActivities['notifyOwner']>[0]['kind'], keyPart: string, subject: string, detail: string) =>
    acts.notifyOwner({ key: key('owner', kind, keyPart), caseId, organisation: s.input.organisation, kind, subject, detail });

  function letterRequest(kind: DraftKind, dueBy?: string): LetterRequest {
    const o = st.openObjection(s);
    const conceded = o?.decision?.kind === 'concede' ? o.decision.lines : undefined;
    // A concession letter states the balance as it will be once its credit note is posted.
    const balance = kind === 'concession' && conceded ? { ...s.balance, minor: s.balance.minor - conceded.reduce((t, c) => t + c.amount.minor, 0) } : s.balance;
    const firstResponse = s.drafts.find((d) => d.kind === 'first_response' && d.sentAt);
    return {
      kind, caseId, organisation: s.input.organisation, payments: s.input.payments, paid: s.paid, balance, documents: s.documents,
      ...(s.input.invoice ? { invoice: s.input.invoice } : {}),
      ...(s.input.fullAndFinal ? { fullAndFinal: s.input.fullAndFinal } : {}),
      ...(dueBy ? { paymentDueBy: dueBy } : {}),
      ...(firstResponse?.sentAt ? { respondedAt: firstResponse.sentAt } : {}),
      ...(o ? { objection: { summary: o.input.summary, lineIds: o.input.kind === 'specific' ? o.input.lineIds : [], receivedAt: o.at } } : {}),
      ...(conceded ? { concession: { lines: conceded } } : {}),
      correspondence: [
        ...(firstResponse?.sentAt ? [{ kind: 'first_response' as const, at: firstResponse.sentAt }] : []),
        ...s.objections.map((x) => ({ kind: 'client_objection' as const, at: x.at })),
      ],
      ...(s.input.stripeDispute ? { stripeDispute: { reason: s.input.stripeDispute.reason, amount: s.input.stripeDispute.amount, chargeId: s.input.stripeDispute.chargeId } } : {}),
    };
  }

  /** Sleeps until `wake` holds, the case closes, a deadline moves, or the next timer is due; then fires it. */
  async function waitFor(wake: () => boolean, timerScope: readonly st.DeadlineName[], onTimer: (t: st.Timer) => Promise<void>): Promise<void> {
    await project(); // what the case list shows must be true while we wait, which may be for weeks
    const timer = st.nextTimer(s, timerScope);
    const revision = s.deadlineRevision;
    const woke = () => wake() || st.isClosed(s) || s.deadlineRevision !== revision;
    const inMs = timer ? Date.parse(timer.at) - Date.now() : undefined;
    // A timer already due fires now: no zero-length Temporal timer, whose handling differs between servers.
    const met = inMs === undefined ? (await wf.condition(woke), true) : inMs <= 0 ? woke() : await wf.condition(woke, inMs);
    if (!met && timer && Date.now() >= Date.parse(timer.at)) {
      s = st.markFired(s, timer.key);
      await onTimer(timer);
    }
  }

  const responseTimer = async (t: st.Timer) => {
    const due = s.deadlines[t.for];
    if (t.kind === 'alert') return; // the full-and-final alert goes out when the case opens
    if (t.kind === 'reminder') return owner('reminder', t.key, 'A written response is waiting for your approval', `Due ${due}.`);
    const kind = t.for === 'response_limit' || t.for === 'stripe_submit' ? 'overdue' : 'deadline_reached';
    return owner(kind, t.key, kind === 'overdue' ? 'The response window has closed' : 'The written response is due today', `Deadline ${due}. Approve the draft to send it.`);
  };

  async function announce() {
    await audit('case_opened', { kind: s.input.stripeDispute ? 'chargeback' : 'short_payment', balance: s.balance, paid: s.paid });
    s = st.scheduleResponse(s, s.input.learnedAt, now());
    if (s.input.fullAndFinal) {
      await owner('full_and_final', 'opened', `Urgent: "${s.input.fullAndFinal.matched}" payment on invoice ${s.input.invoice?.number ?? ''}`,
        'The client marked a partial payment as full and final. Object in writing today or it may settle the whole invoice.');
    }
    // Added after cases were already running: the patch keeps their recorded histories replaying.
    if (s.input.invoice && wf.patched('attach-invoice-pdf')) await attachInvoicePdf(s.input.invoice);
    if (s.input.invoice && s.paid.minor > 0 && s.input.invoice.customerEmail) {
      const receipt = await acts.draftLetter(letterRequest('receipt'));
      const sent = await acts.sendEmail({ key: key('receipt'), caseId, to: s.input.invoice.customerEmail, ...receipt, replyToCase: true });
      s = st.record(s, now(), 'receipt', 'Partial-payment receipt sent to the client');
      await audit('receipt_sent', { messageId: sent.messageId });
    }
    s = { ...s, announced: true };
  }

  async function attachInvoicePdf(invoice: NonNullable<DisputeCaseInput['invoice']>) {
    try {
      const pdf = await lookups.attachInvoicePdf({ key: key('invoice-pdf'), caseId, connectionId: s.input.connectionId, invoiceId: invoice.ref.id, invoiceNumber: invoice.number });
      s = { ...s, documents: [{ id: pdf.documentId, kind: 'invoice', name: pdf.name }, ...s.documents] };
    } catch (err) {
      if (!(err instanceof wf.ActivityFailure)) throw err;
      s = st.record(s, now(), 'invoice_pdf', 'The invoice PDF could not be fetched from the ledger; letters go without it');
    }
  }

  /** Draft → owner approval (email link) → send. One call advances one stage; the main loop calls again. */
  async function letterStep(kind: DraftKind, timers: readonly st.DeadlineName[], alsoWake: () => boolean = () => false): Promise<void> {
    let d = st.latestDraft(s);
    if (!d || d.kind !== kind || d.state === 'sent' || d.state === 'rejected') {
      const at = now();
      const dueBy = st.dueByFor(s, kind, at);
      const content = await acts.draftLetter(letterRequest(kind, dueBy));
      s = st.addDraft(s, kind, content, at, dueBy);
      d = st.latestDraft(s)!;
      await acts.requestApproval({ key: key('approval', d.version), caseId, workflowId, version: d.version, kind, draft: d.content, organisation: s.input.organisation, ...(s.deadlines.response ? { respondBy: s.deadlines.response } : {}) });
      await audit('draft_ready', { version: d.version, kind });
      return;
    }
    if (d.state === 'pending') {
      const version = d.version;
      return waitFor(() => st.latestDraft(s)!.version !== version || st.latestDraft(s)!.state !== 'pending' || alsoWake() || (kind !== 'stripe_evidence' && kind !== 'concession' && st.balanceCleared(s)), timers, responseTimer);
    }
    // approved: send it
    const to = s.input.invoice?.customerEmail;
    if (!to) throw wf.ApplicationFailure.nonRetryable('The invoice has no customer email to send the response to.', 'case.no_recipient');
    const sent = await acts.sendEmail({ key: key('send', d.version), caseId, to, ...d.content, replyToCase: true });
    s = st.markSent(s, d.version, now());
    afterSent(kind, d.draftedAt); // before any await: an Update landing during the audit must not be overwritten
    await audit('letter_sent', { version: d.version, kind, messageId: sent.messageId }, d.decidedBy ?? 'owner');
  }

  function afterSent(kind: DraftKind, draftedAt: string) {
    const at = now();
    if (kind === 'final_notice') s = st.withStatus(st.schedulePayment(s, draftedAt, at, 'final_notice'), 'final_notice');
    else s = st.clearTimers(st.schedulePayment(s, draftedAt, at, 'payment'), ['response', 'response_limit']);
    if (kind === 'ask_specifics' || kind === 'uphold' || kind === 'concession') s = st.markObjectionAnswered(s, at);
    // An objection registered while this letter was going out keeps the case with the owner.
    if (kind !== 'final_notice' && !st.openObjection(s)) s = st.withStatus(s, 'awaiting_client');
  }

  async function stripeStep(): Promise<void> {
    const needsResponse = ['needs_response', 'warning_needs_response', 'appeal_needs_response'].includes(s.stripeStatus ?? '');
    const outcome = s.stripeStatus;
    if (outcome === 'won' || outcome === 'lost') {
      s = st.applyClose(s, { kind: outcome === 'won' ? 'resolved' : 'write_off', by: 'stripe', note: `dispute ${outcome}` }, now());
      return owner('stripe_outcome', outcome, `Chargeback ${outcome}`, `Stripe closed the dispute as ${outcome}.`);
    }
    if (s.stripeSubmitted || !needsResponse) {
      const status = s.stripeStatus;
      return waitFor(() => s.stripeStatus !== status, [], async () => {});
    }
    const d = st.latestDraft(s);
    const dispute = s.input.stripeDispute!;
    if (d?.kind === 'stripe_evidence' && d.state === 'approved') {
      await writes.submitStripeEvidence({ key: key('stripe', 'submit', d.version), connectionId: s.input.connectionId, disputeId: dispute.dispute.id });
      s = st.withStatus({ ...st.markSent(s, d.version, now()), stripeSubmitted: true }, 'stripe_submitted');
      s = st.clearTimers(s, ['stripe_submit', 'response', 'response_limit']);
      return audit('stripe_evidence_submitted', { version: d.version }, d.decidedBy ?? 'owner');
    }
    const fresh = !d || d.kind !== 'stripe_evidence' || d.state !== 'pending';
    // Stripe may move on without us (won, lost, or answered from its dashboard): that wakes the approval wait too.
    await letterStep('stripe_evidence', ['stripe_submit'], () => s.stripeStatus !== outcome);
    const staged = st.latestDraft(s)!;
    if (fresh && staged.state === 'pending') {
      await writes.stageStripeEvidence({ key: key('stripe', 'stage', staged.version), connectionId: s.input.connectionId, disputeId: dispute.dispute.id, fields: staged.content.evidence ?? {}, documentIds: staged.content.attachments.map((a) => a.documentId) });
    }
  }

  async function objectionStep(o: st.Objection): Promise<void> {
    if (o.input.kind === 'vague') return letterStep('ask_specifics', ['response', 'response_limit']);
    if (!o.decision) {
      if (!st.hasFired(s, `objection:${o.at}`)) {
        s = st.markFired(st.scheduleResponse(s, o.at, now()), `objection:${o.at}`);
        await owner('objection', o.at, 'The client named a disputed line', `${o.input.summary}. Concede lines for a credit note, or uphold the invoice.`);
      }
      return waitFor(() => Boolean(st.openObjection(s)?.decision) || st.balanceCleared(s), ['response', 'response_limit'], responseTimer);
    }
    if (o.decision.kind === 'concede' && !st.hasFired(s, `credit:${o.at}`)) {
      const lines = o.decision.lines.map((c) => ({ lineId: c.lineId, amount: c.amount, description: s.input.invoice!.lines.find((l) => l.id === c.lineId)?.description ?? c.lineId }));
      // Post only after the owner approves the concession letter, so both go out together.
      const d = st.latestDraft(s);
      if (d?.kind === 'concession' && d.state === 'approved') {
        const posted = await writes.postCreditNote({ key: key('credit', o.at), caseId, connectionId: s.input.connectionId, invoiceId: s.input.invoice!.ref.id, currency: s.balance.currency, lines, memo: `Shortfall case ${caseId}: conceded lines` });
        s = st.markFired(st.applyCreditNote(s, posted.ref, posted.total, now()), `credit:${o.at}`);
        await audit('credit_note_posted', { ref: posted.ref, total: posted.total }, d.decidedBy ?? 'owner');
        return;
      }
    }
    return letterStep(o.decision.kind === 'concede' ? 'concession' : 'uphold', ['response', 'response_limit']);
  }

  async function paymentStep(): Promise<void> {
    if (!s.ledgerConnected) {
      if (!st.hasFired(s, `paused:${s.pausedSince}`)) {
        s = st.markFired(s, `paused:${s.pausedSince}`);
        await owner('connection_broken', s.pausedSince!, 'Reconnect your ledger', 'Shortfall lost access to your ledger; payment deadlines are paused until you reconnect.');
      }
      return waitFor(() => s.ledgerConnected || st.balanceCleared(s), [], async () => {});
    }
    if (s.finalNoticeSent && st.deadlinePassed(s, 'final_notice')) return escalate();
    if (!s.finalNoticeSent && st.deadlinePassed(s, 'payment')) return letterStep('final_notice', []);
    s = st.withStatus(s, s.finalNoticeSent ? 'final_notice' : 'awaiting_payment');
    return waitFor(() => st.balanceCleared(s) || Boolean(st.openObjection(s)) || !s.ledgerConnected, ['payment', 'final_notice'], async (t) => {
      if (t.kind === 'reminder') await owner('reminder', t.key, 'A payment deadline is coming up', `Due ${s.deadlines[t.for]}.`);
    });
  }

  async function escalate() {
    const pack = await acts.buildEvidencePack({
      key: key('evidence-pack'), caseId, organisation: s.input.organisation, payments: s.input.payments, view: st.view(s), documents: s.documents,
      ...(s.input.invoice ? { invoice: s.input.invoice } : {}),
    });
    s = st.withStatus({ ...st.record(s, now(), 'escalated', `Small-claims evidence pack built (${pack.name})`), escalated: true, documents: [...s.documents, { id: pack.documentId, kind: 'other', name: pack.name }] }, 'escalated');
    await audit('escalated', { documentId: pack.documentId });
    await owner('escalated', 'pack', 'Evidence pack ready for small claims', 'The client did not pay after the final notice. The small-claims evidence pack is attached to the case.');
  }

  async function step(): Promise<void> {
    if (!s.announced) return announce();
    if (s.input.stripeDispute && !s.input.invoice) return stripeStep();
    const o = st.openObjection(s);
    // A credit already posted is announced in writing even when it clears the balance.
    if (o && st.hasFired(s, `credit:${o.at}`)) return objectionStep(o);
    if (st.balanceCleared(s)) {
      s = st.applyClose(s, { kind: 'resolved', by: 'ledger', note: 'balance paid' }, now());
      return audit('resolved', { paid: s.paid });
    }
    if (!s.firstResponseSent) return letterStep('first_response', ['response', 'response_limit']);
    if (o) return objectionStep(o);
    if (s.escalated) return waitFor(() => st.balanceCleared(s), [], async () => {});
    return paymentStep();
  }

  let projected = '';
  // Starters set the search attributes at start; a case started without them (the time-skipping test server
  // has no visibility store) skips the upsert rather than failing its workflow task.
  const indexed = wf.workflowInfo().typedSearchAttributes.get(caseStatusKey) !== undefined;

  async function project() {
    const next = st.nextDeadline(s, now());
    if (indexed) wf.upsertSearchAttributes([
      { key: caseStatusKey, value: s.status }, { key: providerKey, value: s.input.provider }, { key: connectionIdKey, value: s.input.connectionId },
      { key: disputedMinorKey, value: s.balance.minor }, { key: nextDeadlineKey, value: next ? new Date(next) : null },
      ...(s.input.invoice ? [{ key: invoiceNumberKey, value: s.input.invoice.number }, { key: customerIdKey, value: s.input.invoice.customerId }] : []),
    ]);
    const projection = { caseId, status: s.status, paid: s.paid, disputed: s.balance, ...(next ? { nextDeadline: next } : {}) };
    if (JSON.stringify(projection) !== projected) {
      projected = JSON.stringify(projection);
      await acts.projectCase(projection);
    }
  }

  while (!st.isClosed(s)) {
    await step();
    await project();
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof disputeCaseWorkflow>({ ...input, carried: s });
    }
  }
  await audit('case_closed', { status: s.status, by: s.closed?.by });
  await project();
  await wf.condition(wf.allHandlersFinished);
  return st.view(s);
}

export { disputeCaseWorkflowId };
