// Decides, from synced ledger state alone, whether a short payment opens, updates or resolves a case.
import { Dec } from './decimal.js';
import { caseKey, combineKinds, type CaseFacts, type CaseKind } from './case.js';
import { classifyPayment } from './full-and-final.js';
import type { ExternalRef, Invoice, Payment } from './model.js';
import { compare, isPositive, isZero, money, subtract, sum, type Money } from './money.js';

export interface DetectionPolicy {
  /** Remainders at or below this many minor units (per currency) are bank fees or rounding, not a case. */
  readonly absoluteTolerance: Readonly<Record<string, number>>;
  /** Remainders at or below this percentage of the invoice total are ignored too (whichever is larger). */
  readonly percentTolerance: number;
  /** The percentage for one currency, where the organisation set its own. */
  readonly percentByCurrency?: Readonly<Record<string, number>>;
  /** Days either side of a disputed card charge within which a ledger payment may be the same money. */
  readonly matchWindowDays: number;
  /** A short payment whose last payment is more than this many days old (history from a first backfill) opens no case. */
  readonly staleAfterDays: number;
}

/**
 * What an ordinary payment loses on the way, so that a client who paid in good faith gets no letter (README,
 * "Tolerances"): a SWIFT transfer's intermediary banks each take about 10 to 50 in the sending currency; bank and
 * card currency conversion lands within about 1% of the invoice. SEPA credit transfers arrive in full (the SEPA
 * rules forbid deductions from the amount), so they need no allowance. The larger of the two applies.
 */
export const defaultAbsoluteTolerance: Readonly<Record<string, number>> = {
  USD: 5_000,
  CAD: 5_000,
  AUD: 5_000,
  NZD: 5_000,
  EUR: 5_000,
  GBP: 5_000,
  CHF: 5_000,
  SGD: 5_000,
  HKD: 40_000,
  SEK: 50_000,
  NOK: 50_000,
  DKK: 35_000,
  JPY: 5_000,
  ZAR: 90_000,
  MXN: 90_000,
  INR: 400_000,
};
export const defaultPercentTolerance = 1;

export const defaultDetectionPolicy: DetectionPolicy = {
  absoluteTolerance: defaultAbsoluteTolerance,
  percentTolerance: defaultPercentTolerance,
  matchWindowDays: 3,
  staleAfterDays: 90,
};

/** The case already running for this key, if any (from the case store; detection itself holds no state). */
export interface OpenCase {
  readonly key: string;
  readonly kind: CaseKind;
  readonly disputed: Money;
}

/** One instalment of a payment plan: the amount due by the end of its day (YYYY-MM-DD). */
export interface Instalment {
  readonly dueOn: string;
  readonly amount: Money;
}

/**
 * What the owner agreed for an invoice (README, "Arrangements"): a deposit never opens a short-payment case; a
 * plan's instalments add up to what was still owed when it was agreed (`owed`), and only a missed one opens a case.
 */
export type Arrangement =
  | { readonly kind: 'deposit' }
  | { readonly kind: 'plan'; readonly owed: Money; readonly instalments: readonly Instalment[] };

export interface InvoiceState {
  readonly invoice: Invoice;
  /** Payments from the same connection; those not applied to this invoice are ignored. */
  readonly payments: readonly Payment[];
  readonly customerOptedOut?: boolean;
  /** The owner's arrangement for this invoice, when there is one. */
  readonly arrangement?: Arrangement;
}

export type DetectionReason =
  | 'short_payment'
  | 'short_payment_changed'
  | 'objection'
  | 'chargeback'
  | 'chargeback_changed'
  | 'balance_cleared'
  | 'within_tolerance'
  | 'invoice_voided'
  | 'chargeback_closed'
  | 'unpaid'
  | 'overpaid'
  | 'deposit'
  | 'payment_plan'
  | 'missed_instalment'
  | 'customer_opted_out'
  | 'not_open'
  | 'unchanged'
  | 'stale';

export type DetectionResult =
  | {
      readonly kind: 'open' | 'update';
      readonly reason: DetectionReason;
      readonly caseKey: string;
      readonly facts: CaseFacts;
    }
  | { readonly kind: 'resolve'; readonly reason: DetectionReason; readonly caseKey: string }
  | { readonly kind: 'none'; readonly reason: DetectionReason; readonly caseKey?: string; readonly detail?: string };

/** Days since the epoch of a YYYY-MM-DD date (NaN when it is not one). */
export const dayNumber = (ymd: string) => Date.parse(`${ymd}T00:00:00Z`) / 86_400_000;

