// postCreditNote: a CreditMemo for the conceded lines, then a zero-total Payment that applies it to the
// invoice (reference/ledgers.md §5.1). Each write carries a `requestid` derived from the caller's key, so a
// retried call gets QBO's original answers back instead of a second memo or a second application.
// Outside the US (VAT/GST companies) every sales line must name a tax code, or QBO refuses the document with
// fault 6000: the memo's lines take the invoice line's TaxCodeRef (FACTS.md, "Tax codes on credit memos").
import type { CreditNote, PaymentApplication } from '../../src/domain/model.js';
import { parseDecimal, sum, toDecimalString, type Money } from '../../src/domain/money.js';
import { IntegrationError, isIntegrationError } from '../errors.js';
import type { CreditNoteRequest } from '../types.js';
import type { QboClient } from './client.js';
import { qboRef, toCreditNote, toPayment } from './mappers.js';
import { QboCompanyInfo, QboCreditMemo, QboInvoice, QboPayment, QboPreferences, type QboRef } from './schemas.js';

export interface CreditNoteDeps {
  readonly client: QboClient;
  readonly realmId: string;
  /** The company's tax regime, read once per connector (see companyTaxSetup). */
  readonly taxSetup: () => Promise<TaxSetup>;
}

export interface TaxSetup {
  /** Every sales line needs a TaxCodeRef: VAT/GST companies (UK, Canada, Australia…), i.e. outside the US. */
  readonly taxCodeRequired: boolean;
}

/** Reads CompanyInfo once and remembers it: a company's country does not change. */
export function companyTaxSetup(client: QboClient): () => Promise<TaxSetup> {
  let setup: Promise<TaxSetup> | undefined;
  return () => {
    setup ??= client.getCompanyInfo().then((raw) => {
      const country = (QboCompanyInfo.parse(raw).Country ?? 'US').trim().toUpperCase();
      return { taxCodeRequired: !['US', 'USA', 'UNITED STATES'].includes(country) };
    });
    setup.catch(() => (setup = undefined)); // a failed read is tried again next time
    return setup;
  };
}

const rejected = (message: string) =>
  new IntegrationError('invalid', message, { provider: 'quickbooks', code: 'credit_note_rejected' });

// A decimal number for QBO's JSON; the Money → string → number trip is exact for any amount a currency allows.
const qboAmount = (m: Money): number => Number(toDecimalString(m));

function assertCreditable(req: CreditNoteRequest, invoice: QboInvoice): void {
  const currency = invoice.CurrencyRef.value;
  if (req.currency !== currency)
    throw rejected(`Invoice ${invoice.Id} is in ${currency}, the credit note in ${req.currency}`);
  if (req.customerId !== undefined && req.customerId !== invoice.CustomerRef.value)
    throw rejected(`Invoice ${invoice.Id} belongs to another customer`);
  if (req.lines.length === 0) throw rejected('A credit note needs at least one line');
  if (req.lines.some((l) => l.amount.currency !== currency || l.amount.minor <= 0))
    throw rejected(`Credit lines must be positive ${currency} amounts`);
  if (
    sum(
      req.lines.map((l) => l.amount),
      currency,
    ).minor > parseDecimal(invoice.TotalAmt, currency).minor
  ) {
    throw rejected(`The credit exceeds invoice ${invoice.Id}'s total`);
  }
}

type SourceLine = QboInvoice['Line'][number];

const sourceLineOf = (line: CreditNoteRequest['lines'][number], invoice: QboInvoice): SourceLine | undefined => {
  if (line.invoiceLineId === undefined) return undefined;
  const source = invoice.Line.find((l) => l.Id === line.invoiceLineId);
  if (!source) throw rejected(`Invoice ${invoice.Id} has no line ${line.invoiceLineId}`);
  return source;
};

// In the US the memo names no tax code: the conceded amounts are what comes off the balance, so QBO must not add
// sales tax on top. A VAT/GST company needs one on every line: the credited line's own, or, for a line of the
// memo that names no invoice line, the one code every line of the invoice shares.
function taxCodeFor(source: SourceLine | undefined, invoice: QboInvoice, tax: TaxSetup): QboRef | undefined {
  if (!tax.taxCodeRequired) return undefined;
  const own = source?.SalesItemLineDetail?.TaxCodeRef;
  if (own) return { value: own.value };
  const codes = new Set(
    invoice.Line.flatMap((l) => (l.SalesItemLineDetail?.TaxCodeRef ? [l.SalesItemLineDetail.TaxCodeRef.value] : [])),
  );
  const [only] = codes;
  if (codes.size === 1 && only !== undefined) return { value: only };
  throw rejected(
    `Invoice ${invoice.Id} has lines at different VAT/GST rates: name the invoice line each credited amount belongs to`,
  );
}

function memoLine(line: CreditNoteRequest['lines'][number], invoice: QboInvoice, tax: TaxSetup) {
  const source = sourceLineOf(line, invoice);
  const item = source?.SalesItemLineDetail?.ItemRef;
  const taxCode = taxCodeFor(source, invoice, tax);
  const amount = qboAmount(line.amount);
  return {
    DetailType: 'SalesItemLineDetail',
    Amount: amount,
    Description: line.description,
    SalesItemLineDetail: {
      ...(item && { ItemRef: item }),
      Qty: 1,
      UnitPrice: amount,
      ...(taxCode && { TaxCodeRef: taxCode }),
    },
  };
}

