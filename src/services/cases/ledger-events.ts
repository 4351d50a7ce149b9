// The signals that bring a running case up to date with the synced ledger, each keyed by the fact it reports.
// Keys already sent are skipped, so a retried or repeated sync never tells a case about the same payment twice.
import { persistedValues } from '../../../workflows/dispute-case/persisted-names.js';
import { appliedPayments, cashApplications, sameRef, type Arrangement } from '../../domain/detection.js';
import type { ChargeDispute, CreditNote, Invoice, Payment } from '../../domain/model.js';
import { sum, type Money } from '../../domain/money.js';
import type { LedgerEvent, PaymentFact, ChargebackUpdate } from '../../../workflows/dispute-case/definitions.js';

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
  /** The owner's arrangement for the invoice (a payment plan or a deposit), when there is one. */
  readonly arrangement?: Arrangement;
}

export const paymentKey = (p: Payment) => `payment/${p.ref.id}`;
export const creditNoteKey = (c: CreditNote) => `credit_note/${c.ref.id}`;
export const invoiceKey = (i: Invoice) => `invoice/${i.updatedAt}/${i.status}/${i.balance.minor}`;
export const chargebackFactKey = (d: Pick<ChargeDispute, 'status' | 'dueBy'>) =>
  `${persistedValues.chargebackFactScope}/${d.status}/${d.dueBy ?? ''}`;

/** What a payment contributed to this invoice: a payment may be split across several. */
export function paymentFact(p: Payment, invoice: Invoice): PaymentFact {
  const amount = sum(
    cashApplications(p, invoice.ref).map((a) => a.amount),
    invoice.currency,
  );
  return { ref: p.ref, amount, date: p.date, ...(p.memo && { memo: p.memo }) };
}

export const appliedTo = (l: Pick<InvoiceLedger, 'invoice' | 'payments'>) =>
  appliedPayments({ invoice: l.invoice, payments: l.payments }).payments;
const liveCreditNotes = (l: InvoiceLedger) =>
  l.creditNotes.filter((c) => c.status === 'open' || c.status === 'applied');

/** Every fact a case opened now already knows from its input. */
export const factsInInput = (l: InvoiceLedger): string[] => [
  ...appliedTo(l).map(paymentKey),
  ...creditFacts(l).map((c) => c.key),
  invoiceKey(l.invoice),
];

export const reversalKey = (paymentId: string) => `reversal/${paymentId}`;
export const creditVoidKey = (c: CreditNote) => `credit_void/${c.ref.id}`;

/** Every credit note applied to the invoice, with what it applies: by its own allocations, or through a payment record. */
export function creditFacts(
  l: InvoiceLedger,
): { key: string; ref: CreditNote['ref']; number?: string; amount: Money }[] {
  const { invoice } = l;
  const facts = liveCreditNotes(l).map((c) => ({
    key: creditNoteKey(c),
    ref: c.ref,
    ...(c.number && { number: c.number }),
    amount: sum(
      c.allocations.filter((a) => sameRef(a.invoice, invoice.ref)).map((a) => a.amount),
      invoice.currency,
    ),
  }));
  // Some ledgers apply a credit memo through a payment linking memo and invoice.
  const viaPayments = new Map<string, Money>();
  for (const p of l.payments.filter((x) => x.status === 'applied')) {
    for (const a of p.applications.filter((x) => x.creditNoteId && sameRef(x.invoice, invoice.ref))) {
      viaPayments.set(
        a.creditNoteId!,
        sum([viaPayments.get(a.creditNoteId!) ?? { minor: 0, currency: invoice.currency }, a.amount], invoice.currency),
      );
    }
  }
  for (const [id, amount] of viaPayments) {
    const known = facts.findIndex((f) => f.ref.id === id);
    // The same application read two ways (the note's allocation and the payment record) is counted once.
    if (known >= 0) {
      if (amount.minor > facts[known]!.amount.minor) facts[known] = { ...facts[known]!, amount };
      continue;
    }
    const note = l.creditNotes.find((c) => c.ref.id === id);
    if (note && (note.status === 'void' || note.status === 'deleted')) continue;
    facts.push({
      key: `credit_note/${id}`,
      ref: { ...invoice.ref, id },
      ...(note?.number && { number: note.number }),
      amount,
    });
  }
  return facts.filter((f) => f.amount.minor > 0);
}

