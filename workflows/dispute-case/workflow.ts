// Wiring of one dispute case: handlers, timers and activities. Every rule lives in state.ts; this file only
// decides what to wait for next and which side effect to run, re-reading state each step so that a
// continue-as-new run resumes exactly where the previous one stopped.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { CaseActivities, CaseProjection, LetterRequest } from './activities.js';
import {
  caseStatusKey,
  connectionIdKey,
  customerIdKey,
  disputedMinorKey,
  invoiceNumberKey,
  nextDeadlineKey,
  providerKey,
} from '../search-attributes.js';
import {
  buildEvidencePackUpdate,
  caseViewQuery,
  clientReplySignal,
  documentAddedSignal,
  closeCaseUpdate,
  decideDraftUpdate,
  decideObjectionUpdate,
  disputeCaseWorkflowId,
  extendDeadlineUpdate,
  ledgerEventSignal,
  organisationSettingsSignal,
  registerObjectionUpdate,
  chargebackSignal,
  type CaseView,
  type CloseInput,
  type DisputeCaseInput,
  type DraftKind,
} from './definitions.js';
import { brokenConnectionFailureTypes } from '../failure-types.js';
import { actsOptions, lookupsOptions, writesOptions } from './policies.js';
import * as st from './state.js';
import { caseCreditReference as creditPlaceholder } from '../../src/domain/account.js';
import { persistedMessages, persistedValues } from './persisted-names.js';
import { upgradeCarried, upgradeInput } from './upgrade.js';

const acts = wf.proxyActivities<CaseActivities>(actsOptions);
const lookups = wf.proxyActivities<Pick<CaseActivities, 'attachInvoicePdf'>>(lookupsOptions);
const writes =
  wf.proxyActivities<
    Pick<
      CaseActivities,
      | 'postCreditNote'
      | typeof persistedMessages.stageEvidenceActivity
      | typeof persistedMessages.submitEvidenceActivity
    >
  >(writesOptions);
const stageEvidence = writes[persistedMessages.stageEvidenceActivity];
const submitEvidence = writes[persistedMessages.submitEvidenceActivity];
const { evidenceDraftKind, evidenceKeyScope, processorActor } = persistedValues;
const { evidenceTimer } = st;

/** The connection behind a failed activity is broken (needs reconnecting, or disconnected): the case must wait. */
function brokenConnection(err: unknown): string | undefined {
  if (!(err instanceof wf.ActivityFailure) || !(err.cause instanceof wf.ApplicationFailure)) return undefined;
  return brokenConnectionFailureTypes.includes(err.cause.type ?? '') ? err.cause.message : undefined;
}

