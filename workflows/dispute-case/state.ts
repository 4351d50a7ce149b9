// Business rules of a case as a pure reducer: (state, event) -> state. No Temporal imports, so it is
// unit-tested without a server and carried verbatim through continue-as-new.
import {
  caseAccount,
  caseStanding,
  creditNoteLabel,
  type AccountCredit,
  type AccountPayment,
  type AccountWriteOff,
  type CaseAccount,
  type CaseStanding,
  ownerFigures,
} from '../../src/domain/account.js';
import { evidenceFromOwnerText, evidenceFromOwnerTextAsFirstRead } from '../../src/domain/evidence-text.js';
import { addBusinessMs, businessMsBetween } from '../../src/domain/calendar.js';
import type { CaseDocument, ChargebackRef } from '../../src/domain/case.js';
import type { DisputeStatus, ExternalRef } from '../../src/domain/model.js';
import {
  balanceSchedule,
  evidenceLeadWords,
  policyFor,
  responseSchedule,
  type DeadlinePolicy,
  type Schedule,
} from '../../src/domain/deadlines.js';
import { formatMoney, money, negate, subtract, sum, type Money } from '../../src/domain/money.js';
import { dateTimeFormat } from '../../src/domain/intl.js';
import type {
  CaseStatus,
  CaseView,
  ChargebackView,
  CloseInput,
  DisputeCaseInput,
  DraftContent,
  DraftDecision,
  DraftKind,
  DraftView,
  ExtendInput,
  LedgerEvent,
  ObjectionDecision,
  ObjectionInput,
  ObjectionView,
  ChargebackUpdate,
  OrganisationSettingsChange,
  TimelineEntry,
} from './definitions.js';
import { persistedValues } from './persisted-names.js';

export type DeadlineName =
  'response' | 'response_limit' | 'payment' | 'final_notice' | 'objection' | typeof persistedValues.evidenceTimer;

/** The timer of the processor's evidence deadline. */
export const evidenceTimer = persistedValues.evidenceTimer;

/** Names the card processor in a sentence, from the chargeback (cases opened before it was carried have none). */
export const processorName = (s: CaseState): string => s.chargeback?.processorName ?? 'the card processor';
export const ProcessorName = (s: CaseState): string => {
  const name = processorName(s);
  return name.charAt(0).toUpperCase() + name.slice(1);
};

const respondingStatuses: readonly DisputeStatus[] = [
  'needs_response',
  'warning_needs_response',
  'appeal_needs_response',
];
/**
 * The chargeback still waits for evidence: the processor asks for a response and Shortfall submitted none. A status
 * past that (`under_review`: the owner answered from the processor's dashboard, or it was decided) needs no notice.
 */
export const evidenceAwaited = (s: CaseState): boolean =>
  !s.evidenceSubmitted && Boolean(s.chargeback) && respondingStatuses.includes(s.chargeback!.status);

/** The timer at the processor's own evidence deadline (a reminder of the evidence timer: it sets no deadline). */
export const processorDeadlineKey = `${evidenceTimer}:processor_deadline`;

/** The processor's own deadline for the chargeback's evidence (its `due_by`), as the chargeback last said it. */
export const processorEvidenceDue = (s: CaseState): string | undefined =>
  s.chargeback?.dueBy ?? s.input.chargeback?.dueBy;

/**
 * How Shortfall's approval date stands to the processor's deadline, in words: "2 days before" when it keeps the
 * whole safety margin, "ahead of" when the chargeback arrived too late for that (the date is then the arrival).
 */
export function evidenceLead(s: CaseState): string {
  return evidenceLeadWords(
    s.deadlines[evidenceTimer],
    processorEvidenceDue(s),
    casePolicy(s).evidenceSafetyMarginHours,
  );
}

/** A moment the workflow wakes for: a deadline, a reminder before it, or an immediate owner alert. */
export interface Timer {
  readonly key: string;
  readonly for: DeadlineName;
  readonly kind: 'deadline' | 'reminder' | 'alert';
  readonly at: string;
}

export interface Objection {
  readonly input: ObjectionInput;
  readonly at: string;
  readonly decision?: ObjectionDecision;
  readonly answered: boolean;
}

/** A chargeback: the card processor withdrew `amount` from the business until the dispute is decided. */
export interface Chargeback extends ChargebackRef {
  readonly amount: Money;
  readonly reason: string;
  readonly status: DisputeStatus;
  readonly at: string;
  /** The connection that holds it (dispute evidence capability), when it reached a case running on another ledger. */
  readonly connectionId?: string;
}

export interface CaseState {
  readonly input: Omit<DisputeCaseInput, 'carried'>;
  readonly status: CaseStatus;
  /** The invoice total as the ledger last stated it (for a chargeback with no invoice, the disputed charge). */
  readonly total: Money;
  readonly payments: readonly AccountPayment[];
  readonly credits: readonly AccountCredit[];
  readonly writeOffs: readonly AccountWriteOff[];
  /** The balance the ledger last reported, to cross-check the account. */
  readonly ledgerBalance?: Money;
  readonly chargeback?: Chargeback;
  /** Client emails received, oldest first: the next letter acknowledges those after the last letter sent. */
  /** The client's replies; `text` (its first REPLY_TEXT_LIMIT characters) is what the case page's triage reads. */
  readonly replies: readonly {
    readonly at: string;
    readonly from: string;
    readonly subject: string;
    readonly text?: string;
  }[];
  /** Evidence packs asked for by the owner, and built. */
  readonly packsRequested: number;
  readonly packsBuilt: number;
  readonly pack?: { readonly at: string; readonly documentId: string; readonly name: string };
  readonly drafts: readonly DraftView[];
  readonly deadlines: Readonly<Partial<Record<DeadlineName, string>>>;
  /** Bumped whenever a deadline moves, so a sleeping wait wakes up and re-reads it. */
  readonly deadlineRevision: number;
  readonly timers: readonly Timer[];
  readonly fired: readonly string[];
  readonly timeline: readonly TimelineEntry[];
  readonly announced: boolean;
  readonly firstResponseSent: boolean;
  readonly finalNoticeSent: boolean;
  readonly objections: readonly Objection[];
  readonly creditNotesPosted: readonly string[];
  readonly ledgerConnected: boolean;
  readonly pausedSince?: string;
  readonly disputeStatus?: DisputeStatus;
  readonly evidenceSubmitted: boolean;
  /** The owner is told when the processor's own evidence deadline passes with nothing submitted (patched runs). */
  readonly noticeProcessorDeadline?: boolean;
  /**
   * The evidence notices and timers follow the dispute as the processor reports it (patched runs): none once it needs
   * no response, and a moved `due_by` moves them.
   */
  readonly noticesFollowDispute?: boolean;
  /**
   * A chargeback that reached the case by signal (a short payment's card payment charged back later) gets the
   * evidence's dates and reminders from the processor's `due_by`, and counts in what the case opened for (patched runs:
   * set when such a chargeback arrives; runs recorded before read `due_by` from the input only and replay so).
   */
  readonly chargebackOnRunningCase?: boolean;
  readonly closed?: CloseInput & { readonly at: string };
  readonly escalated: boolean;
  readonly documents: readonly CaseDocument[];
  /** Settings the owner saved that the case has received but not applied yet (applied between steps). */
  readonly settings?: OrganisationSettingsChange;
}