export function invoiceCaseEvents(l: InvoiceLedger, sent: readonly string[]): Keyed<LedgerEvent>[] {
  const told = new Set(sent);
  const { invoice } = l;
  const credits = creditFacts(l)
    .filter((c) => !told.has(c.key))
    .map((c): Keyed<LedgerEvent> => ({
      key: c.key,
      alsoMarks: [],
      event: { kind: 'credit_note_seen', ref: c.ref, amount: c.amount, ...(c.number && { number: c.number }) },
    }));
  // A credit note the case was told of that the ledger voided or deleted since.
  const voidedCredits = l.creditNotes
    .filter(
      (c) =>
        (c.status === 'void' || c.status === 'deleted') && told.has(creditNoteKey(c)) && !told.has(creditVoidKey(c)),
    )
    .map((c): Keyed<LedgerEvent> => ({
      key: creditVoidKey(c),
      alsoMarks: [],
      event: { kind: 'credit_note_seen', ref: c.ref, amount: { minor: 0, currency: invoice.currency }, void: true },
    }));
  const gone = invoice.status === 'void' || invoice.status === 'deleted';
  // A payment the case was told of that no longer pays the invoice: voided, deleted, or unapplied in the ledger.
  const live = new Set(appliedTo(l).map(paymentKey));
  const reversals = sent
    .filter((k) => k.startsWith('payment/') && !live.has(k) && !told.has(reversalKey(k.slice('payment/'.length))))
    .map((k): Keyed<LedgerEvent> => {
      const id = k.slice('payment/'.length);
      return {
        key: reversalKey(id),
        alsoMarks: gone ? [] : [invoiceKey(invoice)],
        event: { kind: 'payment_reversed', ref: { ...invoice.ref, id }, balance: invoice.balance },
      };
    });
  // Each payment signal carries the invoice's current balance, so the invoice state is conveyed by them too.
  const payments = appliedTo(l)
    .filter((p) => !told.has(paymentKey(p)))
    .map((p): Keyed<LedgerEvent> => ({
      key: paymentKey(p),
      alsoMarks: [invoiceKey(invoice)],
      event: { kind: 'payment_applied', payment: paymentFact(p, invoice), balance: invoice.balance },
    }));
  // A voided or deleted invoice is always told, even when a reversal in the same batch carries its balance.
  const changed: Keyed<LedgerEvent>[] =
    (gone || (payments.length === 0 && reversals.length === 0)) && !told.has(invoiceKey(invoice))
      ? [
          {
            key: invoiceKey(invoice),
            alsoMarks: [],
            event: { kind: 'invoice_changed', balance: invoice.balance, total: invoice.total, status: invoice.status },
          },
        ]
      : [];
  return [...credits, ...voidedCredits, ...payments, ...reversals, ...changed];
}

/**
 * `connectionId`: the connection the dispute was read through, where its evidence goes; `processorName`: its
 * provider's label, for the case's texts.
 */
export function disputeCaseEvents(
  d: ChargeDispute,
  connectionId: string,
  sent: readonly string[],
  processorName?: string,
): Keyed<ChargebackUpdate>[] {
  if (sent.includes(chargebackFactKey(d))) return [];
  // The dispute itself travels too: a case that opened from a short payment learns of the chargeback this way.
  const dispute = {
    dispute: d.ref,
    chargeId: d.chargeId,
    amount: d.amount,
    reason: d.reason,
    ...(d.dueBy && { dueBy: d.dueBy }),
    connectionId,
    ...(processorName && { processorName }),
  };
  return [
    {
      key: chargebackFactKey(d),
      alsoMarks: [],
      event: { status: d.status, ...(d.dueBy && { dueBy: d.dueBy }), dispute },
    },
  ];
}
