// Business rules of a case as a pure reducer: (state, event) -> state. No Temporal imports, so it is
// unit-tested without a server and carried verbatim through continue-as-new.
import type { CaseDocument } from '../../src/domain/case.js';
import type { DisputeStatus } from '../../src/domain/model.js';
import { balanceSchedule, policyFor, responseSchedule, type DeadlinePolicy, type Schedule } from '../../src/domain/deadlines.js';
import { add, formatMoney, subtract, type Money } from '../../src/domain/money.js';
import type {
  CaseStatus, CaseView, CloseInput, DisputeCaseInput, DraftContent, DraftDecision, DraftKind, DraftView, ExtendInput,
  LedgerEvent, ObjectionDecision, ObjectionInput, ObjectionView, TimelineEntry,
} from './definitions.js';

export type DeadlineName = 'response' | 'response_limit' | 'payment' | 'final_notice' | 'objection' | 'stripe_submit';

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

export interface CaseState {
  readonly input: Omit<DisputeCaseInput, 'carried'>;
  readonly status: CaseStatus;
  readonly balance: Money;
  readonly paid: Money;
  readonly conceded: Money;
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
  readonly stripeStatus?: DisputeStatus;
  readonly stripeSubmitted: boolean;
  readonly closed?: CloseInput & { readonly at: string };
  readonly escalated: boolean;
  readonly documents: readonly CaseDocument[];
}

/** Amounts as the owner reads them, in the organisation's locale. */
const shown = (s: CaseState, m: Money) => formatMoney(m, s.input.organisation.locale);

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
  const currency = input.invoice?.total.currency ?? input.stripeDispute!.amount.currency;
  const paid = input.payments.reduce((sum, p) => add(sum, p.amount), { minor: 0, currency });
  const balance = input.invoice ? input.invoice.balance : input.stripeDispute!.amount;
  const s: CaseState = {
    input: rest, status: 'open', balance, paid, conceded: { minor: 0, currency }, drafts: [], deadlines: {}, deadlineRevision: 0,
    timers: [], fired: [], timeline: [], announced: false, firstResponseSent: false, finalNoticeSent: false, objections: [],
    creditNotesPosted: [], ledgerConnected: true, stripeSubmitted: false, escalated: false, documents: input.documents,
    ...(input.stripeDispute ? { stripeStatus: input.stripeDispute.status } : {}),
  };
  return note(s, now, 'opened', input.stripeDispute ? 'Chargeback received' : 'Short payment detected');
}

export const isClosed = (s: CaseState) => terminal.includes(s.status);
export const balanceCleared = (s: CaseState) => s.balance.minor <= 0;
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
  return s.timers.filter((t) => !s.fired.includes(t.key) && (!only || only.includes(t.for))).sort((a, b) => a.at.localeCompare(b.at))[0];
}

export function casePolicy(s: CaseState): DeadlinePolicy {
  const org = s.input.organisation;
  return policyFor({ zone: org.timeZone, holidays: org.holidays });
}

const domainNames: Record<string, DeadlineName> = {
  written_response: 'response', written_response_hard_limit: 'response_limit', stripe_evidence: 'stripe_submit', remaining_balance: 'payment',
};

