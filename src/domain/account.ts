// One account of a case's money. Every figure an owner or a client reads (case page, case list, letters, the
// evidence pack, owner emails, search attributes) comes from caseAccount(); nothing else does arithmetic on it.
//
//   total = paid + credited + written off + still owed          (always; still owed < 0 means overpaid)
//
// Paid is money the client sent (reversed payments excluded). Credited is credit notes applied to the invoice,
// each with the ledger's own number: a credit is never a payment. In dispute is what the client actually
// contests: the unpaid remainder (the seed: a partial payment narrows the dispute to it), or, once the client
// names lines, those lines less what was credited on them, and never more than is still owed.
import { isPositive, money, subtract, sum, type Money } from './money.js';

export interface AccountPayment {
  /** The ledger's id of the payment. */
  readonly ref: string;
  readonly amount: Money;
  readonly date: string; // YYYY-MM-DD
  readonly memo?: string;
  /** The ledger voided or deleted it (a bounced cheque, a charge refunded, a chargeback withdrawn). */
  readonly reversed?: boolean;
  /**
   * What a card processor took back (a negative amount) while a chargeback is decided: the client did pay it, and
   * the processor holds it until the card network rules.
   */
  readonly held?: boolean;
}

export interface AccountCredit {
  /** The ledger's id of the credit note. */
  readonly ref: string;
  /** The number the ledger shows on the credit note (its document number). */
  readonly number?: string;
  /** What the credit note applies to this invoice. */
  readonly amount: Money;
  readonly at: string;
  /** Posted by Shortfall for a concession (rather than entered in the ledger by someone else). */
  readonly ours?: boolean;
  /** The ledger voided or deleted it. */
  readonly reversed?: boolean;
}

export interface AccountWriteOff {
  readonly amount: Money;
  readonly at: string;
  readonly by: string;
}

export interface AccountFacts {
  readonly total: Money;
  readonly payments: readonly AccountPayment[];
  readonly credits: readonly AccountCredit[];
  readonly writeOffs: readonly AccountWriteOff[];
  /**
   * What the client contests when they named invoice lines: those lines' amounts less the credits given on them.
   * Absent while the objection is vague or there is none: then the whole unpaid remainder is in dispute.
   */
  readonly contested?: Money;
}

export interface CaseAccount {
  readonly currency: string;
  readonly total: Money;
  /** Live payments, oldest first. */
  readonly payments: readonly AccountPayment[];
  readonly paid: Money;
  /** Live credit notes, oldest first. */
  readonly credits: readonly AccountCredit[];
  readonly credited: Money;
  readonly writtenOff: Money;
  /** total − paid − credited − written off; negative when the client overpaid. */
  readonly stillOwed: Money;
  /**
   * What the client contests, between zero and what the client still owes: still owed less what a card processor
   * holds (the client paid that; the cardholder's dispute of it is `held`, not the client's contest).
   */
  readonly inDispute: Money;
  /** What a card processor holds while a chargeback is decided (counted out of `paid` above, and so in `stillOwed`). */
  readonly held: Money;
  /** Nothing is owed any more. */
  readonly settled: boolean;
}

export function caseAccount(f: AccountFacts): CaseAccount {
  const currency = f.total.currency;
  const payments = f.payments.filter((p) => !p.reversed);
  const credits = f.credits.filter((c) => !c.reversed);
  const paid = sum(
    payments.map((p) => p.amount),
    currency,
  );
  const credited = sum(
    credits.map((c) => c.amount),
    currency,
  );
  const writtenOff = sum(
    f.writeOffs.map((w) => w.amount),
    currency,
  );
  const held = money(
    -sum(
      payments.filter((p) => p.held).map((p) => p.amount),
      currency,
    ).minor,
    currency,
  );
  const stillOwed = subtract(subtract(subtract(f.total, paid), credited), writtenOff);
  // The client's share of what is owed: the processor's hold is money the client paid.
  const owedByClient = Math.max(0, stillOwed.minor - held.minor);
  const contested =
    f.contested === undefined
      ? owedByClient
      : Math.max(0, Math.min(owedByClient, subtract(f.contested, money(0, currency)).minor));
  return {
    currency,
    total: f.total,
    payments,
    paid,
    credits,
    credited,
    writtenOff,
    stillOwed,
    inDispute: money(contested, currency),
    held,
    settled: !isPositive(stillOwed),
  };
}

/**
 * A case's figures as every page shows them to the owner (the case page, the case list, its CSV, `/invoices`, the
 * dashboard). A chargeback's charge was paid by card and is held by the card processor while the card network
 * decides: it counts as paid, held by the processor, and not as owed by the client (no letter asks the client for
 * it), and it is in dispute: the cardholder disputes it, and the owner has it back only if the evidence wins. They
 * add up:
 *
 *   total = paid + credited + written off + still owed;   held is part of paid;
 *   in dispute = contested + held                         (contested is part of still owed).
 */
export interface OwnerFigures {
  readonly paid: Money;
  readonly held: Money;
  /** Never below zero. */
  readonly stillOwed: Money;
  /** What the client contests of what they still owe: never above it. */
  readonly contested: Money;
  /** All the money in dispute: what the client contests, and what the processor holds for the cardholder's dispute. */
  readonly inDispute: Money;
}

/**
 * What is in dispute on a case, from its standing (the dashboard's tile and the list's filter read it here): the
 * standing's `inDispute` is what the client contests of what they owe, and `held` what the processor holds.
 */