export async function disputeCaseWorkflow(recorded: DisputeCaseInput): Promise<CaseView> {
  const now = () => new Date(Date.now()).toISOString(); // workflow time: deterministic on replay
  const input = upgradeInput(recorded);
  let s: st.CaseState = input.carried ? upgradeCarried(input.carried) : st.initialState(input, now());
  // Cases started before the patch had no timer at the processor's own evidence deadline, and replay so.
  if (wf.patched('processor-deadline-notice')) s = { ...s, noticeProcessorDeadline: true };
  // Cases started with that timer but before the evidence notices followed the dispute (main from 103cf6d until
  // 1333d3d) notified an owner who had answered from the processor's dashboard and kept their evidence timers when the
  // processor moved due_by, and replay so.
  if (wf.patched('evidence-notices-follow-dispute')) s = { ...s, noticesFollowDispute: true };
  const workflowId = wf.workflowInfo().workflowId;
  const caseId = s.input.caseId;

  // Handlers first, synchronously: an Update with no handler at the end of the activation is rejected.
  wf.setHandler(caseViewQuery, () => st.view(s));
  wf.setHandler(
    decideDraftUpdate,
    (d) => {
      // An edit of the evidence approved before edits were read by heading (and unreadable ones refused) replays so.
      const readEvidence = st.editsEvidence(s, d) ? wf.patched('evidence-edit-read-by-heading') : true;
      s = st.applyDraftDecision(s, d, now(), readEvidence);
      return { version: d.version, outcome: d.kind === 'reject' ? 'rejected' : 'approved' };
    },
    { validator: (d) => st.assertDecidable(s, d) },
  );
  wf.setHandler(
    registerObjectionUpdate,
    (o) => {
      s = st.applyObjection(s, o, now());
      return s.status;
    },
    { validator: (o) => st.assertObjection(s, o) },
  );
  wf.setHandler(
    decideObjectionUpdate,
    (d) => {
      s = st.applyObjectionDecision(s, d, now());
      return s.status;
    },
    { validator: (d) => st.assertObjectionDecision(s, d) },
  );
  wf.setHandler(
    extendDeadlineUpdate,
    (e) => {
      s = st.applyExtend(s, e, now());
      const name = e.deadline === 'response' ? 'response' : e.deadline;
      return { name, at: s.deadlines[name]! };
    },
    { validator: (e) => st.assertExtend(s, e) },
  );
  wf.setHandler(
    closeCaseUpdate,
    (c) => {
      s = close(c);
      return s.status;
    },
    { validator: (c) => st.assertClose(s, c) },
  );
  wf.setHandler(
    buildEvidencePackUpdate,
    (r) => {
      s = st.requestPack(s, r.by, now());
      return s.status;
    },
    { validator: (_r) => st.assertPackRequest(s) },
  );
  wf.setHandler(ledgerEventSignal, (e) => void (s = st.applyLedgerEvent(s, e, now())));
  wf.setHandler(clientReplySignal, (r) => void (s = st.applyReply(s, r, now())));
  wf.setHandler(chargebackSignal, (u) => {
    s = st.applyChargebackStatus(s, u, now());
    // A chargeback that reached a case already running (a short payment's card payment charged back) gets Shortfall's
    // approval date and its reminders from the processor's due_by, and counts in what the case opened for. Cases that
    // received one before the patch had neither (no approval date, no reminder, the dashboard's month without it),
    // and replay so.
    if (
      !s.chargebackOnRunningCase &&
      s.chargeback &&
      s.chargeback.dispute.id !== s.input.chargeback?.dispute.id &&
      wf.patched('chargeback-on-running-case')
    )
      s = { ...s, chargebackOnRunningCase: true };
  });
  wf.setHandler(documentAddedSignal, (doc) => void (s = st.addDocument(s, doc, now())));
  // Settings saved by the owner: kept aside here, applied between steps (st.applySettings). The patch keeps a history
  // whose older code received this signal with no handler (and so ignored it) replaying as it ran.
  wf.setHandler(organisationSettingsSignal, (change) => {
    if (wf.patched('apply-settings')) s = st.receiveSettings(s, change);
  });

  const key = (...parts: (string | number)[]) => [workflowId, ...parts].join('/');
  /**
   * Closes the case; a write-off records what the owner sees as still owed, not what a card processor holds while a
   * chargeback is open. Histories that wrote off a held amount before the patch replay so.
   */
  function close(c: CloseInput): st.CaseState {
    const held = c.kind === 'write_off' && st.account(s).held.minor > 0;
    return st.applyClose(s, c, now(), held && wf.patched('write-off-without-held'));
  }
  const auditEntry = (
    kind: string,
    data: Record<string, unknown> = {},
    actor = 'shortfall',
    at = s.timeline.length,
  ) => ({
    key: key('audit', kind, at),
    caseId,
    kind,
    actor,
    data,
  });
  const audit = (kind: string, data: Record<string, unknown> = {}, actor = 'shortfall') =>
    acts.recordAudit(auditEntry(kind, data, actor));
  /**
   * The audit entry of a letter or an approval request is written by the activity that sends it: one activity and
   * one workflow task fewer for each (issue 18: the worker's CPU per case). Histories recorded before the patch ran
   * a recordAudit activity after it, and replay so.
   */
  const auditInStep = () => wf.patched('audit-in-its-step');
  const owner = (
    kind: Parameters<CaseActivities['notifyOwner']>[0]['kind'],
    keyPart: string,
    subject: string,
    detail: string,
  ) =>
    acts.notifyOwner({
      key: key('owner', kind, keyPart),
      caseId,
      organisation: s.input.organisation,
      kind,
      subject,
      detail,
    });

  function letterRequest(kind: DraftKind, dueBy?: string): LetterRequest {
    const o = st.openObjection(s);
    const conceded = o?.decision?.kind === 'concede' ? o.decision.lines : undefined;
    // A concession letter states the account as it will be once its credit note is posted.
    const prospective =
      kind === 'concession' && conceded && !st.hasFired(s, `credit:${o!.at}`)
        ? [
            {
              ref: creditPlaceholder(caseId),
              number: creditPlaceholder(caseId),
              amount: { minor: conceded.reduce((t, c) => t + c.amount.minor, 0), currency: s.total.currency },
              at: now(),
              ours: true,
            },
          ]
        : [];
    const account = st.account(s, prospective);
    // Under an agreed plan a letter asks for the overdue instalments only; otherwise for everything still owed.
    const balance = s.input.plan
      ? account.inDispute
      : { minor: Math.max(0, account.stillOwed.minor), currency: account.currency };
    const firstResponse = s.drafts.find((d) => st.writtenResponses.includes(d.kind) && d.sentAt);
    const lastSent = [...s.drafts].reverse().find((d) => d.sentAt)?.sentAt ?? '';
    const payments = account.payments
      .filter((p) => p.amount.minor > 0)
      .map((p) => ({
        ref: { provider: s.input.provider, accountId: '', id: p.ref },
        amount: p.amount,
        date: p.date,
        ...(p.memo ? { memo: p.memo } : {}),
      }));
    return {
      kind,
      caseId,
      organisation: s.input.organisation,
      payments,
      paid: account.paid,
      balance,
      account,
      documents: s.documents,
      ...(firstResponse ? {} : { firstWrittenResponse: true }),
      ...(s.input.plan ? { plan: { overdue: account.inDispute, instalments: s.input.plan.instalments } } : {}),
      replies: s.replies.filter((r) => r.at > lastSent).map((r) => ({ at: r.at, subject: r.subject })),
      ...(s.input.invoice ? { invoice: s.input.invoice } : {}),
      ...(s.input.fullAndFinal ? { fullAndFinal: s.input.fullAndFinal } : {}),
      ...(dueBy ? { paymentDueBy: dueBy } : {}),
      ...(firstResponse?.sentAt ? { respondedAt: firstResponse.sentAt } : {}),
      ...(firstResponse?.sentAt && firstResponse.sentZone ? { respondedZone: firstResponse.sentZone } : {}),
      ...(o
        ? {
            objection: {
              summary: o.input.summary,
              lineIds: o.input.kind === 'specific' ? o.input.lineIds : [],
              receivedAt: o.at,
            },
          }
        : {}),
      ...(conceded ? { concession: { lines: conceded } } : {}),
      correspondence: [
        ...(firstResponse?.sentAt
          ? [
              {
                kind: 'first_response' as const,
                at: firstResponse.sentAt,
                ...(firstResponse.sentZone ? { zone: firstResponse.sentZone } : {}),
              },
            ]
          : []),
        ...s.objections.map((x) => ({ kind: 'client_objection' as const, at: x.at })),
      ],
      ...(s.chargeback
        ? {
            chargeback: {
              reason: s.chargeback.reason,
              amount: s.chargeback.amount,
              chargeId: s.chargeback.chargeId,
            },
          }
        : {}),
    };
  }

  /**
   * Runs an activity that needs the connection. A broken connection fails it at once (non-retryable): the case
   * records the pause and waits for the reconnect, then the step runs again, once.
   */
  async function needsConnection<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      const reason = brokenConnection(err);
      if (reason === undefined) throw err;
      s = st.pauseForConnection(s, reason, now());
      return undefined;
    }
  }

  /** Sleeps until `wake` holds, the case closes, a deadline moves, or the next timer is due; then fires it. */
  async function waitFor(
    wake: () => boolean,
    timerScope: readonly st.DeadlineName[],
    onTimer: (t: st.Timer) => Promise<void>,
  ): Promise<void> {
    // What the wait compares against is read before the projection's await: an Update or signal landing while the
    // case list is written (a pack requested, a deadline moved, the connection breaking) must still wake it.
    const revision = s.deadlineRevision;
    const connected = s.ledgerConnected;
    const requested = s.packsRequested;
    await project(); // what the case list shows must be true while we wait, which may be for weeks
    // While the connection is broken no clock runs, so no timer is armed; the break itself wakes every wait.
    const timer = s.ledgerConnected ? st.nextTimer(s, timerScope) : undefined;
    const woke = () =>
      wake() ||
      st.isClosed(s) ||
      s.deadlineRevision !== revision ||
      s.ledgerConnected !== connected ||
      s.packsRequested !== requested ||
      s.packsRequested > s.packsBuilt ||
      st.settingsDue(s); // Settings the owner saved: the next step applies them (only histories with the signal)
    const inMs = timer ? Date.parse(timer.at) - Date.now() : undefined;
    // A timer already due fires now: no zero-length Temporal timer, whose handling differs between servers.
    const met =
      inMs === undefined ? (await wf.condition(woke), true) : inMs <= 0 ? woke() : await wf.condition(woke, inMs);
    if (!met && timer && Date.now() >= Date.parse(timer.at)) {
      s = st.markFired(s, timer.key);
      await onTimer(timer);
    }
  }

  const responseTimer = async (t: st.Timer) => {
    const due = s.deadlines[t.for];
    if (t.kind === 'alert') return; // the full-and-final alert goes out when the case opens
    if (t.for === evidenceTimer) {
      // Nothing to tell once the dispute needs no response (answered from the processor's dashboard: under review) or
      // evidence went in. Runs recorded before the patch notified regardless (but of the processor's deadline passing
      // only with no evidence submitted), and replay so.
      if (s.noticesFollowDispute && !st.evidenceAwaited(s)) return;
      if (t.key === st.processorDeadlineKey && s.evidenceSubmitted) return;
      // Two dates, named apart: Shortfall's date for the owner's approval (ahead of the processor's, so the evidence
      // reaches it in time) and the processor's own deadline. Only the latter passing with nothing submitted loses it.
      const processorDue = st.processorEvidenceDue(s);
      const theirs = processorDue ? st.whenFor(s, processorDue) : undefined;
      const ours = `${due ? st.whenFor(s, due) : 'now'}, Shortfall's date for your approval${theirs ? `, ${st.evidenceLead(s)} ${st.processorName(s)}'s deadline (${theirs})` : ''}`;
      if (t.key === st.processorDeadlineKey)
        return owner(
          'overdue',
          t.key,
          `${st.ProcessorName(s)}'s evidence deadline has passed: the chargeback is lost`,
          `${st.ProcessorName(s)}'s deadline (${theirs ?? 'its own'}) passed with no evidence submitted, so the card issuer decides for the cardholder. ${st.ProcessorName(s)} tells Shortfall when it closes the dispute, and the case is then written off.`,
        );
      if (t.kind === 'reminder')
        return owner(
          'reminder',
          t.key,
          'Chargeback evidence is waiting for your approval',
          `Approve it by ${ours}, so it reaches ${st.processorName(s)} in time.`,
        );
      if (processorDue && Date.now() >= Date.parse(processorDue))
        return owner(
          'overdue',
          t.key,
          `${st.ProcessorName(s)}'s evidence deadline has passed: the chargeback is lost`,
          `${st.ProcessorName(s)}'s deadline (${theirs}) passed with no evidence submitted, so the card issuer decides for the cardholder.`,
        );
      return owner(
        'overdue',
        t.key,
        `Approve the chargeback evidence now: ${st.processorName(s)}'s deadline is ${processorDue ? st.dayFor(s, processorDue) : 'near'}`,
        `Shortfall's date for your approval (${due ? st.whenFor(s, due) : 'today'}) has passed. ${st.ProcessorName(s)} still accepts the evidence until ${theirs ?? 'its own deadline'}; approve the draft before then.`,
      );
    }
    if (t.kind === 'reminder')
      return owner('reminder', t.key, 'A written response is waiting for your approval', `Due ${due}.`);
    const kind = t.for === 'response_limit' ? 'overdue' : 'deadline_reached';
    return owner(
      kind,
      t.key,
      kind === 'overdue' ? 'The response window has closed' : 'The written response is due today',
      `Deadline ${due}. Approve the draft to send it.`,
    );
  };

  async function announce() {
    const opening = st.account(s);
    await audit('case_opened', {
      kind: s.chargeback ? 'chargeback' : 'short_payment',
      stillOwed: opening.stillOwed,
      paid: opening.paid,
      inDispute: opening.inDispute,
    });
    s = st.scheduleResponse(s, s.input.learnedAt, now());
    if (s.input.fullAndFinal) {
      await owner(
        'full_and_final',
        'opened',
        `Urgent: "${s.input.fullAndFinal.matched}" payment on invoice ${s.input.invoice?.number ?? ''}`,
        'The client marked a partial payment as full and final. Object in writing today or it may settle the whole invoice.',
      );
    }
    // Added after cases were already running: the patch keeps their recorded histories replaying.
    if (s.input.invoice && wf.patched('attach-invoice-pdf')) await attachInvoicePdf(s.input.invoice);
    // The seed's first step: document the partial payment at once. A chargeback is not a partial payment, and a
    // payment that left nothing owing needs no receipt saying the rest is outstanding.
    // Under an agreed plan the instalments paid were on time, not a short payment: no receipt for them.
    if (
      s.input.invoice &&
      !s.chargeback &&
      !s.input.plan &&
      opening.paid.minor > 0 &&
      !opening.settled &&
      s.input.invoice.customerEmail
    ) {
      const receipt = await acts.draftLetter(letterRequest('receipt'));
      const together = auditInStep();
      const email = { key: key('receipt'), caseId, to: s.input.invoice.customerEmail, ...receipt, replyToCase: true };
      // Keyed as the entry written after the receipt's timeline line would be.
      const audited = { ...email, audit: auditEntry('receipt_sent', {}, 'shortfall', s.timeline.length + 1) };
      const listed = together ? rowForStep() : undefined;
      const sent = listed
        ? await acts.sendEmailProjected({ ...audited, projection: listed.row })
        : together
          ? await acts.sendEmailAudited(audited)
          : await acts.sendEmail(email);
      if (listed) projected = listed.key;
      s = st.record(s, now(), 'receipt', 'Partial-payment receipt sent to the client');
      if (!together) await audit('receipt_sent', { messageId: sent.messageId });
    }
    s = { ...s, announced: true };
  }

  async function attachInvoicePdf(invoice: NonNullable<DisputeCaseInput['invoice']>) {
    try {
      const pdf = await lookups.attachInvoicePdf({
        key: key('invoice-pdf'),
        caseId,
        connectionId: s.input.connectionId,
        invoiceId: invoice.ref.id,
        invoiceNumber: invoice.number,
      });
      s = { ...s, documents: [{ id: pdf.documentId, kind: 'invoice', name: pdf.name }, ...s.documents] };
    } catch (err) {
      if (!(err instanceof wf.ActivityFailure)) throw err;
      // A nice-to-have: a broken connection here is noticed by the sync, which pauses the case.
      s = st.record(
        s,
        now(),
        'invoice_pdf',
        'The invoice PDF could not be fetched from the ledger; letters go without it',
      );
    }
  }

  /** Draft → owner approval (email link) → send. One call advances one stage; the main loop calls again. */
  async function letterStep(
    kind: DraftKind,
    timers: readonly st.DeadlineName[],
    alsoWake: () => boolean = () => false,
  ): Promise<void> {
    let d = st.latestDraft(s);
    if (!d || d.kind !== kind || d.state === 'sent' || d.state === 'rejected' || d.state === 'withdrawn') {
      const at = now();
      const dueBy = st.dueByFor(s, kind, at);
      // The draft answers what the case knew when drafting began: Settings, a payment or a reply that land while the
      // letter is written leave it out of date, so the next step withdraws it and drafts again. Drafts recorded
      // before the patch took the basis after drafting, and replay so.
      const basis = wf.patched('draft-basis-before-drafting') ? st.draftBasis(s) : undefined;
      const content = await acts.draftLetter(letterRequest(kind, dueBy));
      s = st.addDraft(s, kind, content, at, dueBy, basis);
      d = st.latestDraft(s)!;
      const together = auditInStep();
      const approval = {
        key: key('approval', d.version),
        caseId,
        workflowId,
        version: d.version,
        kind,
        draft: d.content,
        organisation: s.input.organisation,
        ...(kind === evidenceDraftKind
          ? {
              ...(s.deadlines[evidenceTimer] ? { respondBy: s.deadlines[evidenceTimer] } : {}),
              evidence: {
                processorName: st.processorName(s),
                ...(st.processorEvidenceDue(s) ? { processorDueBy: st.processorEvidenceDue(s)! } : {}),
                lead: st.evidenceLead(s),
              },
            }
          : s.deadlines.response
            ? { respondBy: s.deadlines.response }
            : {}),
      };
      const listed = together ? rowForStep() : undefined;
      const audited = { ...approval, audit: auditEntry('draft_ready', { version: d.version, kind }) };
      if (listed) {
        await acts.requestApprovalProjected({ ...audited, projection: listed.row });
        projected = listed.key;
      } else if (together) await acts.requestApprovalAudited(audited);
      else await acts.requestApproval(approval);
      if (!together) await audit('draft_ready', { version: d.version, kind });
      return;
    }
    if (d.state === 'pending') {
      const { version, basis } = d;
      const outOfDate = () => st.draftBasis(s) !== basis;
      await waitFor(
        () =>
          st.latestDraft(s)!.version !== version || st.latestDraft(s)!.state !== 'pending' || alsoWake() || outOfDate(),
        timers,
        responseTimer,
      );
      // A payment, a reply, an objection or a chargeback arrived while the owner had not approved yet: the draft
      // no longer answers everything known, so it is withdrawn and the next step drafts one letter that does.
      if (!st.isClosed(s)) await withdrawStale();
      return;
    }
    // approved: send it
    const to = s.input.invoice?.customerEmail;
    if (!to)
      throw wf.ApplicationFailure.nonRetryable(
        'The invoice has no customer email to send the response to.',
        'case.no_recipient',
      );
    // The concession's credit note is the one the case posted last (on approval, after drafting); found by its ref,
    // not by time, since the sync may have read it back first and dated it by the ledger.
    const lastPosted = s.creditNotesPosted.at(-1);
    const posted = kind === 'concession' ? s.credits.find((c) => c.ours && c.ref === lastPosted) : undefined;
    const content = st.withLedgerNumber(d.content, creditPlaceholder(caseId), posted?.number);
    // The case keeps the letter as it goes out, with the ledger's number for the credit note. From the patch on it does
    // so before sending: the outbox delivers the letter before the send returns, and a view read in between showed the
    // placeholder the client never saw. Histories recorded before it kept the number after the send, and replay so.
    const { version } = d;
    const numbered = content !== d.content;
    const keep = () => {
      if (numbered) s = { ...s, drafts: s.drafts.map((x) => (x.version === version ? { ...x, content } : x)) };
    };
    const keptFirst = numbered && wf.patched('letter-as-sent-before-sending');
    if (keptFirst) keep();
    const sent = await acts.sendEmail({ key: key('send', d.version), caseId, to, ...content, replyToCase: true });
    if (!keptFirst) keep();
    s = st.markSent(s, d.version, now(), sentZone());
    afterSent(kind, d.draftedAt); // before any await: an Update landing during the audit must not be overwritten
    await audit('letter_sent', { version: d.version, kind, messageId: sent.messageId }, d.decidedBy ?? 'owner');
  }

  /**
   * The zone a letter goes out in, kept with it so that later letters cite it by the date it carried: after the owner
   * changes the zone in Settings, that date may be a day off in the new one. Letters sent before the patch keep none,
   * and are cited in the current zone as they were.
   */
  const sentZone = (): string | undefined =>
    wf.patched('letters-keep-sent-zone') ? s.input.organisation.timeZone : undefined;

  function afterSent(kind: DraftKind, draftedAt: string) {
    const at = now();
    if (kind === 'final_notice')
      s = st.withStatus(st.schedulePayment(s, draftedAt, at, 'final_notice'), 'final_notice');
    else s = st.clearTimers(st.schedulePayment(s, draftedAt, at, 'payment'), ['response', 'response_limit']);
    // A first response that went out while a vague objection was open asked for the specifics: it answers it.
    const o = st.openObjection(s);
    if (
      kind === 'ask_specifics' ||
      kind === 'uphold' ||
      kind === 'concession' ||
      (kind === 'first_response' && o?.input.kind === 'vague')
    )
      s = st.markObjectionAnswered(s, at);
    // An objection registered while this letter was going out keeps the case with the owner.
    if (kind !== 'final_notice' && !st.openObjection(s)) s = st.withStatus(s, 'awaiting_client');
  }

  /** The chargeback the processor has decided: won returns the money; lost keeps it with the cardholder. */
  async function chargebackDecided(): Promise<void> {
    const cb = s.chargeback!;
    const k = `chargeback:${cb.dispute.id}:${cb.status}`;
    if (st.hasFired(s, k)) return;
    s = st.markFired(s, k);
    const outcome = cb.status === 'lost' ? 'lost' : 'won';
    await owner(
      persistedValues.chargebackOutcomeNotice,
      `${cb.dispute.id}/${outcome}`,
      `Chargeback ${outcome}`,
      outcome === 'won'
        ? `${st.ProcessorName(s)} decided the chargeback in your favour: ${fmt(cb.amount)} comes back to you.`
        : `${st.ProcessorName(s)} decided the chargeback for the cardholder: ${fmt(cb.amount)} stays with them.`,
    );
    if (outcome === 'lost')
      s = st.applyClose(s, { kind: 'write_off', by: processorActor, note: 'chargeback lost' }, now());
  }

  /** A chargeback still open: the case answers it with dispute evidence, approved by the owner, before its deadline. */
  async function chargebackStep(): Promise<void> {
    const cb = s.chargeback!;
    const needsResponse = ['needs_response', 'warning_needs_response', 'appeal_needs_response'].includes(cb.status);
    const outcome = cb.status;
    if (s.evidenceSubmitted || !needsResponse) {
      return waitFor(
        () => s.chargeback?.status !== outcome || s.chargeback?.dispute.id !== cb.dispute.id,
        [evidenceTimer],
        responseTimer,
      );
    }
    const windowMark = `${persistedValues.evidenceWindowMark}:${cb.dispute.id}`;
    if (!st.hasFired(s, windowMark)) {
      // The evidence deadline counts from the processor's own, for a chargeback that arrived on a running case too.
      s = st.markFired(st.scheduleChargeback(s, now()), windowMark);
      const approveBy = s.deadlines[evidenceTimer];
      await owner(
        'chargeback',
        cb.dispute.id,
        `Chargeback of ${fmt(cb.amount)}: approve the evidence by ${approveBy ? st.dayFor(s, approveBy) : 'soon'}`,
        `The client disputed a card payment of ${fmt(cb.amount)} with their bank (${cb.reason.replaceAll('_', ' ')}). ${st.ProcessorName(s)} withdrew it. Shortfall drafted the evidence; approve it by ${approveBy ? st.whenFor(s, approveBy) : 'soon'}, Shortfall's date for your approval${cb.dueBy ? `, ${st.evidenceLead(s)} ${st.processorName(s)}'s own deadline (${st.whenFor(s, cb.dueBy)})` : ''}, so it reaches ${st.processorName(s)} in time.`,
      );
    }
    const d = st.latestDraft(s);
    if (d?.kind === evidenceDraftKind && d.state === 'approved') {
      // What reaches the processor is what the owner approved, edits included, even when the approval came before the
      // draft was staged: stage that version (once, by its key), then submit.
      if (wf.patched('stage-approved-evidence')) {
        // Its own key: the draft's earlier staging uploaded other file ids, and an idempotency key is for one request.
        const staged = await needsConnection(() =>
          stageEvidence({
            key: key(evidenceKeyScope, 'stage-approved', cb.dispute.id, d.version),
            connectionId: evidenceConnection(),
            disputeId: cb.dispute.id,
            fields: d.content.evidence ?? {},
            documentIds: d.content.attachments.map((a) => a.documentId),
          }),
        );
        if (staged === undefined && !s.ledgerConnected) return;
      }
      const done = await needsConnection(() =>
        submitEvidence({
          key: key(evidenceKeyScope, 'submit', cb.dispute.id, d.version),
          connectionId: evidenceConnection(),
          disputeId: cb.dispute.id,
        }),
      );
      if (done === undefined && !s.ledgerConnected) return;
      s = st.withStatus(
        { ...st.markSent(s, d.version, now(), sentZone()), evidenceSubmitted: true },
        persistedValues.evidenceSubmittedStatus,
      );
      s = st.clearTimers(s, [evidenceTimer, 'response', 'response_limit']);
      return audit(persistedValues.evidenceSubmittedAudit, { version: d.version }, d.decidedBy ?? 'owner');
    }
    const fresh = !d || d.kind !== evidenceDraftKind || d.state !== 'pending';
    // The processor may move on without us (won, lost, or answered from its dashboard): that wakes the approval wait too.
    await letterStep(evidenceDraftKind, [evidenceTimer], () => s.chargeback?.status !== outcome);
    const staged = st.latestDraft(s)!;
    if (fresh && staged.kind === evidenceDraftKind && staged.state === 'pending') {
      await needsConnection(() =>
        stageEvidence({
          key: key(evidenceKeyScope, 'stage', cb.dispute.id, staged.version),
          connectionId: evidenceConnection(),
          disputeId: cb.dispute.id,
          fields: staged.content.evidence ?? {},
          documentIds: staged.content.attachments.map((a) => a.documentId),
        }),
      );
    }
  }

  /** Evidence goes to the connection with the dispute-evidence capability: the case's own, or the one the chargeback
   * was found on (a chargeback that reached a case running on a ledger is answered through the connection it came from). */
  const evidenceConnection = () => s.chargeback?.connectionId ?? s.input.evidenceConnectionId ?? s.input.connectionId;
  const fmt = (m: { minor: number; currency: string }) => st.formatFor(s, m);

  async function objectionStep(o: st.Objection): Promise<void> {
    // Before the first written response, that response answers a vague objection: it asks for the specifics.
    if (o.input.kind === 'vague')
      return letterStep(s.firstResponseSent ? 'ask_specifics' : 'first_response', ['response', 'response_limit']);
    if (!o.decision) {
      if (!st.hasFired(s, `objection:${o.at}`)) {
        s = st.markFired(st.scheduleResponse(s, o.at, now()), `objection:${o.at}`);
        await owner(
          'objection',
          o.at,
          'The client named a disputed line',
          `${o.input.summary}. Concede lines for a credit note, or uphold the invoice.`,
        );
      }
      return waitFor(
        () => Boolean(st.openObjection(s)?.decision) || st.balanceCleared(s) || st.chargebackOpen(s),
        ['response', 'response_limit'],
        responseTimer,
      );
    }
    if (o.decision.kind === 'concede' && !st.hasFired(s, `credit:${o.at}`)) {
      const lines = o.decision.lines.map((c) => ({
        lineId: c.lineId,
        amount: c.amount,
        description: s.input.invoice!.lines.find((l) => l.id === c.lineId)?.description ?? c.lineId,
      }));
      // Post only after the owner approves the concession letter, so both go out together.
      const d = st.latestDraft(s);
      if (d?.kind === 'concession' && d.state === 'approved') {
        const posted = await needsConnection(() =>
          writes.postCreditNote({
            key: key('credit', o.at),
            caseId,
            connectionId: s.input.connectionId,
            invoiceId: s.input.invoice!.ref.id,
            currency: s.total.currency,
            lines,
            memo: `Shortfall case ${caseId}: conceded lines`,
          }),
        );
        if (!posted) return; // the connection broke: the case waits for the reconnect, then posts once
        s = st.markFired(st.applyCreditNote(s, posted.ref, posted.total, now(), posted.number), `credit:${o.at}`);
        await audit(
          'credit_note_posted',
          { ref: posted.ref, number: posted.number, total: posted.total },
          d.decidedBy ?? 'owner',
        );
        return;
      }
    }
    return letterStep(o.decision.kind === 'concede' ? 'concession' : 'uphold', ['response', 'response_limit']);
  }

  /** The connection is broken: nothing can be read or written, so every clock stands still until the reconnect. */
  async function pausedStep(): Promise<void> {
    const since = s.pausedSince!;
    if (!st.hasFired(s, `paused:${since}`)) {
      s = st.markFired(s, `paused:${since}`);
      await owner(
        'connection_broken',
        since,
        'Reconnect your ledger: this case is paused',
        'Shortfall lost access to your ledger, so this case cannot see payments or post credit notes. Every deadline of the case is paused until you reconnect, and resumes with the business time it had left.',
      );
      const cb = s.chargeback;
      if (cb?.dueBy && st.chargebackOpen(s) && !s.evidenceSubmitted) {
        await owner(
          persistedValues.evidenceDeadlineNotice,
          `${since}/${cb.dispute.id}`,
          `${st.ProcessorName(s)}'s evidence deadline still runs: ${st.dayFor(s, cb.dueBy)}`,
          `${st.ProcessorName(s)}'s deadline for the chargeback evidence (${st.whenFor(s, cb.dueBy)}) is ${st.processorName(s)}'s own and does not pause. Reconnect before then, or answer the dispute from ${st.processorName(s)}'s dashboard.`,
        );
      }
    }
    return waitFor(
      () => s.ledgerConnected,
      [],
      async () => {},
    );
  }

  async function paymentStep(): Promise<void> {
    if (s.finalNoticeSent && st.deadlinePassed(s, 'final_notice')) return escalate();
    if (!s.finalNoticeSent && st.deadlinePassed(s, 'payment')) return letterStep('final_notice', []);
    // A client reply nobody has registered as an objection yet keeps the case with the owner.
    s = st.withStatus(
      s,
      st.unreadReply(s) ? 'awaiting_owner' : s.finalNoticeSent ? 'final_notice' : 'awaiting_payment',
    );
    const replies = s.replies.length;
    return waitFor(
      () =>
        st.balanceCleared(s) || Boolean(st.openObjection(s)) || st.chargebackOpen(s) || s.replies.length !== replies,
      ['payment', 'final_notice'],
      async (t) => {
        if (t.kind === 'reminder')
          await owner(
            'reminder',
            t.key,
            'A payment deadline is coming up',
            `Due ${s.deadlines[t.for] ? st.whenFor(s, s.deadlines[t.for]!) : 'soon'}.`,
          );
      },
    );
  }

  /** Builds (or rebuilds, with the latest documents) the small-claims evidence pack. */
  async function buildPack(why: 'requested' | 'final_notice_expired') {
    const version = s.packsRequested + (why === 'final_notice_expired' ? 1 : 0);
    const pack = await acts.buildEvidencePack({
      key: key('evidence-pack', ...(version > 1 || why === 'requested' ? [version] : [])),
      caseId,
      organisation: s.input.organisation,
      payments: s.input.payments,
      view: st.view(s),
      documents: s.documents.filter((d) => d.id !== s.pack?.documentId),
      ...(s.input.invoice ? { invoice: s.input.invoice } : {}),
    });
    if (why === 'final_notice_expired') s = { ...s, packsRequested: version };
    s = st.packBuilt(s, pack, now());
    await audit('evidence_pack', { documentId: pack.documentId, why });
    return pack;
  }

  async function escalate() {
    const pack = await buildPack('final_notice_expired');
    s = st.withStatus(
      {
        ...st.record(s, now(), 'escalated', `The client did not pay after the final notice (${pack.name})`),
        escalated: true,
      },
      'escalated',
    );
    await audit('escalated', { documentId: pack.documentId });
    await owner(
      'escalated',
      'pack',
      'Evidence pack ready for small claims',
      'The client did not pay after the final notice. The small-claims evidence pack is attached to the case.',
    );
  }

  /** A draft still waiting for approval that no longer answers everything known is withdrawn, whatever step is next. */
  async function withdrawStale(): Promise<void> {
    const d = st.latestDraft(s);
    if (!d || d.state !== 'pending' || st.draftBasis(s) === d.basis) return;
    const because = st.whyOutOfDate(s, d);
    s = st.withdrawDraft(s, d.version, now(), because);
    await audit('draft_withdrawn', { version: d.version, because });
  }

  async function step(): Promise<void> {
    // Settings the owner saved reach the letters and deadlines from here on (only cases that received the signal).
    // Before the zone changes, letters sent before the case kept their zone take the one they went out in, so later
    // letters keep citing them by the dates they carried (patched: a case recorded before gave them none).
    if (st.settingsDue(s))
      s = st.applySettings(s, now(), st.sentWithoutZone(s).length > 0 && wf.patched('sent-zone-before-settings'));
    if (!s.announced) return announce();
    await withdrawStale();
    if (!s.ledgerConnected) return pausedStep();
    if (s.packsRequested > s.packsBuilt) {
      await buildPack('requested');
      return owner(
        'evidence_pack',
        `pack/${s.packsBuilt}`,
        'Evidence pack ready',
        'The small-claims evidence pack you asked for is attached to the case, built with the documents it holds now.',
      );
    }
    if (s.chargeback && st.chargebackOpen(s)) return chargebackStep();
    if (s.chargeback && !st.chargebackOpen(s)) {
      await chargebackDecided();
      if (st.isClosed(s) || !s.input.invoice) {
        if (!st.isClosed(s))
          s = st.applyClose(
            s,
            { kind: 'resolved', by: processorActor, note: `dispute ${s.chargeback.status.replaceAll('_', ' ')}` },
            now(),
          );
        return;
      }
    }
    const o = st.openObjection(s);
    // A credit already posted is announced in writing even when it clears the balance.
    if (o && st.hasFired(s, `credit:${o.at}`)) return objectionStep(o);
    if (s.input.plan && st.account(s).inDispute.minor === 0 && !o) {
      s = st.applyClose(
        s,
        { kind: 'resolved', by: 'ledger', note: 'the client is back on the agreed payment plan' },
        now(),
      );
      return audit('resolved', { plan: 'back on plan' });
    }
    if (st.balanceCleared(s)) {
      s = st.applyClose(s, { kind: 'resolved', by: 'ledger', note: 'nothing is owed any more' }, now());
      const a = st.account(s);
      await owner(
        'resolved',
        'settled',
        `Invoice ${s.input.invoice?.number ?? ''} is settled`,
        `Nothing is owed on invoice ${s.input.invoice?.number ?? ''} any more (paid ${fmt(a.paid)}, credited ${fmt(a.credited)}). The case is resolved.`,
      );
      return audit('resolved', { paid: a.paid, credited: a.credited, writtenOff: a.writtenOff });
    }
    if (o) return objectionStep(o);
    if (!s.firstResponseSent) return letterStep('first_response', ['response', 'response_limit']);
    if (s.escalated)
      return waitFor(
        () => st.balanceCleared(s),
        [],
        async () => {},
      );
    return paymentStep();
  }

  let projected = '';
  /** The workflow's search attribute already holds this value (the starter's, or the last upsert's). */
  const sameAttribute = (p: SearchAttributeUpdatePair): boolean => {
    const held: unknown = wf.workflowInfo().typedSearchAttributes.get(p.key);
    const value: unknown = p.value;
    if (value instanceof Date) return held instanceof Date && held.getTime() === value.getTime();
    return value === null ? held === undefined : held === value;
  };
  // Starters set the search attributes at start; a case started without them (the time-skipping test server
  // has no visibility store) skips the upsert rather than failing its workflow task.
  const indexed = wf.workflowInfo().typedSearchAttributes.get(caseStatusKey) !== undefined;

  async function project() {
    // A chargeback alone lists no written-response deadline (no letter goes to the client); histories recorded before
    // the patch projected every deadline, and replay so.
    const next = st.nextDeadline(s, now(), wf.patched('chargeback-applying-deadlines'));
    if (indexed) {
      const attributes: SearchAttributeUpdatePair[] = [
        { key: caseStatusKey, value: s.status },
        { key: providerKey, value: s.input.provider },
        { key: connectionIdKey, value: s.input.connectionId },
        { key: disputedMinorKey, value: st.owed(s).minor },
        { key: nextDeadlineKey, value: next ? new Date(next) : null },
        ...(s.input.invoice
          ? [
              { key: invoiceNumberKey, value: s.input.invoice.number },
              { key: customerIdKey, value: s.input.invoice.customerId },
            ]
          : []),
      ];
      // Each upsert is a history event and a visibility write. Cases recorded before the patch upserted every
      // attribute on every projection (5 times before the owner's approval); from the patch on, only what changed
      // since the start or the last upsert, and nothing when nothing did.
      if (wf.patched('upsert-changed-search-attributes')) {
        const changed = attributes.filter((p) => !sameAttribute(p));
        if (changed.length > 0) wf.upsertSearchAttributes(changed);
      } else wf.upsertSearchAttributes(attributes);
    }
    const { row, key } = caseListRow(next);
    if (key !== projected) {
      projected = key;
      await acts.projectCase(row);
    }
  }

  /** What the case list shows of the case now (`next`: its next deadline), and the key project() compares. */
  function caseListRow(next: string | undefined): { readonly row: CaseProjection; readonly key: string } {
    const a = st.account(s);
    // The case list shows what the case is still pursuing: what is owed.
    const projection = {
      caseId,
      status: s.status,
      paid: a.paid,
      disputed: st.owed(s),
      ...(next ? { nextDeadline: next } : {}),
    };
    const standing = st.standing(s, now());
    // Histories recorded before the standing was projected project when they did then (an objection naming lines
    // changes the standing alone); from the patch on, a change in the standing projects too.
    const key = JSON.stringify(wf.patched('project-standing') ? { ...projection, standing } : projection);
    // The row carries the workflow time it was read at (not part of the key: the list keeps the latest row).
    return { row: { ...projection, standing, at: now() }, key };
  }

  /**
   * The case list's row, for a step that sends a letter or an approval request to write along with it when it
   * changed: one activity and one workflow task fewer than project() writing it after the step (issue 18: the
   * worker's CPU per case). Taken only with audit-in-its-step; histories recorded before the patch projected after
   * the step, and replay so. What the step itself changes in the state is already in `s` when this is read; a change
   * that lands while the step runs (a payment, a reply) is written by project() after it, as before.
   */
  function rowForStep(): { readonly row: CaseProjection; readonly key: string } | undefined {
    if (!wf.patched('project-in-its-step')) return undefined;
    const r = caseListRow(st.nextDeadline(s, now(), wf.patched('chargeback-applying-deadlines')));
    return r.key === projected ? undefined : r;
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