/** Amounts as the owner reads them, in the organisation's locale. */
const shown = (s: CaseState, m: Money) => formatMoney(m, s.input.organisation.locale);
export const formatFor = shown;

/** An instant as the owner reads it in emails: in the organisation's zone, named ("America/New_York"). */
export const whenFor = (s: CaseState, iso: string): string => {
  const { locale, timeZone } = s.input.organisation;
  const text = dateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(Date.parse(iso));
  return `${text} (${timeZone})`;
};
/** The day an instant falls on in the organisation's zone, for subjects. */
export const dayFor = (s: CaseState, iso: string): string => {
  const { locale, timeZone } = s.input.organisation;
  return dateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(Date.parse(iso));
};

export class CaseRuleError extends Error {
  override readonly name = 'CaseRuleError';
}

const TIMELINE_LIMIT = 500;
const terminal: readonly CaseStatus[] = ['resolved', 'written_off', 'withdrawn'];

function note(s: CaseState, at: string, kind: string, summary: string): CaseState {
  return { ...s, timeline: [...s.timeline, { at, kind, summary }].slice(-TIMELINE_LIMIT) };
}

export function initialState(input: DisputeCaseInput, now: string): CaseState {
  const { carried: _carried, ...rest } = input;
  const d = input.chargeback;
  const total = input.invoice ? input.invoice.total : d!.amount;
  // With no invoice, the disputed charge is what the client paid; the chargeback then withdraws it.
  const payments: AccountPayment[] = input.invoice
    ? input.payments.map((p) => ({
        ref: p.ref.id,
        amount: p.amount,
        date: p.date,
        ...(p.memo ? { memo: p.memo } : {}),
      }))
    : [{ ref: d!.chargeId, amount: d!.amount, date: now.slice(0, 10) }];
  const s: CaseState = {
    input: rest,
    status: 'open',
    total,
    payments,
    writeOffs: [],
    credits: (input.credits ?? []).map((c) => ({
      ref: c.ref.id,
      amount: c.amount,
      at: now,
      ...(c.number ? { number: c.number } : {}),
    })),
    replies: [],
    packsRequested: 0,
    packsBuilt: 0,
    ...(input.invoice ? { ledgerBalance: input.invoice.balance } : {}),
    ...(d
      ? {
          chargeback: {
            dispute: d.dispute,
            chargeId: d.chargeId,
            ...(d.dueBy ? { dueBy: d.dueBy } : {}),
            ...(d.processorName ? { processorName: d.processorName } : {}),
            amount: d.amount,
            reason: d.reason,
            status: d.status,
            at: now,
          },
        }
      : {}),
    drafts: [],
    deadlines: {},
    deadlineRevision: 0,
    timers: [],
    fired: [],
    timeline: [],
    announced: false,
    firstResponseSent: false,
    finalNoticeSent: false,
    objections: [],
    creditNotesPosted: [],
    ledgerConnected: true,
    evidenceSubmitted: false,
    escalated: false,
    documents: input.documents,
    ...(d ? { disputeStatus: d.status } : {}),
  };
  return note(s, now, 'opened', d ? 'Chargeback received' : 'Short payment detected');
}

export const isClosed = (s: CaseState) => terminal.includes(s.status);

const finishedChargeback: readonly DisputeStatus[] = ['won', 'lost', 'warning_closed', 'prevented'];
/** A chargeback the processor has not decided yet: the case answers it before anything else. */
export const chargebackOpen = (s: CaseState): boolean =>
  Boolean(s.chargeback) && !finishedChargeback.includes(s.chargeback!.status);

/**
 * What the client contests once they named lines: those lines less the credits given on them. Under an agreed
 * payment plan, the case pursues only the overdue instalments, less what the client paid since the case opened.
 */
function contested(s: CaseState): Money | undefined {
  const o = [...s.objections].reverse().find((x) => x.input.kind === 'specific' || !x.answered);
  if (s.input.plan && (!o || o.input.kind !== 'specific')) {
    const known = new Set(s.input.payments.map((p) => p.ref.id));
    const since = sum(
      s.payments.filter((p) => !p.reversed && !known.has(p.ref)).map((p) => p.amount),
      s.total.currency,
    );
    return money(Math.max(0, s.input.plan.overdue.minor - since.minor), s.total.currency);
  }
  if (!o || o.input.kind !== 'specific' || !s.input.invoice) return undefined;
  const ids = new Set(o.input.lineIds);
  const lines = sum(
    s.input.invoice.lines.filter((l) => ids.has(l.id)).map((l) => l.amount),
    s.total.currency,
  );
  const credited =
    o.decision?.kind === 'concede' && hasFired(s, `credit:${o.at}`)
      ? sum(
          o.decision.lines.map((c) => c.amount),
          s.total.currency,
        )
      : money(0, s.total.currency);
  return subtract(lines, credited);
}

/** The one account of the case's money. A chargeback the processor has not reversed counts as money withdrawn. */
export function account(s: CaseState, extraCredits: readonly AccountCredit[] = []): CaseAccount {
  const cb = s.chargeback;
  const withdrawn: AccountPayment[] =
    cb && cb.status !== 'won' && cb.status !== 'warning_closed' && cb.status !== 'prevented'
      ? [
          {
            ref: cb.dispute.id,
            amount: negate(cb.amount),
            date: cb.at.slice(0, 10),
            memo: 'Chargeback',
            // Held by the processor only while the chargeback is open: a lost one went back to the cardholder.
            ...(chargebackOpen(s) ? { held: true } : {}),
          },
        ]
      : [];
  const c = contested(s);
  return caseAccount({
    total: s.total,
    payments: [...s.payments, ...withdrawn],
    credits: [...s.credits, ...extraCredits],
    writeOffs: s.writeOffs,
    ...(c ? { contested: c } : {}),
  });
}

export const balanceCleared = (s: CaseState) => account(s).settled;

/** Where the case stands against the account it opened with (the dashboard's figures); `now` dates what no payment explains. */
export function standing(s: CaseState, now: string): CaseStanding {
  const opened = initialState(s.input, s.input.learnedAt);
  // A chargeback that reached the running case counts in what it opened for, as one the case opened with does: the
  // money the processor withdrew is in dispute from then on (patched runs; the case's month keeps it).
  const later = laterChargeback(s);
  const opening = account(
    later
      ? {
          ...opened,
          payments: [
            ...opened.payments,
            { ref: later.dispute.id, amount: negate(later.amount), date: later.at.slice(0, 10), held: true },
          ],
        }
      : opened,
  );
  return caseStanding(opening, account(s), s.input.learnedAt.slice(0, 10), now.slice(0, 10));
}
/** The chargeback that reached the case after it opened (not the one it opened with), in patched runs. */
export function laterChargeback(s: CaseState): Chargeback | undefined {
  const cb = s.chargeback;
  return s.chargebackOnRunningCase && cb && cb.dispute.id !== s.input.chargeback?.dispute.id ? cb : undefined;
}