export function inDisputeOf(s: Pick<CaseStanding, 'currency' | 'inDispute' | 'held'>): Money {
  return sum([s.inDispute, s.held ?? money(0, s.currency)], s.currency);
}

/** From the case account, or from what a case projected (paid and owed net of the chargeback, and what is held). */
export function ownerFigures(a: {
  readonly paid: Money;
  readonly stillOwed: Money;
  readonly held?: Money | undefined;
  /**
   * What the account says the client contests (`caseAccount`: never more than the client owes, the held amount not
   * included); absent: all that the client still owes. An account from before it left the hold out (a worker of an
   * earlier release answering the case page) counted the hold in when no lines were named: capping at what the
   * client owes reads both right.
   */
  readonly inDispute?: Money | undefined;
}): OwnerFigures {
  const currency = a.paid.currency;
  const held = a.held ?? money(0, currency);
  const stillOwed = Math.max(0, a.stillOwed.minor - held.minor);
  const contested = money(Math.min(stillOwed, Math.max(0, a.inDispute?.minor ?? stillOwed)), currency);
  return {
    paid: sum([a.paid, held], currency),
    held,
    stillOwed: money(stillOwed, currency),
    contested,
    inDispute: sum([contested, held], currency),
  };
}

/**
 * A projected case's figures as the owner reads them (the case list, its CSV, `/invoices`): `paidMinor` and
 * `owedMinor` as projected (net of a chargeback), and what its standing says the processor holds.
 */
export function projectedFigures(c: {
  readonly currency: string;
  readonly paidMinor: number;
  readonly owedMinor: number;
  readonly standing?: Pick<CaseStanding, 'held' | 'outstanding' | 'inDispute'> | null | undefined;
}): OwnerFigures {
  const m = (minor: number) => money(minor, c.currency);
  const f = ownerFigures({ paid: m(c.paidMinor), stillOwed: m(c.owedMinor), held: c.standing?.held });
  // The standing's own inDispute is what the client contests (`caseStanding`), never above what is still owed.
  const contested = m(c.standing ? Math.min(f.stillOwed.minor, c.standing.inDispute.minor) : f.stillOwed.minor);
  return { ...f, contested, inDispute: inDisputeOf({ currency: c.currency, inDispute: contested, held: f.held }) };
}

/**
 * Shortfall's own reference for a case's credit note: written on the credit note's memo, and in a concession letter
 * until the ledger numbers the credit note (the number then replaces it before the letter goes out).
 */
export const caseCreditReference = (caseId: string): string =>
  `SF-${caseId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

/** How a credit note is named to an owner or a client: by the ledger's own number when it has one. */
export function creditNoteLabel(c: Pick<AccountCredit, 'ref' | 'number'>): string {
  return c.number ? `credit note ${c.number}` : `credit note ${c.ref}`;
}

/**
 * Where a case stands against what it opened to recover, for the dashboard and the case list's figures. Every
 * figure is read off two accounts from caseAccount(): the one the case opened with and the one it has now.
 *
 *   recovered = paid now − paid when it opened        (a payment reversed later, a chargeback won, count)
 *   conceded  = credited now − credited when it opened (credit notes posted for a concession, or in the ledger)
 */
export interface CaseStanding {
  readonly currency: string;
  /** The day the case opened (YYYY-MM-DD). */
  readonly openedOn: string;
  /** What was still owed when the case opened: what it set out to recover. */
  readonly openedFor: Money;
  /** Still owed now, never below zero. */
  readonly outstanding: Money;
  /**
   * What the client contests of what is still owed (its name is stored in projected standings). All that is in
   * dispute adds `held`: `inDisputeOf`.
   */
  readonly inDispute: Money;
  readonly recovered: Money;
  readonly conceded: Money;
  readonly writtenOff: Money;
  /** What a card processor holds while a chargeback is decided (absent in standings projected before it was). */
  readonly held?: Money;
  /** Recovered money by the day it arrived, oldest first; adds up to `recovered`. */
  readonly recoveries: readonly { readonly date: string; readonly amount: Money }[];
}

const atLeastZero = (m: Money): Money => money(Math.max(0, m.minor), m.currency);

/**
 * `asOf` (YYYY-MM-DD) dates recovered money no new payment explains (a chargeback won, a reversal undone): the day
 * the case saw it.
 */
export function caseStanding(opening: CaseAccount, now: CaseAccount, openedOn: string, asOf: string): CaseStanding {
  const currency = now.currency;
  const owner = ownerFigures(now);
  const recovered = atLeastZero(subtract(now.paid, opening.paid));
  const known = new Set(opening.payments.map((p) => p.ref));
  const recoveries: { date: string; amount: Money }[] = [];
  let left = recovered.minor;
  for (const p of [...now.payments].filter((x) => !known.has(x.ref)).sort((a, b) => a.date.localeCompare(b.date))) {
    const take = Math.min(left, Math.max(0, p.amount.minor));
    if (take > 0) recoveries.push({ date: p.date, amount: money(take, currency) });
    left -= take;
  }
  if (left > 0) recoveries.push({ date: asOf, amount: money(left, currency) });
  return {
    currency,
    openedOn,
    openedFor: atLeastZero(opening.stillOwed),
    // As the owner reads them: what a card processor holds is paid by the client, not owed (`ownerFigures`).
    outstanding: owner.stillOwed,
    inDispute: owner.contested,
    recovered,
    conceded: atLeastZero(subtract(now.credited, opening.credited)),
    writtenOff: now.writtenOff,
    ...(now.held.minor > 0 ? { held: now.held } : {}),
    recoveries,
  };
}