export const sameRef = (a: ExternalRef, b: ExternalRef): boolean =>
  a.provider === b.provider && a.accountId === b.accountId && a.id === b.id;

/** The money a payment put on the invoice: applications funded by a credit note are credits, not payments. */
export const cashApplications = (p: Payment, invoice: ExternalRef) =>
  p.applications.filter((a) => !a.creditNoteId && sameRef(a.invoice, invoice));

export function appliedPayments(state: InvoiceState): { payments: Payment[]; paid: Money } {
  const { invoice } = state;
  const payments = state.payments.filter((p) => p.status === 'applied' && cashApplications(p, invoice.ref).length > 0);
  const amounts = payments.flatMap((p) => cashApplications(p, invoice.ref).map((a) => a.amount));
  return { payments, paid: sum(amounts, invoice.currency) };
}

/** An organisation's own tolerances, per currency, over the defaults. */
export interface OrganisationTolerance {
  readonly absoluteMinor: number;
  readonly percent: number;
}

export function withTolerances(
  policy: DetectionPolicy,
  own: Readonly<Record<string, OrganisationTolerance>>,
): DetectionPolicy {
  const entries = Object.entries(own);
  if (entries.length === 0) return policy;
  return {
    ...policy,
    absoluteTolerance: {
      ...policy.absoluteTolerance,
      ...Object.fromEntries(entries.map(([c, t]) => [c, t.absoluteMinor])),
    },
    percentByCurrency: { ...policy.percentByCurrency, ...Object.fromEntries(entries.map(([c, t]) => [c, t.percent])) },
  };
}

export function toleranceFor(total: Money, policy: DetectionPolicy): Money {
  const rate = policy.percentByCurrency?.[total.currency] ?? policy.percentTolerance;
  const percent = new Dec(total.minor).abs().times(rate).dividedBy(100).floor().toNumber();
  return money(Math.max(policy.absoluteTolerance[total.currency] ?? 0, percent), total.currency);
}

/** Some money arrived but not all of it: 0 < balance < total. Tolerances are applied separately. */
export function isShortPaid(state: InvoiceState): boolean {
  const { invoice } = state;
  return (
    isPositive(appliedPayments(state).paid) &&
    isPositive(invoice.balance) &&
    compare(invoice.balance, invoice.total) < 0
  );
}

/** Facts for an invoice-keyed case; `kind` is what this trigger contributes before combining. */
export function invoiceFacts(state: InvoiceState, kind: CaseKind): CaseFacts {
  const { invoice } = state;
  const { payments, paid } = appliedPayments(state);
  const flagged = payments.map((p) => ({ p, r: classifyPayment(p) })).find(({ r }) => r.risk === 'high');
  return {
    kind,
    invoice: invoice.ref,
    invoiceNumber: invoice.number,
    customer: invoice.customer.ref,
    total: invoice.total,
    paid,
    disputed: invoice.balance,
    payments: payments.map((p) => p.ref),
    ...(flagged && {
      fullAndFinal: { payment: flagged.p.ref, memo: flagged.r.text ?? '', matched: flagged.r.matched ?? '' },
    }),
  };
}

/**
 * The day of the latest payment on the invoice, voided ones included, when that is more than `staleAfterDays`
 * before `today` (YYYY-MM-DD, from the caller's clock). Payment dates are the provider's own record of when money
 * moved; modification times are not (some providers' are when we read, others' move when an invoice is emailed), so they
 * would make years-old history look new. A bounced recent payment keeps the invoice news through its date.
 */
function staleSince(payments: readonly Payment[], today: string, policy: DetectionPolicy): string | undefined {
  if (Number.isNaN(dayNumber(today))) throw new Error(`today must be a YYYY-MM-DD date, got ${JSON.stringify(today)}`);
  const last = payments
    .map((p) => p.date)
    .sort()
    .at(-1);
  return last !== undefined && dayNumber(today) - dayNumber(last) > policy.staleAfterDays ? last : undefined;
}

