// Disputes: a written objection, or a Stripe dispute tied (when unambiguous) to the ledger invoice it paid.
import { caseKey, combineKinds, type CaseFacts, type Objection, type StripeDisputeRef } from './case.js';
import {
  dayNumber,
  defaultDetectionPolicy,
  invoiceFacts,
  isShortPaid,
  sameRef,
  type DetectionResult,
  type InvoiceState,
  type OpenCase,
} from './detection.js';
import type { ChargeDispute, DisputedCharge, ExternalRef } from './model.js';
import { add, isPositive, subtract, zero } from './money.js';

export function detectObjection(objection: Objection, state: InvoiceState, openCase?: OpenCase): DetectionResult {
  const key = caseKey({ invoice: objection.invoice });
  const { invoice } = state;
  if (!sameRef(invoice.ref, objection.invoice))
    throw new Error(`Objection for ${key} was matched with invoice ${invoice.ref.id}`);
  if (state.customerOptedOut) return { kind: 'none', reason: 'customer_opted_out', caseKey: key };
  if (invoice.status === 'void' || invoice.status === 'deleted')
    return { kind: 'none', reason: 'invoice_voided', caseKey: key };
  // Nothing is owed, so there is nothing for this service to collect; a refund request is out of scope.
  if (!isPositive(invoice.balance)) return { kind: 'none', reason: 'balance_cleared', caseKey: key };

  const own = isShortPaid(state) ? 'both' : 'dispute';
  const facts: CaseFacts = { ...invoiceFacts(state, openCase ? combineKinds(openCase.kind, own) : own), objection };
  return { kind: openCase ? 'update' : 'open', reason: 'objection', caseKey: key, facts };
}

/** What Stripe knows about the disputed charge, for matching it to a payment recorded in QuickBooks or Xero. */
export type StripeCharge = DisputedCharge;

export type LedgerMatch =
  | { readonly kind: 'matched'; readonly invoice: InvoiceState }
  | { readonly kind: 'none' }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly ExternalRef[] };

const norm = (s: string | undefined) => s?.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ') || undefined;

function sameCustomer(charge: StripeCharge, state: InvoiceState): boolean {
  const { email, name } = state.invoice.customer;
  const [ce, ie] = [norm(charge.customerEmail), norm(email)];
  if (ce && ie) return ce === ie;
  const [cn, inm] = [norm(charge.customerName), norm(name)];
  return Boolean(cn && inm && cn === inm);
}

/** Links only when exactly one ledger invoice fits amount, currency, customer and date window. */
export function matchStripeCharge(
  charge: StripeCharge,
  ledger: readonly InvoiceState[],
  policy = defaultDetectionPolicy,
): LedgerMatch {
  const candidates = ledger.filter(
    (state) =>
      state.invoice.ref.provider !== 'stripe' &&
      sameCustomer(charge, state) &&
      state.payments.some(
        (p) =>
          p.status === 'applied' &&
          p.amount.currency === charge.amount.currency &&
          p.amount.minor === charge.amount.minor &&
          Math.abs(dayNumber(p.date) - dayNumber(charge.date)) <= policy.matchWindowDays &&
          p.applications.some((a) => sameRef(a.invoice, state.invoice.ref)),
      ),
  );
  const [only, ...rest] = candidates;
  if (!only) return { kind: 'none' };
  return rest.length === 0
    ? { kind: 'matched', invoice: only }
    : { kind: 'ambiguous', candidates: candidates.map((c) => c.invoice.ref) };
}

const matchedInvoice = (m: LedgerMatch) => (m.kind === 'matched' ? m.invoice : undefined);
const closedStatuses = new Set<ChargeDispute['status']>(['won', 'lost', 'warning_closed', 'prevented']);

export interface StripeDisputeContext {
  readonly charge?: StripeCharge;
  /** Synced ledger invoices, Stripe's own included, that might be what the charge paid. */
  readonly ledger: readonly InvoiceState[];
  readonly openCase?: OpenCase;
}

export function detectStripeDispute(
  dispute: ChargeDispute,
  ctx: StripeDisputeContext,
  policy = defaultDetectionPolicy,
): DetectionResult {
  const linked = dispute.invoice
    ? ctx.ledger.find((s) => sameRef(s.invoice.ref, dispute.invoice as ExternalRef))
    : ctx.charge && matchedInvoice(matchStripeCharge(ctx.charge, ctx.ledger, policy));
  const invoiceRef = dispute.invoice ?? linked?.invoice.ref;
  const key = invoiceRef ? caseKey({ invoice: invoiceRef }) : caseKey({ stripeDispute: dispute.ref });
  if (closedStatuses.has(dispute.status)) {
    return ctx.openCase
      ? { kind: 'resolve', reason: 'stripe_dispute_closed', caseKey: key }
      : { kind: 'none', reason: 'stripe_dispute_closed', caseKey: key };
  }

  const stripeDispute: StripeDisputeRef = {
    dispute: dispute.ref,
    chargeId: dispute.chargeId,
    ...(dispute.dueBy && { dueBy: dispute.dueBy }),
  };
  const kind = ctx.openCase ? combineKinds(ctx.openCase.kind, 'dispute') : 'dispute';
  const facts: CaseFacts = linked
    ? // The ledger still shows the charge as paid until someone books the chargeback, so the clawed-back amount is added.
      { ...invoiceFacts(linked, kind), disputed: add(linked.invoice.balance, dispute.amount), stripeDispute }
    : {
        kind,
        stripeDispute,
        payments: [],
        disputed: dispute.amount,
        paid: ctx.charge ? subtract(ctx.charge.amount, dispute.amount) : zero(dispute.amount.currency),
        ...(invoiceRef && { invoice: invoiceRef }),
      };
  return ctx.openCase
    ? { kind: 'update', reason: 'stripe_dispute_changed', caseKey: key, facts }
    : { kind: 'open', reason: 'stripe_dispute', caseKey: key, facts };
}