// The memo's amounts mean what the invoice's do (before or after VAT): crediting a line credits its tax too.
const creditMemoBody = (req: CreditNoteRequest, invoice: QboInvoice, tax: TaxSetup) => ({
  CustomerRef: { value: invoice.CustomerRef.value },
  CurrencyRef: { value: invoice.CurrencyRef.value },
  PrivateNote: req.memo,
  ...(tax.taxCodeRequired && invoice.GlobalTaxCalculation && { GlobalTaxCalculation: invoice.GlobalTaxCalculation }),
  Line: req.lines.map((l) => memoLine(l, invoice, tax)),
});

// Two equal lines, one per document, and no money: the shape QBO uses to apply a credit to an invoice. With VAT the
// memo's total may pass what the invoice still owes; only that much can be applied.
const linkingPaymentBody = (invoice: QboInvoice, memo: QboCreditMemo, amount: number) => ({
  CustomerRef: { value: invoice.CustomerRef.value },
  CurrencyRef: { value: invoice.CurrencyRef.value },
  TotalAmt: 0,
  Line: [
    { Amount: amount, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] },
    { Amount: amount, LinkedTxn: [{ TxnId: memo.Id, TxnType: 'CreditMemo' }] },
  ],
});

async function linkToInvoice(
  { client, realmId }: CreditNoteDeps,
  invoice: QboInvoice,
  memo: QboCreditMemo,
  key: string,
): Promise<CreditNote> {
  const currency = memo.CurrencyRef.value;
  const amount = Math.min(parseDecimal(memo.TotalAmt, currency).minor, parseDecimal(invoice.Balance, currency).minor);
  const applied: Money = { minor: amount, currency };
  if (amount <= 0) return toCreditNote(memo, realmId, []); // nothing left owing on the invoice: the credit stays open
  try {
    await client.createPayment(linkingPaymentBody(invoice, memo, qboAmount(applied)), `${key}/payment`);
  } catch (e) {
    if (!isIntegrationError(e)) throw e;
    throw new IntegrationError(
      e.kind,
      `Credit memo ${memo.Id} was created but not applied to invoice ${invoice.Id}. ${e.message}`,
      e.details,
    );
  }
  const allocation: PaymentApplication = { invoice: qboRef(realmId, invoice.Id), amount: applied };
  return { ...toCreditNote(memo, realmId, [allocation]), status: 'applied' };
}

/**
 * What of this credit memo the ledger shows applied to this invoice, however QBO recorded it: a Payment whose lines
 * link memo and invoice (the $0 Payment QBO writes when it applies a credit itself, or one a user or app wrote; a
 * partial application included), or a CreditMemo link on the invoice itself.
 */
export async function creditApplied(
  { client, realmId }: Pick<CreditNoteDeps, 'client' | 'realmId'>,
  invoice: QboInvoice,
  memo: QboCreditMemo,
): Promise<Money> {
  const currency = memo.CurrencyRef.value;
  const paymentIds = new Set((invoice.LinkedTxn ?? []).filter((t) => t.TxnType === 'Payment').map((t) => t.TxnId));
  const viaMemo = (memo.LinkedTxn ?? []).filter((t) => t.TxnType === 'Payment').map((t) => t.TxnId);
  // Both documents name the linking Payment; when the memo lists its links, only those Payments need reading.
  const candidates = viaMemo.length > 0 ? viaMemo.filter((id) => paymentIds.has(id)) : [...paymentIds];
  let minor = 0;
  for (const id of candidates) {
    const payment = toPayment(QboPayment.parse(await client.getPayment(id)), realmId);
    if (payment.status !== 'applied') continue;
    for (const a of payment.applications)
      if (a.invoice.id === invoice.Id && a.creditNoteId === memo.Id) minor += a.amount.minor;
  }
  if (minor > 0) return { minor, currency };
  // A direct link carries no amount: what the memo no longer has left is what it gave this invoice.
  const linked = (invoice.LinkedTxn ?? []).some((t) => t.TxnType === 'CreditMemo' && t.TxnId === memo.Id);
  if (!linked) return { minor: 0, currency };
  const spent =
    parseDecimal(memo.TotalAmt, currency).minor - parseDecimal(memo.RemainingCredit ?? memo.TotalAmt, currency).minor;
  return { minor: Math.max(0, spent), currency };
}

// With AutoApplyCredit on, QBO applies new credits itself, oldest open invoice first, which need not be ours:
// report only what the ledger shows applied to our invoice.
async function autoApplied(deps: CreditNoteDeps, invoiceId: string, created: QboCreditMemo): Promise<CreditNote> {
  const memo = QboCreditMemo.parse(await deps.client.getCreditMemo(created.Id));
  const invoice = QboInvoice.parse(await deps.client.getInvoice(invoiceId));
  const applied = await creditApplied(deps, invoice, memo);
  const allocations = applied.minor > 0 ? [{ invoice: qboRef(deps.realmId, invoiceId), amount: applied }] : [];
  return toCreditNote(memo, deps.realmId, allocations);
}

export async function postCreditNote(deps: CreditNoteDeps, req: CreditNoteRequest): Promise<CreditNote> {
  const invoice = QboInvoice.parse(await deps.client.getInvoice(req.invoiceId));
  assertCreditable(req, invoice);
  const prefs = QboPreferences.parse(await deps.client.getPreferences());
  const tax = await deps.taxSetup();
  const memo = QboCreditMemo.parse(
    await deps.client.createCreditMemo(creditMemoBody(req, invoice, tax), `${req.idempotencyKey}/creditmemo`),
  );
  if (prefs.SalesFormsPrefs?.AutoApplyCredit) return autoApplied(deps, invoice.Id, memo);
  return linkToInvoice(deps, invoice, memo, req.idempotencyKey);
}