/** What is still owed, never below zero: what letters ask for. */
export const owed = (s: CaseState): Money => {
  const a = account(s);
  return money(Math.max(0, a.stillOwed.minor), a.currency);
};
export const latestDraft = (s: CaseState): DraftView | undefined => s.drafts[s.drafts.length - 1];
export const openObjection = (s: CaseState): Objection | undefined => s.objections.find((o) => !o.answered);

export function withStatus(s: CaseState, status: CaseStatus): CaseState {
  return isClosed(s) ? s : { ...s, status };
}

export function record(s: CaseState, at: string, kind: string, summary: string): CaseState {
  return note(s, at, kind, summary);
}

export function setDeadlines(s: CaseState, deadlines: Partial<Record<DeadlineName, string>>): CaseState {
  return { ...s, deadlines: { ...s.deadlines, ...deadlines }, deadlineRevision: s.deadlineRevision + 1 };
}

export function markFired(s: CaseState, key: string): CaseState {
  return s.fired.includes(key) ? s : { ...s, fired: [...s.fired, key] };
}

export const hasFired = (s: CaseState, key: string) => s.fired.includes(key);
export const deadlinePassed = (s: CaseState, name: DeadlineName) => hasFired(s, `${name}:deadline`);

/** The earliest timer not yet fired. */
export function nextTimer(s: CaseState, only?: readonly DeadlineName[]): Timer | undefined {
  return s.timers
    .filter((t) => !s.fired.includes(t.key) && (!only || only.includes(t.for)))
    .sort((a, b) => a.at.localeCompare(b.at))[0];
}

export function casePolicy(s: CaseState): DeadlinePolicy {
  const org = s.input.organisation;
  return policyFor({ zone: org.timeZone, holidays: org.holidays }, org.windows ?? {});
}

const domainNames: Record<string, DeadlineName> = {
  written_response: 'response',
  written_response_hard_limit: 'response_limit',
  dispute_evidence: evidenceTimer,
  remaining_balance: 'payment',
};

function replaceTimers(
  s: CaseState,
  names: readonly DeadlineName[],
  schedule: Schedule,
  rename?: DeadlineName,
): CaseState {
  const fresh: Timer[] = [];
  for (const e of schedule.entries) {
    const base = e.kind === 'alert' ? 'response' : domainNames[e.kind === 'reminder' ? e.for : e.name];
    if (!base) continue;
    const name = rename ?? base;
    const key = e.kind === 'reminder' ? `${name}:${e.name.split('.')[1]}` : `${name}:${e.kind}`;
    fresh.push({ key, for: name, kind: e.kind, at: e.at });
  }
  const keep = s.timers.filter((t) => !names.includes(t.for));
  const fired = s.fired.filter((k) => !fresh.some((t) => t.key === k));
  const deadlines = Object.fromEntries(fresh.filter((t) => t.kind === 'deadline').map((t) => [t.for, t.at]));
  return setDeadlines({ ...s, timers: [...keep, ...fresh], fired }, deadlines);
}

/** Response window (and the processor's evidence deadline) counted from when we learned of the dispute or objection. */
export function scheduleResponse(s: CaseState, learnedAt: string, now: string): CaseState {
  // Patched runs read the processor's deadline as it last said it (a status update may have moved it).
  const evidenceDueBy =
    s.input.chargeback?.dueBy && (s.noticesFollowDispute ? processorEvidenceDue(s) : s.input.chargeback.dueBy);
  const schedule = responseSchedule(
    {
      now,
      learnedAt,
      fullAndFinal: Boolean(s.input.fullAndFinal) && !s.firstResponseSent,
      ...(evidenceDueBy && !s.evidenceSubmitted ? { evidenceDueBy } : {}),
    },
    casePolicy(s),
  );
  return withProcessorDeadline(replaceTimers(s, ['response', 'response_limit', evidenceTimer], schedule), now);
}

/** The processor's own deadline, after Shortfall's date for the approval: passing with nothing submitted loses it. */
function withProcessorDeadline(s: CaseState, now: string): CaseState {
  const due = processorEvidenceDue(s);
  if (!s.noticeProcessorDeadline || !due || s.evidenceSubmitted || due <= now) return s;
  return {
    ...s,
    timers: [
      ...s.timers.filter((t) => t.key !== processorDeadlineKey),
      { key: processorDeadlineKey, for: evidenceTimer, kind: 'reminder', at: due },
    ],
    fired: s.fired.filter((k) => k !== processorDeadlineKey),
  };
}

/**
 * The chargeback's window opens: Shortfall's date for the approval and its reminders, from the processor's deadline.
 * A chargeback that reached the running case (patched runs) sets only those, and leaves the short payment's written
 * response where it was (its window counts from the short payment, or it went out already); otherwise the response
 * window is counted from the chargeback too, as it always was.
 */
export function scheduleChargeback(s: CaseState, now: string): CaseState {
  const later = laterChargeback(s);
  if (!later) return scheduleResponse(s, s.chargeback!.at, now);
  const due = processorEvidenceDue(s);
  return due && evidenceAwaited(s) ? evidenceTimers(s, due, now) : s;
}

/** Shortfall's date for the evidence (with its reminders) and the timer at the processor's own deadline. */
function evidenceTimers(s: CaseState, due: string, now: string): CaseState {
  const schedule = responseSchedule(
    { now, learnedAt: s.chargeback!.at, fullAndFinal: false, evidenceDueBy: due },
    casePolicy(s),
  );
  const entries = schedule.entries.filter(
    (e) => e.kind !== 'alert' && (e.kind === 'reminder' ? e.for : e.name) === 'dispute_evidence',
  );
  return withProcessorDeadline(replaceTimers(s, [evidenceTimer], { ...schedule, entries }), now);
}

/**
 * The processor moved its evidence deadline (a status update with a new `due_by`): Shortfall's date for the approval,
 * its reminders and the timer at the processor's own deadline move with it. Only for runs whose evidence notices
 * follow the dispute (patched), and only once the evidence timers run and nothing was submitted.
 */
export function moveProcessorDeadline(s: CaseState, now: string): CaseState {
  const due = processorEvidenceDue(s);
  if (!s.noticesFollowDispute || !due || s.evidenceSubmitted || !s.chargeback) return s;
  if (!s.timers.some((t) => t.for === evidenceTimer)) return s; // not scheduled yet: scheduling reads the new date
  return evidenceTimers(s, due, now);
}

