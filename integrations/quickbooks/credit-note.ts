// postCreditNote: a CreditMemo for the conceded lines, then a zero-total Payment that applies it to the
// invoice (reference/ledgers.md §5.1). Each write carries a `requestid` derived from the caller's key, so a
// retried call gets QBO's original answers back instead of a second memo or a second application.
import type { CreditNote, PaymentApplication } from '../../src/domain/model.js';
import { parseDecimal, subtract, sum, toDecimalString, type Money } from '../../src/domain/money.js';
import { IntegrationError, isIntegrationError } from '../errors.js';
import type { CreditNoteRequest } from '../types.js';
import type { QboClient } from './client.js';
import { qboRef, toCreditNote } from './mappers.js';
import { QboCreditMemo, QboInvoice, QboPreferences } from './schemas.js';

export interface CreditNoteDeps {
  readonly client: QboClient;
  readonly realmId: string;
}

const rejected = (message: string) => new IntegrationError('invalid', message, { provider: 'quickbooks', code: 'credit_note_rejected' });

// A decimal number for QBO's JSON; the Money → string → number trip is exact for any amount a currency allows.
const qboAmount = (m: Money): number => Number(toDecimalString(m));

function assertCreditable(req: CreditNoteRequest, invoice: QboInvoice): void {
  const currency = invoice.CurrencyRef.value;
  if (req.currency !== currency) throw rejected(`Invoice ${invoice.Id} is in ${currency}, the credit note in ${req.currency}`);
  if (req.customerId !== undefined && req.customerId !== invoice.CustomerRef.value) throw rejected(`Invoice ${invoice.Id} belongs to another customer`);
  if (req.lines.length === 0) throw rejected('A credit note needs at least one line');
  if (req.lines.some((l) => l.amount.currency !== currency || l.amount.minor <= 0)) throw rejected(`Credit lines must be positive ${currency} amounts`);
  if (sum(req.lines.map((l) => l.amount), currency).minor > parseDecimal(invoice.TotalAmt, currency).minor) {
    throw rejected(`The credit exceeds invoice ${invoice.Id}'s total`);
  }
}

// No TaxCodeRef: the conceded amounts are what comes off the balance, so QBO must not add tax on top.
function memoLine(line: CreditNoteRequest['lines'][number], invoice: QboInvoice) {
  const source = line.invoiceLineId === undefined ? undefined : invoice.Line.find((l) => l.Id === line.invoiceLineId);
  if (line.invoiceLineId !== undefined && !source) throw rejected(`Invoice ${invoice.Id} has no line ${line.invoiceLineId}`);
  const item = source?.SalesItemLineDetail?.ItemRef;
  const amount = qboAmount(line.amount);
  return {
    DetailType: 'SalesItemLineDetail',
    Amount: amount,
    Description: line.description,
    SalesItemLineDetail: { ...(item && { ItemRef: item }), Qty: 1, UnitPrice: amount },
  };
}

const creditMemoBody = (req: CreditNoteRequest, invoice: QboInvoice) => ({
  CustomerRef: { value: invoice.CustomerRef.value },
  CurrencyRef: { value: invoice.CurrencyRef.value },
  PrivateNote: req.memo,
  Line: req.lines.map((l) => memoLine(l, invoice)),
});

// Two equal lines, one per document, and no money: the shape QBO uses to apply a credit to an invoice.
const linkingPaymentBody = (invoice: QboInvoice, memo: QboCreditMemo) => ({
  CustomerRef: { value: invoice.CustomerRef.value },
  CurrencyRef: { value: invoice.CurrencyRef.value },
  TotalAmt: 0,
  Line: [
    { Amount: memo.TotalAmt, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] },
    { Amount: memo.TotalAmt, LinkedTxn: [{ TxnId: memo.Id, TxnType: 'CreditMemo' }] },
  ],
});

async function linkToInvoice({ client, realmId }: CreditNoteDeps, invoice: QboInvoice, memo: QboCreditMemo, key: string): Promise<CreditNote> {
  try {
    await client.createPayment(linkingPaymentBody(invoice, memo), `${key}/payment`);
  } catch (e) {
    if (!isIntegrationError(e)) throw e;
    throw new IntegrationError(e.kind, `Credit memo ${memo.Id} was created but not applied to invoice ${invoice.Id}. ${e.message}`, e.details);
  }
  const allocation: PaymentApplication = { invoice: qboRef(realmId, invoice.Id), amount: parseDecimal(memo.TotalAmt, memo.CurrencyRef.value) };
  return { ...toCreditNote(memo, realmId, [allocation]), status: 'applied' };
}

// With AutoApplyCredit on, QBO applies new credits itself, oldest open invoice first, which need not be ours:
// report only an allocation the invoice itself confirms.
async function autoApplied({ client, realmId }: CreditNoteDeps, invoiceId: string, memo: QboCreditMemo): Promise<CreditNote> {
  const after = QboInvoice.parse(await client.getInvoice(invoiceId));
  const linked = (after.LinkedTxn ?? []).some((t) => t.TxnType === 'CreditMemo' && t.TxnId === memo.Id);
  const currency = memo.CurrencyRef.value;
  const applied = subtract(parseDecimal(memo.TotalAmt, currency), parseDecimal(memo.RemainingCredit ?? memo.TotalAmt, currency));
  const allocations = linked && applied.minor > 0 ? [{ invoice: qboRef(realmId, invoiceId), amount: applied }] : [];
  return toCreditNote(memo, realmId, allocations);
}

export async function postCreditNote(deps: CreditNoteDeps, req: CreditNoteRequest): Promise<CreditNote> {
  const invoice = QboInvoice.parse(await deps.client.getInvoice(req.invoiceId));
  assertCreditable(req, invoice);
  const prefs = QboPreferences.parse(await deps.client.getPreferences());
  const memo = QboCreditMemo.parse(await deps.client.createCreditMemo(creditMemoBody(req, invoice), `${req.idempotencyKey}/creditmemo`));
  if (prefs.SalesFormsPrefs?.AutoApplyCredit) return autoApplied(deps, invoice.Id, memo);
  return linkToInvoice(deps, invoice, memo, req.idempotencyKey);
}
