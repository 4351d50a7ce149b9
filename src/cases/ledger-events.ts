// The signals that bring a running case up to date with the synced ledger, each keyed by the fact it reports.
// Keys already sent are skipped, so a retried or repeated sync never tells a case about the same payment twice.
import { appliedPayments, sameRef } from '../domain/detection.js';
import type { ChargeDispute, CreditNote, Invoice, Payment } from '../domain/model.js';
import { sum } from '../domain/money.js';
import type { LedgerEvent, PaymentFact, StripeDisputeUpdate } from '../../workflows/dispute-case/definitions.js';

export interface Keyed<E> {
  readonly key: string;
  /** Facts this signal also conveys; marked as sent with it. */
  readonly alsoMarks: readonly string[];
  readonly event: E;
}

export interface InvoiceLedger {
  readonly invoice: Invoice;
  readonly payments: readonly Payment[];
  readonly creditNotes: readonly CreditNote[];
}

export const paymentKey = (p: Payment) => `payment/${p.ref.id}`;
export const creditNoteKey = (c: CreditNote) => `credit_note/${c.ref.id}`;
export const invoiceKey = (i: Invoice) => `invoice/${i.updatedAt}/${i.status}/${i.balance.minor}`;
export const stripeKey = (d: Pick<ChargeDispute, 'status' | 'dueBy'>) => `stripe/${d.status}/${d.dueBy ?? ''}`;

/** What a payment contributed to this invoice: a payment may be split across several. */
export function paymentFact(p: Payment, invoice: Invoice): PaymentFact {
  const amount = sum(p.applications.filter((a) => sameRef(a.invoice, invoice.ref)).map((a) => a.amount), invoice.currency);
  return { ref: p.ref, amount, date: p.date, ...(p.memo && { memo: p.memo }) };
}

export const appliedTo = (l: Pick<InvoiceLedger, 'invoice' | 'payments'>) => appliedPayments({ invoice: l.invoice, payments: l.payments }).payments;
const liveCreditNotes = (l: InvoiceLedger) => l.creditNotes.filter((c) => c.status === 'open' || c.status === 'applied');

/** Every fact a case opened now already knows from its input. */
export const factsInInput = (l: InvoiceLedger): string[] => [...appliedTo(l).map(paymentKey), ...liveCreditNotes(l).map(creditNoteKey), invoiceKey(l.invoice)];

export function invoiceCaseEvents(l: InvoiceLedger, sent: readonly string[]): Keyed<LedgerEvent>[] {
  const told = new Set(sent);
  const { invoice } = l;
  const credits = liveCreditNotes(l).filter((c) => !told.has(creditNoteKey(c))).map((c): Keyed<LedgerEvent> => ({
    key: creditNoteKey(c), alsoMarks: [],
    event: { kind: 'credit_note_seen', ref: c.ref, amount: sum(c.allocations.filter((a) => sameRef(a.invoice, invoice.ref)).map((a) => a.amount), invoice.currency) },
  }));
  // Each payment signal carries the invoice's current balance, so the invoice state is conveyed by them too.
  const payments = appliedTo(l).filter((p) => !told.has(paymentKey(p))).map((p): Keyed<LedgerEvent> => ({
    key: paymentKey(p), alsoMarks: [invoiceKey(invoice)], event: { kind: 'payment_applied', payment: paymentFact(p, invoice), balance: invoice.balance },
  }));
  const changed: Keyed<LedgerEvent>[] = payments.length === 0 && !told.has(invoiceKey(invoice))
    ? [{ key: invoiceKey(invoice), alsoMarks: [], event: { kind: 'invoice_changed', balance: invoice.balance, total: invoice.total, status: invoice.status } }]
    : [];
  return [...credits, ...payments, ...changed];
}

export function disputeCaseEvents(d: ChargeDispute, sent: readonly string[]): Keyed<StripeDisputeUpdate>[] {
  if (sent.includes(stripeKey(d))) return [];
  return [{ key: stripeKey(d), alsoMarks: [], event: { status: d.status, ...(d.dueBy && { dueBy: d.dueBy }) } }];
}