/** The payment deadline (with reminders) a sent letter stated: recomputed from when it was drafted. */
export function schedulePayment(
  s: CaseState,
  draftedAt: string,
  now: string,
  name: 'payment' | 'final_notice',
): CaseState {
  const policy = name === 'final_notice' ? { ...casePolicy(s), balanceDueDays: FINAL_NOTICE_DAYS } : casePolicy(s);
  return replaceTimers(s, [name], balanceSchedule({ now, responseSentAt: draftedAt }, policy), name);
}

export function clearTimers(s: CaseState, names: readonly DeadlineName[]): CaseState {
  const deadlines = Object.fromEntries(Object.entries(s.deadlines).filter(([n]) => !names.includes(n as DeadlineName)));
  return {
    ...s,
    timers: s.timers.filter((t) => !names.includes(t.for)),
    deadlines,
    deadlineRevision: s.deadlineRevision + 1,
  };
}

export const FINAL_NOTICE_DAYS = 7;
/** Letters that answer the client in writing: the first of them is the seed's written response. */
export const writtenResponses: readonly DraftKind[] = ['first_response', 'ask_specifics', 'uphold', 'concession'];
const settingDeadline: readonly DraftKind[] = [
  'first_response',
  'ask_specifics',
  'uphold',
  'concession',
  'final_notice',
];

/** The payment deadline a letter drafted at `at` states: the balance window, or the final notice's shorter one. */
export function dueByFor(s: CaseState, kind: DraftKind, at: string): string | undefined {
  if (!settingDeadline.includes(kind)) return undefined;
  const policy = kind === 'final_notice' ? { ...casePolicy(s), balanceDueDays: FINAL_NOTICE_DAYS } : casePolicy(s);
  return balanceSchedule({ now: at, responseSentAt: at }, policy).entries.find((e) => e.kind === 'deadline')!.at;
}

/**
 * What a letter depends on: the money, the client's replies and objections, the owner's decisions and the
 * chargeback. A pending draft whose basis changed is out of date and is withdrawn.
 */
export function draftBasis(s: CaseState): string {
  const a = account(s);
  // The Settings revision the case knows of counts only once there is one, so older drafts keep their basis.
  const revision = knownSettingsRevision(s);
  return JSON.stringify([
    a.total.minor,
    a.paid.minor,
    a.credited.minor,
    a.writtenOff.minor,
    a.payments.length,
    s.replies.length,
    s.objections.map((o) => [o.at, o.decision?.kind ?? '', o.answered]),
    s.chargeback?.status ?? '',
    s.chargeback?.amount.minor ?? 0,
    s.documents.filter((d) => d.id !== s.pack?.documentId).length,
    ...(revision === undefined ? [] : [revision]),
  ]);
}

/**
 * The draft written from `s`. `basis` is what the case knew when drafting began (draftBasis before the letter was
 * written); without it, the basis is taken now, which counts anything that landed while the letter was written.
 */
export function addDraft(
  s: CaseState,
  kind: DraftKind,
  content: DraftContent,
  at: string,
  dueBy?: string,
  basis: string = draftBasis(s),
): CaseState {
  const version = s.drafts.length + 1;
  const draft: DraftView = {
    version,
    kind,
    content,
    state: 'pending',
    draftedAt: at,
    basis,
    ...(dueBy ? { dueBy } : {}),
  };
  const s2 = { ...s, drafts: [...s.drafts, draft] };
  return note(
    withStatus(s2, 'awaiting_approval'),
    at,
    'draft',
    `Draft v${version} (${kind.replace('_', ' ')}) ready for approval`,
  );
}

/** Whether a decision edits chargeback evidence (its text is read back into the processor's fields). */
export function editsEvidence(s: CaseState, d: DraftDecision): boolean {
  return d.kind === 'edit_and_approve' && !!s.drafts.find((x) => x.version === d.version)?.content.evidence;
}

/**
 * Whether the owner may take this decision now; an edit of the evidence that cannot be read back into its fields is
 * refused with the reason (`readEvidence` false: an edit approved before such edits were refused replays as it was).
 */
export function assertDecidable(s: CaseState, d: DraftDecision, readEvidence = true): void {
  const draft = s.drafts.find((x) => x.version === d.version);
  if (!draft) throw new CaseRuleError(`There is no draft version ${d.version}.`);
  if (isClosed(s)) throw new CaseRuleError(`The case is closed (${s.status}).`);
  if (draft.state === 'withdrawn')
    throw new CaseRuleError(
      `Draft v${d.version} was withdrawn: ${draft.withdrawn?.because ?? 'the case changed'}. A new draft replaces it.`,
    );
  if (draft.state !== 'pending')
    throw new CaseRuleError(
      `Draft v${d.version} was already ${draft.state}${draft.decidedBy ? ` by ${draft.decidedBy}` : ''}.`,
    );
  // The case already knows something the draft does not answer: the main loop withdraws it in a moment.
  if (draft.basis && draft.basis !== draftBasis(s))
    throw new CaseRuleError(`Draft v${d.version} was withdrawn: ${whyOutOfDate(s, draft)}. A new draft replaces it.`);
  if (latestDraft(s)!.version !== d.version)
    throw new CaseRuleError(`Draft v${d.version} is stale; v${latestDraft(s)!.version} is current.`);
  if (d.kind === 'edit_and_approve' && (!d.subject.trim() || !d.text.trim()))
    throw new CaseRuleError('An edited draft needs a subject and a text.');
  if (readEvidence && d.kind === 'edit_and_approve' && draft.content.evidence) {
    const read = evidenceFromOwnerText(d.text, draft.content.evidence);
    if ('problem' in read) throw new CaseRuleError(read.problem);
  }
}

export function applyDraftDecision(s: CaseState, d: DraftDecision, at: string, readEvidence = true): CaseState {
  assertDecidable(s, d, readEvidence);
  const drafts = s.drafts.map((x): DraftView => {
    if (x.version !== d.version) return x;
    const decided = { ...x, decidedBy: d.by, decidedAt: at };
    if (d.kind === 'reject') return { ...decided, state: 'rejected' };
    if (d.kind === 'approve') return { ...decided, state: 'approved' };
    return {
      ...decided,
      state: 'approved',
      content: {
        ...x.content,
        subject: d.subject,
        text: d.text,
        html: textToHtml(d.text),
        // Chargeback evidence: what the processor receives is what the owner approved, edits included.
        ...(x.content.evidence ? { evidence: readEvidenceEdit(d.text, x.content.evidence, readEvidence) } : {}),
      },
    };
  });
  const verb = d.kind === 'reject' ? 'rejected' : d.kind === 'approve' ? 'approved' : 'edited and approved';
  return note({ ...s, drafts }, at, 'decision', `Draft v${d.version} ${verb} by ${d.by}`);
}

