// Payments: each line applies an amount to an invoice (paying it) or to a credit memo (spending the credit).
// A zero-total payment with one line of each is how a credit memo gets applied to an invoice.
import { atMost, minus, plus, total } from './amounts.js';
import type { Company } from './company.js';
import { currencyRef, type PaymentJson, type Ref, type Stored } from './entities.js';
import { businessRule, invalidReference } from './faults.js';

export interface PaymentLineInput {
  readonly amount: number;
  readonly txnId: string;
  readonly txnType: 'Invoice' | 'CreditMemo';
}

export interface PaymentInput {
  readonly customerId: string;
  readonly totalAmt: number;
  readonly lines: readonly PaymentLineInput[];
  readonly currency?: string;
  readonly txnDate?: string;
  readonly privateNote?: string;
  readonly refNum?: string;
  readonly method?: Ref;
}

type Document = Stored<'Invoice'> | Stored<'CreditMemo'>;

const lookup = (company: Company, type: 'Invoice' | 'CreditMemo', id: string): Document | undefined =>
  type === 'Invoice' ? company.table('Invoice').get(id) : company.table('CreditMemo').get(id);

const available = (doc: Document) => (doc.entity === 'Invoice' ? doc.json.Balance : doc.json.RemainingCredit);

/** Moves `delta` onto a document's open amount: negative applies, positive gives back. */
function adjust(doc: Document, delta: number): void {
  if (doc.entity === 'Invoice') {
    doc.json.Balance = plus(doc.json.Balance, delta);
  } else {
    doc.json.RemainingCredit = plus(doc.json.RemainingCredit, delta);
    doc.json.Balance = doc.json.RemainingCredit;
  }
}

function documentFor(company: Company, line: PaymentLineInput, customerId: string, currency: string): Document {
  const doc = lookup(company, line.txnType, line.txnId);
  if (!doc) throw invalidReference('LinkedTxn', line.txnId);
  if (doc.json.CustomerRef.value !== customerId)
    throw businessRule(`${line.txnType} ${line.txnId} belongs to another customer`);
  if (doc.json.CurrencyRef.value !== currency)
    throw businessRule(`${line.txnType} ${line.txnId} is not in ${currency}`);
  return doc;
}

type Target = { readonly line: PaymentLineInput; readonly doc: Document };

function appliedAmounts(targets: readonly Target[]): { paid: number; credited: number } {
  const sumOf = (entity: Document['entity']) =>
    total(targets.filter((t) => t.doc.entity === entity).map((t) => t.line.amount));
  return { paid: sumOf('Invoice'), credited: sumOf('CreditMemo') };
}

function checkApplicable(targets: readonly Target[], totalAmt: number): void {
  const used = new Map<Document, number>();
  for (const { line, doc } of targets) used.set(doc, plus(used.get(doc) ?? 0, line.amount));
  for (const [doc, amount] of used) {
    if (!atMost(amount, available(doc)))
      throw businessRule(`The amount applied to ${doc.entity} ${doc.json.Id} exceeds its open balance`);
  }
  const { paid, credited } = appliedAmounts(targets);
  if (!atMost(credited, paid)) throw businessRule('Credits applied exceed the invoices they pay');
  if (!atMost(minus(paid, credited), totalAmt)) throw businessRule('The amount applied exceeds the payment amount');
}

export function createPayment(company: Company, input: PaymentInput): Stored<'Payment'> {
  const customer = company.customer(input.customerId);
  const currency = input.currency ?? company.settings.homeCurrency;
  const targets = input.lines.map((line) => ({ line, doc: documentFor(company, line, customer.Id, currency) }));
  checkApplicable(targets, input.totalAmt);
  const { paid, credited } = appliedAmounts(targets);
  const json: PaymentJson = {
    Id: company.nextId(),
    SyncToken: '0',
    domain: 'QBO',
    sparse: false,
    MetaData: { CreateTime: '', LastUpdatedTime: '' },
    TxnDate: input.txnDate ?? company.today(),
    CurrencyRef: currencyRef(currency),
    CustomerRef: { value: customer.Id, name: customer.DisplayName },
    TotalAmt: input.totalAmt,
    UnappliedAmt: minus(input.totalAmt, minus(paid, credited)),
    ProcessPayment: false,
    ...(input.privateNote !== undefined && { PrivateNote: input.privateNote }),
    ...(input.refNum !== undefined && { PaymentRefNum: input.refNum }),
    ...(input.method && { PaymentMethodRef: input.method }),
    LinkedTxn: [],
    Line: input.lines.map((l) => ({ Amount: l.amount, LinkedTxn: [{ TxnId: l.txnId, TxnType: l.txnType }] })),
  };
  const payment = company.insert('Payment', json);
  for (const { line, doc } of targets) {
    adjust(doc, -line.amount);
    if (!doc.json.LinkedTxn.some((t) => t.TxnId === payment.json.Id))
      doc.json.LinkedTxn.push({ TxnId: payment.json.Id, TxnType: 'Payment' });
  }
  for (const doc of new Set(targets.map((t) => t.doc))) company.touch(doc);
  return payment;
}

/** Gives every applied amount back to its document, as voiding or deleting a payment does. */
function unapply(company: Company, payment: Stored<'Payment'>): void {
  const docs = new Set<Document>();
  for (const line of payment.json.Line) {
    for (const link of line.LinkedTxn ?? []) {
      const doc =
        link.TxnType === 'Invoice' || link.TxnType === 'CreditMemo'
          ? lookup(company, link.TxnType, link.TxnId)
          : undefined;
      if (!doc) continue;
      adjust(doc, line.Amount);
      doc.json.LinkedTxn = doc.json.LinkedTxn.filter((t) => t.TxnId !== payment.json.Id);
      docs.add(doc);
    }
  }
  for (const doc of docs) company.touch(doc);
}

export function voidPayment(company: Company, id: string): Stored<'Payment'> {
  const payment = company.find('Payment', id);
  unapply(company, payment);
  Object.assign(payment.json, {
    TotalAmt: 0,
    UnappliedAmt: 0,
    Line: [],
    PrivateNote: payment.json.PrivateNote ? `Voided - ${payment.json.PrivateNote}` : 'Voided',
  });
  company.touch(payment, 'Void');
  return payment;
}

export function deletePayment(company: Company, id: string): void {
  const payment = company.find('Payment', id);
  unapply(company, payment);
  company.remove(payment);
}