function replaceTimers(s: CaseState, names: readonly DeadlineName[], schedule: Schedule, rename?: DeadlineName): CaseState {
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

/** Response window (and Stripe evidence deadline) counted from when we learned of the dispute or objection. */
export function scheduleResponse(s: CaseState, learnedAt: string, now: string): CaseState {
  const schedule = responseSchedule({
    now, learnedAt, fullAndFinal: Boolean(s.input.fullAndFinal) && !s.firstResponseSent,
    ...(s.input.stripeDispute?.dueBy && !s.stripeSubmitted ? { stripeDueBy: s.input.stripeDispute.dueBy } : {}),
  }, casePolicy(s));
  return replaceTimers(s, ['response', 'response_limit', 'stripe_submit'], schedule);
}

/** The payment deadline (with reminders) a sent letter stated: recomputed from when it was drafted. */
export function schedulePayment(s: CaseState, draftedAt: string, now: string, name: 'payment' | 'final_notice'): CaseState {
  const policy = name === 'final_notice' ? { ...casePolicy(s), balanceDueDays: FINAL_NOTICE_DAYS } : casePolicy(s);
  return replaceTimers(s, [name], balanceSchedule({ now, responseSentAt: draftedAt }, policy), name);
}

export function clearTimers(s: CaseState, names: readonly DeadlineName[]): CaseState {
  const deadlines = Object.fromEntries(Object.entries(s.deadlines).filter(([n]) => !names.includes(n as DeadlineName)));
  return { ...s, timers: s.timers.filter((t) => !names.includes(t.for)), deadlines, deadlineRevision: s.deadlineRevision + 1 };
}

export const FINAL_NOTICE_DAYS = 7;
const settingDeadline: readonly DraftKind[] = ['first_response', 'ask_specifics', 'uphold', 'concession', 'final_notice'];

/** The payment deadline a letter drafted at `at` states: the balance window, or the final notice's shorter one. */
export function dueByFor(s: CaseState, kind: DraftKind, at: string): string | undefined {
  if (!settingDeadline.includes(kind)) return undefined;
  const policy = kind === 'final_notice' ? { ...casePolicy(s), balanceDueDays: FINAL_NOTICE_DAYS } : casePolicy(s);
  return balanceSchedule({ now: at, responseSentAt: at }, policy).entries.find((e) => e.kind === 'deadline')!.at;
}

export function addDraft(s: CaseState, kind: DraftKind, content: DraftContent, at: string, dueBy?: string): CaseState {
  const version = s.drafts.length + 1;
  const draft: DraftView = { version, kind, content, state: 'pending', draftedAt: at, ...(dueBy ? { dueBy } : {}) };
  const s2 = { ...s, drafts: [...s.drafts, draft] };
  return note(withStatus(s2, 'awaiting_approval'), at, 'draft', `Draft v${version} (${kind.replace('_', ' ')}) ready for approval`);
}

export function assertDecidable(s: CaseState, d: DraftDecision): void {
  const draft = s.drafts.find((x) => x.version === d.version);
  if (!draft) throw new CaseRuleError(`There is no draft version ${d.version}.`);
  if (isClosed(s)) throw new CaseRuleError(`The case is closed (${s.status}).`);
  if (draft.state !== 'pending') throw new CaseRuleError(`Draft v${d.version} was already ${draft.state}${draft.decidedBy ? ` by ${draft.decidedBy}` : ''}.`);
  if (latestDraft(s)!.version !== d.version) throw new CaseRuleError(`Draft v${d.version} is stale; v${latestDraft(s)!.version} is current.`);
  if (d.kind === 'edit_and_approve' && (!d.subject.trim() || !d.text.trim())) throw new CaseRuleError('An edited draft needs a subject and a text.');
}

export function applyDraftDecision(s: CaseState, d: DraftDecision, at: string): CaseState {
  assertDecidable(s, d);
  const drafts = s.drafts.map((x): DraftView => {
    if (x.version !== d.version) return x;
    const decided = { ...x, decidedBy: d.by, decidedAt: at };
    if (d.kind === 'reject') return { ...decided, state: 'rejected' };
    if (d.kind === 'approve') return { ...decided, state: 'approved' };
    return { ...decided, state: 'approved', content: { ...x.content, subject: d.subject, text: d.text, html: textToHtml(d.text) } };
  });
  const verb = d.kind === 'reject' ? 'rejected' : d.kind === 'approve' ? 'approved' : 'edited and approved';
  return note({ ...s, drafts }, at, 'decision', `Draft v${d.version} ${verb} by ${d.by}`);
}

export function markSent(s: CaseState, version: number, at: string): CaseState {
  const draft = s.drafts.find((x) => x.version === version)!;
  const drafts = s.drafts.map((x) => (x.version === version ? { ...x, state: 'sent' as const, sentAt: at } : x));
  const s2 = { ...s, drafts, firstResponseSent: s.firstResponseSent || draft.kind === 'first_response', finalNoticeSent: s.finalNoticeSent || draft.kind === 'final_notice' };
  return note(s2, at, 'sent', `${draft.content.subject} (v${version}) sent`);
}

export function assertObjection(s: CaseState, o: ObjectionInput): void {
  if (isClosed(s)) throw new CaseRuleError(`The case is closed (${s.status}).`);
  if (!s.input.invoice) throw new CaseRuleError('A chargeback is answered through Stripe evidence, not an objection.');
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
  return note(withStatus(s2, status), at, 'objection', `${o.kind === 'specific' ? 'Specific' : 'Vague'} objection registered by ${o.by}: ${o.summary}`);
}

export function assertObjectionDecision(s: CaseState, d: ObjectionDecision): void {
  const o = openObjection(s);
  if (!o || o.input.kind !== 'specific') throw new CaseRuleError('There is no specific objection waiting for a decision.');
  if (o.decision) throw new CaseRuleError(`The objection was already decided (${o.decision.kind}) by ${o.decision.by}.`);
  if (d.kind === 'uphold') return;
  if (d.lines.length === 0) throw new CaseRuleError('Concede at least one line.');
  const lines = new Map(s.input.invoice!.lines.map((l) => [l.id, l]));
  let total = 0;
  for (const c of d.lines) {
    const line = lines.get(c.lineId);
    if (!line) throw new CaseRuleError(`Unknown invoice line ${c.lineId}.`);
    if (c.amount.currency !== s.balance.currency) throw new CaseRuleError(`Concessions must be in ${s.balance.currency}.`);
    if (!Number.isSafeInteger(c.amount.minor) || c.amount.minor <= 0) throw new CaseRuleError('A conceded amount must be positive.');
    if (c.amount.minor > line.amount.minor) throw new CaseRuleError(`${line.description} is only ${shown(s, line.amount)}: concede at most that.`);
    total += c.amount.minor;
  }
  if (total > s.balance.minor) throw new CaseRuleError(`Concessions cannot exceed the unpaid balance of ${shown(s, s.balance)}.`);
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

export function applyCreditNote(s: CaseState, ref: string, amount: Money, at: string): CaseState {
  if (s.creditNotesPosted.includes(ref)) return s;
  const s2 = { ...s, creditNotesPosted: [...s.creditNotesPosted, ref], conceded: add(s.conceded, amount), balance: subtract(s.balance, amount) };
  return note(s2, at, 'credit_note', `Credit note ${ref} posted to the ledger`);
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

export function applyClose(s: CaseState, c: CloseInput, at: string): CaseState {
  assertClose(s, c);
  const status: CaseStatus = c.kind === 'write_off' ? 'written_off' : c.kind === 'resolved' ? 'resolved' : 'withdrawn';
  return note({ ...s, status, closed: { ...c, at } }, at, 'closed', `Case ${status.replace('_', ' ')} by ${c.by}${c.note ? `: ${c.note}` : ''}`);
}

const ledgerWaits: readonly DeadlineName[] = ['payment', 'final_notice'];

export function applyLedgerEvent(s: CaseState, e: LedgerEvent, at: string): CaseState {
  switch (e.kind) {
    case 'payment_applied': {
      const s2 = { ...s, paid: add(s.paid, e.payment.amount), balance: e.balance };
      return note(s2, at, 'payment', `Payment of ${shown(s, e.payment.amount)} received; balance ${shown(s, e.balance)}`);
    }
    case 'invoice_changed':
      if (e.status === 'void' || e.status === 'deleted') return note({ ...s, balance: { ...s.balance, minor: 0 } }, at, 'invoice', `Invoice ${e.status} in the ledger`);
      return note({ ...s, balance: e.balance }, at, 'invoice', `Invoice changed in the ledger; balance ${shown(s, e.balance)}`);
    case 'credit_note_seen':
      return note(s, at, 'credit_note_seen', `Credit note ${e.ref.id} seen in the ledger`);
    case 'connection_broken':
      if (!s.ledgerConnected) return s;
      return note({ ...s, ledgerConnected: false, pausedSince: at }, at, 'connection', `Ledger connection broken (${e.reason}); payment clocks paused`);
    case 'connection_restored': {
      if (s.ledgerConnected) return s;
      // Clocks that wait on the ledger resume where they stopped: shift them by the paused duration.
      const pausedMs = Date.parse(at) - Date.parse(s.pausedSince!);
      const { pausedSince: _p, ...rest } = s;
      return note(shiftTimers({ ...rest, ledgerConnected: true }, ledgerWaits, pausedMs, false), at, 'connection', 'Ledger connection restored; payment clocks resumed');
    }
  }
}

export function addDocument(s: CaseState, doc: CaseDocument, at: string): CaseState {
  if (s.documents.some((d) => d.id === doc.id)) return s;
  return note({ ...s, documents: [...s.documents, doc] }, at, 'document', `Document added: ${doc.name}`);
}

export function applyStripeStatus(s: CaseState, status: DisputeStatus, dueBy: string | undefined, at: string): CaseState {
  const s2 = dueBy && s.input.stripeDispute ? { ...s, input: { ...s.input, stripeDispute: { ...s.input.stripeDispute, dueBy } } } : s;
  return note({ ...s2, stripeStatus: status }, at, 'stripe', `Stripe dispute status: ${status.replaceAll('_', ' ')}`);
}

function objectionView(o: Objection): ObjectionView {
  const { kind, summary, by } = o.input;
  return { kind, summary, lineIds: o.input.kind === 'specific' ? o.input.lineIds : [], by, registeredAt: o.at, ...(o.decision ? { decision: o.decision } : {}) };
}

export function view(s: CaseState): CaseView {
  const open = openObjection(s);
  return {
    caseId: s.input.caseId, status: s.status, paid: s.paid, disputed: s.balance, conceded: s.conceded, drafts: s.drafts,
    deadlines: Object.entries(s.deadlines).map(([name, at]) => ({ name, at: at! })).sort((a, b) => a.at.localeCompare(b.at)),
    timeline: s.timeline, ledgerConnected: s.ledgerConnected, ...(s.stripeStatus ? { stripeStatus: s.stripeStatus } : {}),
    lines: (s.input.invoice?.lines ?? []).map(({ id, description, amount }) => ({ id, description, amount })),
    ...(open ? { objection: objectionView(open) } : {}),
  };
}

/** The earliest deadline still ahead, for the NextDeadline search attribute and the case list. */
export function nextDeadline(s: CaseState, now: string): string | undefined {
  return Object.values(s.deadlines).filter((d): d is string => Boolean(d) && d! > now).sort()[0];
}

function shift(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** Moves the named deadlines and their reminders; `refire` lets reminders and deadline alerts go out again. */
function shiftTimers(s: CaseState, names: readonly DeadlineName[], ms: number, refire: boolean): CaseState {
  const timers = s.timers.map((t) => (names.includes(t.for) && !(s.fired.includes(t.key) && !refire) ? { ...t, at: shift(t.at, ms) } : t));
  const fired = refire ? s.fired.filter((k) => !timers.some((t) => t.key === k && names.includes(t.for))) : s.fired;
  const moved = Object.fromEntries(names.filter((n) => s.deadlines[n]).map((n) => [n, shift(s.deadlines[n]!, ms)]));
  return setDeadlines({ ...s, timers, fired }, moved);
}

function textToHtml(text: string): string {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return esc.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`).join('\n');
}