function readEvidenceEdit(text: string, drafted: Readonly<Record<string, string>>, byHeading: boolean) {
  if (!byHeading) return evidenceFromOwnerTextAsFirstRead(text, drafted);
  const read = evidenceFromOwnerText(text, drafted);
  if ('problem' in read) throw new CaseRuleError(read.problem); // assertDecidable refused it already
  return read.fields;
}

/** What changed since the draft was written, in the owner's words. */
export function whyOutOfDate(s: CaseState, d: DraftView): string {
  const before = d.basis ? (JSON.parse(d.basis) as unknown[]) : [];
  const now = JSON.parse(draftBasis(s)) as unknown[];
  const changed = (i: number) => JSON.stringify(before[i]) !== JSON.stringify(now[i]);
  const reasons = [
    ...(changed(1) || changed(4) ? ['a payment changed'] : []),
    ...(changed(2) ? ['a credit note was recorded'] : []),
    ...(changed(0) || changed(3) ? ['the invoice changed'] : []),
    ...(changed(5) ? ['the client replied'] : []),
    ...(changed(6) ? ['an objection was registered or decided'] : []),
    ...(changed(7) || changed(8) ? ['the chargeback changed'] : []),
    ...(changed(9) ? ['a document was added'] : []),
    ...(changed(10) ? ['the settings changed (signature, time zone, holidays or windows)'] : []),
  ];
  return reasons.length ? reasons.join(', ') : 'the case changed';
}

/** The newest Settings revision the case knows of, received or applied; undefined for a case that never had one. */
export function knownSettingsRevision(s: CaseState): number | undefined {
  const applied = s.input.organisation.settingsRevision;
  const received = s.settings?.revision;
  if (applied === undefined && received === undefined) return undefined;
  return Math.max(applied ?? 0, received ?? 0);
}

/**
 * The owner saved Settings. A closed case, or a revision the case already has, changes nothing (the signal may be
 * sent again). The profile is kept aside until the workflow applies it between steps (applySettings).
 */
export function receiveSettings(s: CaseState, change: OrganisationSettingsChange): CaseState {
  if (isClosed(s)) return s;
  if (change.revision <= (knownSettingsRevision(s) ?? -1)) return s;
  return { ...s, settings: change };
}

/** Settings received and ready to apply: no approved letter is still going out with the ones it was drafted with. */
export const settingsDue = (s: CaseState): boolean => Boolean(s.settings) && latestDraft(s)?.state !== 'approved';

/**
 * Settings received take effect for every letter drafted and deadline computed from here: the case's profile is
 * replaced. Deadlines already set and letters already sent keep what they were given. Not while an approved letter
 * is going out: its payment deadline is scheduled exactly as the letter states it, from the profile it was drafted with.
 */
export function applySettings(s: CaseState, at: string, keepSentZones = false): CaseState {
  const change = s.settings;
  if (!change || !settingsDue(s)) return s;
  const { settings: _applied, ...rest } = s;
  const changed: CaseState = {
    ...rest,
    ...(keepSentZones ? { drafts: withSentZones(s) } : {}),
    input: { ...s.input, organisation: { ...change.organisation, settingsRevision: change.revision } },
  };
  return note(
    changed,
    at,
    'settings',
    'Settings changed: letters drafted and deadlines set from now on use them; letters sent and deadlines set keep theirs',
  );
}

/**
 * Sent letters that keep no zone (sent before the case kept it, DraftView.sentZone) and provably went out in the zone of
 * the profile in force: no Settings change reached the case since they were sent. The case's timeline is bounded, so
 * a letter sent before its oldest entry is left as it is unless the case never had a Settings change at all.
 */
export function sentWithoutZone(s: CaseState): readonly number[] {
  const oldest = s.timeline[0]?.at;
  const sameProfileSince = (sentAt: string) =>
    s.input.organisation.settingsRevision === undefined ||
    (oldest !== undefined && oldest <= sentAt && !s.timeline.some((t) => t.kind === 'settings' && t.at >= sentAt));
  return s.drafts
    .filter((d) => d.state === 'sent' && d.sentAt && !d.sentZone && sameProfileSince(d.sentAt))
    .map((d) => d.version);
}

/** The drafts with the profile's zone given to the letters that went out in it but keep none (sentWithoutZone). */
function withSentZones(s: CaseState): readonly DraftView[] {
  const versions = sentWithoutZone(s);
  const zone = s.input.organisation.timeZone;
  return s.drafts.map((d) => (versions.includes(d.version) ? { ...d, sentZone: zone } : d));
}

export function withdrawDraft(s: CaseState, version: number, at: string, because: string): CaseState {
  const drafts = s.drafts.map((x): DraftView =>
    x.version === version && x.state === 'pending' ? { ...x, state: 'withdrawn', withdrawn: { at, because } } : x,
  );
  return note({ ...s, drafts }, at, 'draft_withdrawn', `Draft v${version} withdrawn before approval: ${because}`);
}

/** The draft as sent: the placeholder reference of a concession's credit note replaced by the ledger's own number. */
export function withLedgerNumber(content: DraftContent, placeholder: string, number: string | undefined): DraftContent {
  if (!number || number === placeholder) return content;
  const swap = (t: string) => t.split(placeholder).join(number);
  return { ...content, subject: swap(content.subject), text: swap(content.text), html: swap(content.html) };
}

/** `zone`: the organisation's time zone the letter goes out in, kept with it (DraftView.sentZone). */
export function markSent(s: CaseState, version: number, at: string, zone?: string): CaseState {
  const draft = s.drafts.find((x) => x.version === version)!;
  const drafts = s.drafts.map((x) =>
    x.version === version ? { ...x, state: 'sent' as const, sentAt: at, ...(zone ? { sentZone: zone } : {}) } : x,
  );
  const s2 = {
    ...s,
    drafts,
    firstResponseSent: s.firstResponseSent || writtenResponses.includes(draft.kind),
    finalNoticeSent: s.finalNoticeSent || draft.kind === 'final_notice',
  };
  return note(s2, at, 'sent', `${draft.content.subject} (v${version}) sent`);
}

export function assertObjection(s: CaseState, o: ObjectionInput): void {
  if (isClosed(s)) throw new CaseRuleError(`The case is closed (${s.status}).`);
  if (!s.input.invoice) throw new CaseRuleError('A chargeback is answered with dispute evidence, not an objection.');
  if (!o.summary.trim()) throw new CaseRuleError('Describe the objection.');
  if (o.kind === 'specific') {
    if (o.lineIds.length === 0) throw new CaseRuleError('Name at least one disputed line.');
    const known = new Set(s.input.invoice.lines.map((l) => l.id));
    const unknown = o.lineIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new CaseRuleError(`Unknown invoice line(s): ${unknown.join(', ')}.`);
  }
  if (openObjection(s)) throw new CaseRuleError('An earlier objection is still being answered.');
}

