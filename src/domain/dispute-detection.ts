// Disputes: a written objection, or a card dispute (chargeback) tied (when unambiguous) to the ledger invoice it paid.
import { caseKey, combineKinds, type CaseFacts, type Objection, type ChargebackRef } from './case.js';
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
import type { ChargeDispute, DisputedCharge, ExternalRef, ProviderKey } from './model.js';
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

export type LedgerMatch =
  | { readonly kind: 'matched'; readonly invoice: InvoiceState }
  | { readonly kind: 'none' }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly ExternalRef[] };

const norm = (s: string | undefined) => s?.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ') || undefined;

function sameCustomer(charge: DisputedCharge, state: InvoiceState): boolean {
  const { email, name } = state.invoice.customer;
  const [ce, ie] = [norm(charge.customerEmail), norm(email)];
  if (ce && ie) return ce === ie;
  const [cn, inm] = [norm(charge.customerName), norm(name)];
  return Boolean(cn && inm && cn === inm);
}

/**
 * Links only when exactly one ledger invoice fits amount, currency, customer and date window. The processor's own
 * invoices (`processor`, the provider the dispute came from) are linked by the dispute itself, never by the charge.
 */
export function matchDisputedCharge(
  charge: DisputedCharge,
  ledger: readonly InvoiceState[],
  policy = defaultDetectionPolicy,
  processor?: ProviderKey,
): LedgerMatch {
  const candidates = ledger.filter(
    (state) =>
      state.invoice.ref.provider !== processor &&
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

export interface ChargebackContext {
  readonly charge?: DisputedCharge;
  /** Synced ledger invoices, the processor's own included, that might be what the charge paid. */
  readonly ledger: readonly InvoiceState[];
  readonly openCase?: OpenCase;
}

export function detectChargeback(
  dispute: ChargeDispute,
  ctx: ChargebackContext,
  policy = defaultDetectionPolicy,
): DetectionResult {
  const linked = dispute.invoice
    ? ctx.ledger.find((s) => sameRef(s.invoice.ref, dispute.invoice as ExternalRef))
    : ctx.charge && matchedInvoice(matchDisputedCharge(ctx.charge, ctx.ledger, policy, dispute.ref.provider));
  const invoiceRef = dispute.invoice ?? linked?.invoice.ref;
  const key = invoiceRef ? caseKey({ invoice: invoiceRef }) : caseKey({ chargeback: dispute.ref });
  if (closedStatuses.has(dispute.status)) {
    return ctx.openCase
      ? { kind: 'resolve', reason: 'chargeback_closed', caseKey: key }
      : { kind: 'none', reason: 'chargeback_closed', caseKey: key };
  }

  const chargeback: ChargebackRef = {
    dispute: dispute.ref,
    chargeId: dispute.chargeId,
    ...(dispute.dueBy && { dueBy: dispute.dueBy }),
  };
  const kind = ctx.openCase ? combineKinds(ctx.openCase.kind, 'dispute') : 'dispute';
  const facts: CaseFacts = linked
    ? // The ledger still shows the charge as paid until someone books the chargeback, so the clawed-back amount is added.
      { ...invoiceFacts(linked, kind), disputed: add(linked.invoice.balance, dispute.amount), chargeback }
    : {
        kind,
        chargeback,
        payments: [],
        disputed: dispute.amount,
        paid: ctx.charge ? subtract(ctx.charge.amount, dispute.amount) : zero(dispute.amount.currency),
        ...(invoiceRef && { invoice: invoiceRef }),
      };
  return ctx.openCase
    ? { kind: 'update', reason: 'chargeback_changed', caseKey: key, facts }
    : { kind: 'open', reason: 'chargeback', caseKey: key, facts };
}