export function detectShortPayment(
  state: InvoiceState,
  openCase: OpenCase | undefined,
  today: string,
  policy = defaultDetectionPolicy,
): DetectionResult {
  const { invoice } = state;
  const key = caseKey({ invoice: invoice.ref });
  const quiet = (reason: DetectionReason): DetectionResult =>
    openCase ? { kind: 'resolve', reason, caseKey: key } : { kind: 'none', reason, caseKey: key };

  if (invoice.status === 'void' || invoice.status === 'deleted') return quiet('invoice_voided');
  if (state.customerOptedOut) return { kind: 'none', reason: 'customer_opted_out', caseKey: key };
  if (invoice.isDeposit || state.arrangement?.kind === 'deposit')
    return { kind: 'none', reason: 'deposit', caseKey: key };
  if (invoice.onPaymentPlan) return { kind: 'none', reason: 'payment_plan', caseKey: key };

  if (invoice.status === 'draft') return { kind: 'none', reason: 'not_open', caseKey: key };

  const { paid } = appliedPayments(state);
  const balance = invoice.balance;
  if (compare(paid, invoice.total) > 0 || balance.minor < 0) return quiet('overpaid');
  if (isZero(balance) || invoice.status === 'paid') return quiet('balance_cleared');
  const plan = state.arrangement;
  if (plan?.kind === 'plan' && plan.owed.currency === invoice.currency)
    return detectOnPlan(state, plan, openCase, today, policy);
  if (compare(balance, toleranceFor(invoice.total, policy)) <= 0) return quiet('within_tolerance');

  const shortPaid = isShortPaid(state);
  if (!openCase) {
    if (!shortPaid) return { kind: 'none', reason: 'unpaid', caseKey: key };
    // Old history (say, years of it from a first backfill) is not news: no case, no letter about long-past money.
    const last = staleSince(state.payments, today, policy);
    if (last)
      return {
        kind: 'none',
        reason: 'stale',
        caseKey: key,
        detail: `last payment on ${last} is older than ${policy.staleAfterDays} days`,
      };
    return { kind: 'open', reason: 'short_payment', caseKey: key, facts: invoiceFacts(state, 'short_payment') };
  }
  const facts = invoiceFacts(state, shortPaid ? combineKinds(openCase.kind, 'short_payment') : openCase.kind);
  const changed = !isZero(subtract(openCase.disputed, balance)) || facts.kind !== openCase.kind;
  return changed
    ? { kind: 'update', reason: 'short_payment_changed', caseKey: key, facts }
    : { kind: 'none', reason: 'unchanged', caseKey: key };
}

/**
 * What a plan asks to have been paid by `today` (YYYY-MM-DD): every instalment whose day is over. An instalment
 * paid on its own due day is on time, so it counts from the day after.
 */
export function dueUnderPlan(plan: Extract<Arrangement, { kind: 'plan' }>, today: string): Money {
  if (Number.isNaN(dayNumber(today))) throw new Error(`today must be a YYYY-MM-DD date, got ${JSON.stringify(today)}`);
  return sum(
    plan.instalments.filter((i) => i.dueOn < today).map((i) => i.amount),
    plan.owed.currency,
  );
}

/**
 * The instalments due so far that the client has not paid: what the plan asked by `today` less what came off the
 * balance since it was agreed (payments and credits alike). Never negative: paying ahead is not overdue.
 */
export function overdueUnderPlan(plan: Extract<Arrangement, { kind: 'plan' }>, balance: Money, today: string): Money {
  const paidSince = subtract(plan.owed, balance);
  const overdue = subtract(dueUnderPlan(plan, today), paidSince);
  return overdue.minor > 0 ? overdue : money(0, balance.currency);
}

/**
 * An invoice on an agreed plan opens no case while every instalment due so far is paid (within the tolerance); a
 * missed instalment opens one for what is overdue, which the case then follows as it changes. An old last payment
 * does not make it history: the news is the missed date, not the payment.
 */
function detectOnPlan(
  state: InvoiceState,
  plan: Extract<Arrangement, { kind: 'plan' }>,
  openCase: OpenCase | undefined,
  today: string,
  policy: DetectionPolicy,
): DetectionResult {
  const key = caseKey({ invoice: state.invoice.ref });
  const overdue = overdueUnderPlan(plan, state.invoice.balance, today);
  if (compare(overdue, toleranceFor(state.invoice.total, policy)) <= 0) {
    return openCase
      ? { kind: 'resolve', reason: 'payment_plan', caseKey: key }
      : { kind: 'none', reason: 'payment_plan', caseKey: key };
  }
  const facts: CaseFacts = {
    ...invoiceFacts(state, openCase ? combineKinds(openCase.kind, 'short_payment') : 'short_payment'),
    disputed: overdue,
  };
  if (!openCase) return { kind: 'open', reason: 'missed_instalment', caseKey: key, facts };
  const changed = !isZero(subtract(openCase.disputed, overdue)) || facts.kind !== openCase.kind;
  return changed
    ? { kind: 'update', reason: 'missed_instalment', caseKey: key, facts }
    : { kind: 'none', reason: 'unchanged', caseKey: key };
}