export function applyObjection(s: CaseState, o: ObjectionInput, at: string): CaseState {
  assertObjection(s, o);
  const s2 = { ...s, objections: [...s.objections, { input: o, at, answered: false }] };
  const status: CaseStatus = o.kind === 'specific' ? 'awaiting_owner' : s.status;
  return note(
    withStatus(s2, status),
    at,
    'objection',
    `${o.kind === 'specific' ? 'Specific' : 'Vague'} objection registered by ${o.by}: ${o.summary}`,
  );
}

export function assertObjectionDecision(s: CaseState, d: ObjectionDecision): void {
  const o = openObjection(s);
  if (!o || o.input.kind !== 'specific')
    throw new CaseRuleError('There is no specific objection waiting for a decision.');
  if (o.decision)
    throw new CaseRuleError(`The objection was already decided (${o.decision.kind}) by ${o.decision.by}.`);
  if (d.kind === 'uphold') return;
  if (d.lines.length === 0) throw new CaseRuleError('Concede at least one line.');
  const lines = new Map(s.input.invoice!.lines.map((l) => [l.id, l]));
  let total = 0;
  for (const c of d.lines) {
    const line = lines.get(c.lineId);
    if (!line) throw new CaseRuleError(`Unknown invoice line ${c.lineId}.`);
    if (c.amount.currency !== s.total.currency) throw new CaseRuleError(`Concessions must be in ${s.total.currency}.`);
    if (!Number.isSafeInteger(c.amount.minor) || c.amount.minor <= 0)
      throw new CaseRuleError('A conceded amount must be positive.');
    if (c.amount.minor > line.amount.minor)
      throw new CaseRuleError(`${line.description} is only ${shown(s, line.amount)}: concede at most that.`);
    total += c.amount.minor;
  }
  const left = owed(s);
  if (total > left.minor) throw new CaseRuleError(`Concessions cannot exceed what is still owed, ${shown(s, left)}.`);
}

export function applyObjectionDecision(s: CaseState, d: ObjectionDecision, at: string): CaseState {
  assertObjectionDecision(s, d);
  const objections = s.objections.map((o) => (o === openObjection(s) ? { ...o, decision: d } : o));
  const summary = d.kind === 'uphold' ? `Invoice upheld by ${d.by}` : `${d.lines.length} line(s) conceded by ${d.by}`;
  return note({ ...s, objections }, at, 'objection_decision', summary);
}

export function markObjectionAnswered(s: CaseState, at: string): CaseState {
  const open = openObjection(s);
  const objections = s.objections.map((o) => (o === open ? { ...o, answered: true } : o));
  return note({ ...s, objections }, at, 'objection_answered', 'Objection answered in writing');
}

export function applyCreditNote(s: CaseState, ref: string, amount: Money, at: string, number?: string): CaseState {
  if (s.creditNotesPosted.includes(ref)) return s;
  // The sync may have read the credit note back before the posting activity's result reached the case: the credit is
  // then already known, from the ledger, and becomes the case's own (it keeps the ledger's number).
  const seen = s.credits.find((c) => c.ref === ref);
  const credit: AccountCredit = seen
    ? { ...seen, ours: true, ...((number ?? seen.number) ? { number: (number ?? seen.number)! } : {}) }
    : { ref, amount, at, ours: true, ...(number ? { number } : {}) };
  const credits = seen ? s.credits.map((c) => (c === seen ? credit : c)) : [...s.credits, credit];
  const s2 = { ...s, creditNotesPosted: [...s.creditNotesPosted, ref], credits };
  const label = creditNoteLabel(credit);
  return note(
    s2,
    at,
    'credit_note',
    `${label[0]!.toUpperCase()}${label.slice(1)} for ${shown(s, amount)} posted to the ledger; still owed ${shown(s, owed(s2))}`,
  );
}

export function assertExtend(s: CaseState, e: ExtendInput): void {
  if (isClosed(s)) throw new CaseRuleError(`The case is closed (${s.status}).`);
  if (!Number.isInteger(e.days) || e.days < 1 || e.days > 90) throw new CaseRuleError('Extend by 1 to 90 days.');
  const key = e.deadline === 'response' ? 'response' : e.deadline;
  if (!s.deadlines[key]) throw new CaseRuleError(`There is no ${e.deadline} deadline to extend.`);
}

export function applyExtend(s: CaseState, e: ExtendInput, at: string): CaseState {
  assertExtend(s, e);
  const names: DeadlineName[] = e.deadline === 'response' ? ['response', 'response_limit'] : [e.deadline];
  const s2 = shiftTimers(s, names, e.days * 86_400_000, true);
  return note(s2, at, 'deadline_extended', `${e.deadline} deadline extended by ${e.days} day(s) by ${e.by}`);
}

export function assertClose(s: CaseState, _c: CloseInput): void {
  if (isClosed(s)) throw new CaseRuleError(`The case is already closed (${s.status}).`);
}

/**
 * `ownerOwed`: write off what the owner sees as still owed (`ownerFigures`), not what a card processor holds while a
 * chargeback is open (the money was paid; the chargeback decides whose it is). Histories that closed before the patch
 * wrote off the raw balance, and replay so.
 */
export function applyClose(s: CaseState, c: CloseInput, at: string, ownerOwed = false): CaseState {
  assertClose(s, c);
  const status: CaseStatus = c.kind === 'write_off' ? 'written_off' : c.kind === 'resolved' ? 'resolved' : 'withdrawn';
  // Writing off records what was still owed, so the account keeps adding up: total = paid + credited + written off + owed.
  const left = ownerOwed ? ownerFigures(account(s)).stillOwed : owed(s);
  const writeOffs =
    c.kind === 'write_off' && left.minor > 0 ? [...s.writeOffs, { amount: left, at, by: c.by }] : s.writeOffs;
  const s2 = note(
    { ...s, writeOffs, status, closed: { ...c, at } },
    at,
    'closed',
    `Case ${status.replace('_', ' ')} by ${c.by}${c.note ? `: ${c.note}` : ''}`,
  );
  return { ...s2, timers: [], deadlines: {}, deadlineRevision: s.deadlineRevision + 1 };
}

/** Every clock a broken connection stops. The processor's evidence deadline is its own and cannot be stopped. */
const pausable: readonly DeadlineName[] = ['response', 'response_limit', 'payment', 'final_notice', 'objection'];

export function applyLedgerEvent(s: CaseState, e: LedgerEvent, at: string): CaseState {
  switch (e.kind) {
    case 'payment_applied': {
      const p = e.payment;
      if (s.payments.some((x) => x.ref === p.ref.id && !x.reversed)) return { ...s, ledgerBalance: e.balance };
      const payments = [
        ...s.payments.filter((x) => x.ref !== p.ref.id),
        { ref: p.ref.id, amount: p.amount, date: p.date, ...(p.memo ? { memo: p.memo } : {}) },
      ];
      const s2 = { ...s, payments, ledgerBalance: e.balance };
      return note(s2, at, 'payment', `Payment of ${shown(s, p.amount)} received; still owed ${shown(s, owed(s2))}`);
    }
    case 'payment_reversed': {
      const known = s.payments.find((x) => x.ref === e.ref.id && !x.reversed);
      if (!known) return { ...s, ledgerBalance: e.balance };
      const s2 = {
        ...s,
        payments: s.payments.map((x) => (x === known ? { ...x, reversed: true } : x)),
        ledgerBalance: e.balance,
      };
      return note(
        s2,
        at,
        'payment_reversed',
        `Payment of ${shown(s, known.amount)} reversed in the ledger; still owed ${shown(s, owed(s2))}`,
      );
    }
    case 'invoice_changed': {
      if (e.status === 'void' || e.status === 'deleted') {
        // Nothing is owed on a voided invoice: what was left is written off by the ledger, and the case ends.
        const left = owed(s);
        const s2 = {
          ...s,
          ledgerBalance: money(0, s.total.currency),
          writeOffs: left.minor > 0 ? [...s.writeOffs, { amount: left, at, by: 'ledger' }] : s.writeOffs,
        };
        return note(s2, at, 'invoice', `Invoice ${e.status} in the ledger; nothing is owed on it any more`);
      }
      const s2 = { ...s, total: e.total.currency === s.total.currency ? e.total : s.total, ledgerBalance: e.balance };
      return note(
        s2,
        at,
        'invoice',
        `Invoice changed in the ledger (total ${shown(s, s2.total)}); still owed ${shown(s, owed(s2))}`,
      );
    }
    case 'credit_note_seen': {
      const existing = s.credits.find((c) => c.ref === e.ref.id);
      if (e.void) {
        if (!existing || existing.reversed) return s;
        const s2 = { ...s, credits: s.credits.map((c) => (c === existing ? { ...c, reversed: true } : c)) };
        return note(
          s2,
          at,
          'credit_note_seen',
          `${creditNoteLabel(existing)} voided in the ledger; still owed ${shown(s, owed(s2))}`,
        );
      }
      // A ledger that reports no allocation (yet) for a credit the case posted keeps the posted amount.
      const amount = e.amount.minor === 0 && existing ? existing.amount : e.amount;
      if (amount.minor === 0) return s;
      const credit: AccountCredit = {
        ref: e.ref.id,
        amount,
        at: existing?.at ?? at,
        ...(existing?.ours ? { ours: true } : {}),
        ...((e.number ?? existing?.number) ? { number: (e.number ?? existing?.number)! } : {}),
      };
      const credits = existing ? s.credits.map((c) => (c === existing ? credit : c)) : [...s.credits, credit];
      const s2 = { ...s, credits };
      if (existing && existing.amount.minor === credit.amount.minor && existing.number === credit.number) return s2;
      return note(
        s2,
        at,
        'credit_note_seen',
        `${creditNoteLabel(credit)} for ${shown(s, amount)} ${existing ? 'confirmed' : 'applied'} in the ledger; still owed ${shown(s, owed(s2))}`,
      );
    }
    case 'connection_broken':
      if (!s.ledgerConnected) return s;
      return note(
        { ...s, ledgerConnected: false, pausedSince: at },
        at,
        'connection',
        `Ledger connection broken (${e.reason}); every deadline of the case is paused`,
      );
    case 'connection_restored': {
      if (s.ledgerConnected) return s;
      const { pausedSince: _p, ...rest } = s;
      return note(
        resumeTimers({ ...rest, ledgerConnected: true }, s.pausedSince!, at),
        at,
        'connection',
        'Ledger connection restored; deadlines resumed with the business time they had left',
      );
    }
  }
}

/** Marks the case as stopped by a broken connection, as found by one of its own activities. */
export function pauseForConnection(s: CaseState, reason: string, at: string): CaseState {
  return applyLedgerEvent(s, { kind: 'connection_broken', reason }, at);
}

/** Each paused clock gets back the business time it had left when the connection broke. */
function resumeTimers(s: CaseState, pausedAt: string, resumedAt: string): CaseState {
  const cal = casePolicy(s).calendar;
  const resume = (iso: string) =>
    iso <= pausedAt ? iso : addBusinessMs(resumedAt, businessMsBetween(pausedAt, iso, cal), cal);
  const timers = s.timers.map((t) =>
    pausable.includes(t.for) && !s.fired.includes(t.key) ? { ...t, at: resume(t.at) } : t,
  );
  const moved = Object.fromEntries(pausable.filter((n) => s.deadlines[n]).map((n) => [n, resume(s.deadlines[n]!)]));
  return setDeadlines({ ...s, timers }, moved);
}

/** How much of a reply's text the case keeps: enough for the owner's triage, bounded so the state stays small. */
export const REPLY_TEXT_LIMIT = 8_000;

export function applyReply(
  s: CaseState,
  r: { receivedAt: string; from: string; subject: string; text?: string },
  at: string,
): CaseState {
  const s2 = {
    ...s,
    replies: [
      ...s.replies,
      { at: r.receivedAt, from: r.from, subject: r.subject, text: (r.text ?? '').slice(0, REPLY_TEXT_LIMIT) },
    ],
  };
  return withStatus(
    note(s2, at, 'client_reply', `Reply from ${r.from}: ${r.subject}`),
    s.status === 'awaiting_client' ? 'awaiting_owner' : s.status,
  );
}

/** A client email received after the last letter that no objection was registered from yet. */
export function unreadReply(s: CaseState): boolean {
  const lastSent = [...s.drafts].reverse().find((d) => d.sentAt)?.sentAt ?? '';
  return s.replies.some((r) => r.at > lastSent && !s.objections.some((o) => o.at >= r.at));
}

export function assertPackRequest(s: CaseState): void {
  if (isClosed(s)) throw new CaseRuleError(`The case is closed (${s.status}).`);
  if (s.packsRequested > s.packsBuilt) throw new CaseRuleError('The evidence pack is already being built.');
}

export function requestPack(s: CaseState, by: string, at: string): CaseState {
  assertPackRequest(s);
  return note(
    { ...s, packsRequested: s.packsRequested + 1 },
    at,
    'pack_requested',
    `Small-claims evidence pack requested by ${by}`,
  );
}

export function packBuilt(s: CaseState, doc: { documentId: string; name: string }, at: string): CaseState {
  // A rebuilt pack replaces the previous one among the documents.
  const documents = [
    ...s.documents.filter((d) => d.id !== doc.documentId && d.id !== s.pack?.documentId),
    { id: doc.documentId, kind: 'other' as const, name: doc.name },
  ];
  return note(
    { ...s, packsBuilt: s.packsRequested, pack: { at, ...doc }, documents },
    at,
    'evidence_pack',
    `Small-claims evidence pack built (${doc.name})`,
  );
}

export function addDocument(s: CaseState, doc: CaseDocument, at: string): CaseState {
  if (s.documents.some((d) => d.id === doc.id)) return s;
  return note({ ...s, documents: [...s.documents, doc] }, at, 'document', `Document added: ${doc.name}`);
}

export function applyChargebackStatus(s: CaseState, u: ChargebackUpdate, at: string): CaseState {
  const { status, dueBy } = u;
  const prior = s.chargeback;
  const fresh = u.dispute && (!prior || prior.dispute.id !== u.dispute.dispute.id);
  if (fresh && prior && chargebackOpen(s))
    return note(
      s,
      at,
      persistedValues.processorActor,
      `A second chargeback (${u.dispute!.dispute.id}) arrived while ${prior.dispute.id} is open; answer it from ${processorName(s)}'s dashboard`,
    );
  const base: Chargeback | undefined = fresh
    ? {
        dispute: u.dispute!.dispute,
        chargeId: u.dispute!.chargeId,
        amount: u.dispute!.amount,
        reason: u.dispute!.reason,
        status,
        at,
        ...(u.dispute!.connectionId ? { connectionId: u.dispute!.connectionId } : {}),
        ...(u.dispute!.processorName ? { processorName: u.dispute!.processorName } : {}),
      }
    : prior;
  if (!base) return s;
  const dueByNow = dueBy ?? (fresh ? u.dispute!.dueBy : prior?.dueBy);
  const chargeback: Chargeback = { ...base, status, ...(dueByNow ? { dueBy: dueByNow } : {}) };
  const s1: CaseState = { ...s, chargeback, disputeStatus: status, ...(fresh ? { evidenceSubmitted: false } : {}) };
  const moved = !fresh && dueBy !== undefined && dueBy !== prior?.dueBy;
  // Once the processor decides a chargeback that reached the running case, its evidence dates no longer apply: the
  // case goes on with the short payment's (patched runs).
  const decided = !moved && finishedChargeback.includes(status) && laterChargeback(s1) !== undefined;
  const s2 = moved ? moveProcessorDeadline(s1, at) : decided ? clearTimers(s1, [evidenceTimer]) : s1;
  const what = fresh
    ? `Chargeback of ${shown(s, chargeback.amount)} received (${chargeback.reason.replaceAll('_', ' ')})`
    : `${ProcessorName(s2)} dispute status: ${status.replaceAll('_', ' ')}`;
  return note(s2, at, persistedValues.processorActor, what);
}

function objectionView(o: Objection): ObjectionView {
  const { kind, summary, by } = o.input;
  return {
    kind,
    summary,
    lineIds: o.input.kind === 'specific' ? o.input.lineIds : [],
    by,
    registeredAt: o.at,
    ...(o.decision ? { decision: o.decision } : {}),
  };
}

function chargebackView(s: CaseState): ChargebackView | undefined {
  const c = s.chargeback;
  if (!c) return undefined;
  return {
    disputeId: c.dispute.id,
    chargeId: c.chargeId,
    amount: c.amount,
    reason: c.reason,
    status: c.status,
    submitted: s.evidenceSubmitted,
    ...(c.dueBy ? { dueBy: c.dueBy } : {}),
  };
}

export function view(s: CaseState): CaseView {
  const open = openObjection(s);
  const a = account(s);
  const cb = chargebackView(s);
  const automaticAfter = s.escalated ? undefined : s.deadlines.final_notice;
  // The latest reply, until the owner registers an objection after it.
  const latest = s.replies.filter((r) => !s.objections.some((o) => o.at >= r.at)).at(-1);
  return {
    caseId: s.input.caseId,
    status: s.status,
    account: a,
    paid: a.paid,
    // All the money in dispute, as the owner's pages count it: what the client contests and what a processor holds.
    disputed: { minor: a.inDispute.minor + a.held.minor, currency: a.currency },
    conceded: a.credited,
    drafts: s.drafts,
    deadlines: Object.entries(applyingDeadlines(s))
      .map(([name, at]) => ({ name, at: at! }))
      .sort((x, y) => x.at.localeCompare(y.at)),
    timeline: s.timeline,
    ledgerConnected: s.ledgerConnected,
    ...(s.pausedSince ? { pausedSince: s.pausedSince } : {}),
    ...(s.disputeStatus ? { disputeStatus: s.disputeStatus } : {}),
    ...(cb ? { chargeback: cb } : {}),
    evidencePack: {
      ...(s.pack ? { builtAt: s.pack.at, documentId: s.pack.documentId, name: s.pack.name } : {}),
      ...(automaticAfter ? { automaticAfter } : {}),
    },
    lines: (s.input.invoice?.lines ?? []).map(({ id, description, amount }) => ({ id, description, amount })),
    ...(open ? { objection: objectionView(open) } : {}),
    ...(latest
      ? { latestReply: { at: latest.at, from: latest.from, subject: latest.subject, text: latest.text ?? '' } }
      : {}),
  };
}

/** The earliest deadline still ahead, for the NextDeadline search attribute and the case list; none while paused. */
export function nextDeadline(s: CaseState, now: string, onlyApplying = false): string | undefined {
  if (!s.ledgerConnected) return undefined;
  return Object.entries(applyingDeadlines(s, onlyApplying))
    .map(([, d]) => d)
    .filter((d): d is string => Boolean(d) && d! > now)
    .sort()[0];
}

/**
 * A chargeback and nothing else: the client owes nothing outside what the card processor holds, so no letter goes
 * to the client and the case answers only with evidence, by the processor's deadline.
 */
export const chargebackOnly = (s: CaseState): boolean =>
  chargebackOpen(s) && ownerFigures(account(s)).stillOwed.minor === 0;

/** The deadlines that apply to the case: a chargeback alone has no written response to the client. */
export function applyingDeadlines(s: CaseState, only = true): CaseState['deadlines'] {
  if (!only || !chargebackOnly(s)) return s.deadlines;
  return Object.fromEntries(
    Object.entries(s.deadlines).filter(([name]) => name !== 'response' && name !== 'response_limit'),
  );
}

export type { ExternalRef };

function shift(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** Moves the named deadlines and their reminders; `refire` lets reminders and deadline alerts go out again. */
function shiftTimers(s: CaseState, names: readonly DeadlineName[], ms: number, refire: boolean): CaseState {
  const timers = s.timers.map((t) =>
    names.includes(t.for) && !(s.fired.includes(t.key) && !refire) ? { ...t, at: shift(t.at, ms) } : t,
  );
  const fired = refire ? s.fired.filter((k) => !timers.some((t) => t.key === k && names.includes(t.for))) : s.fired;
  const moved = Object.fromEntries(names.filter((n) => s.deadlines[n]).map((n) => [n, shift(s.deadlines[n]!, ms)]));
  return setDeadlines({ ...s, timers, fired }, moved);
}

function textToHtml(text: string): string {
  const esc = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
  return esc
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}
