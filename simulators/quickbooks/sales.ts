// Invoices and credit memos: what QBO computes (line amounts, totals, balances) and what it refuses.
import { atMost, lineAmount, minus, sameAmount, total } from './amounts.js';
import type { Company } from './company.js';
import { currencyRef, type CreditMemoJson, type InvoiceJson, type Line, type Ref, type Stored } from './entities.js';
import { businessRule, validationFault } from './faults.js';

export interface SalesLineInput {
  readonly description?: string;
  readonly qty?: number;
  readonly unitPrice?: number;
  /** Required when qty and unitPrice are absent; checked against qty × unitPrice when all three are given. */
  readonly amount?: number;
  readonly item?: Ref;
}

export interface InvoiceInput {
  readonly customerId: string;
  readonly lines: readonly SalesLineInput[];
  readonly docNumber?: string;
  readonly txnDate?: string;
  readonly dueDate?: string;
  readonly currency?: string;
  readonly privateNote?: string;
}

export type CreditMemoInput = Omit<InvoiceInput, 'dueDate'>;

// QBO's stock "Services" item stands in when a line names none.
const defaultItem: Ref = { value: '1', name: 'Services' };

function salesLine(input: SalesLineInput, index: number, currency: string): Line {
  const qty = input.qty ?? 1;
  const unitPrice = input.unitPrice ?? input.amount;
  if (unitPrice === undefined) throw validationFault('2020', 'Required param missing, need to supply the required value for the API', 'Required parameter Line.Amount is missing in the request', 'Line.Amount');
  const computed = lineAmount(qty, unitPrice, currency);
  if (input.amount !== undefined && input.qty !== undefined && input.unitPrice !== undefined && !sameAmount(computed, input.amount)) {
    throw validationFault('6070', 'Amount calculation incorrect in the request.', `Amount is not equal to UnitPrice * Qty. Supplied value:${input.amount}`, 'Line.Amount');
  }
  return {
    Id: String(index + 1),
    LineNum: index + 1,
    ...(input.description !== undefined && { Description: input.description }),
    Amount: input.amount ?? computed,
    DetailType: 'SalesItemLineDetail',
    SalesItemLineDetail: { ItemRef: input.item ?? defaultItem, Qty: qty, UnitPrice: unitPrice, TaxCodeRef: { value: 'NON' } },
  };
}

// QBO appends a subtotal line to every sales form it returns.
function withSubtotal(lines: Line[]): { Line: Line[]; TotalAmt: number } {
  const sum = total(lines.map((l) => l.Amount));
  return { Line: [...lines, { Amount: sum, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} }], TotalAmt: sum };
}

function salesDocument(company: Company, input: InvoiceInput | CreditMemoInput, entity: 'Invoice' | 'CreditMemo') {
  const customer = company.customer(input.customerId);
  if (input.lines.length === 0) throw validationFault('2020', 'Required param missing, need to supply the required value for the API', 'Required parameter Line is missing in the request', 'Line');
  const currency = input.currency ?? company.settings.homeCurrency;
  const { Line, TotalAmt } = withSubtotal(input.lines.map((l, i) => salesLine(l, i, currency)));
  return {
    Id: company.nextId(),
    SyncToken: '0',
    domain: 'QBO' as const,
    sparse: false as const,
    MetaData: { CreateTime: '', LastUpdatedTime: '' },
    DocNumber: input.docNumber ?? company.nextDocNumber(entity),
    TxnDate: input.txnDate ?? company.today(),
    CurrencyRef: currencyRef(currency),
    ...(input.privateNote !== undefined && { PrivateNote: input.privateNote }),
    LinkedTxn: [],
    Line,
    CustomerRef: { value: customer.Id, name: customer.DisplayName },
    TotalAmt,
    Balance: TotalAmt,
  };
}

export function createInvoice(company: Company, input: InvoiceInput): Stored<'Invoice'> {
  const email = company.customer(input.customerId).email;
  const json: InvoiceJson = {
    ...salesDocument(company, input, 'Invoice'),
    ...(input.dueDate !== undefined && { DueDate: input.dueDate }),
    ...(email && { BillEmail: { Address: email } }),
  };
  return company.insert('Invoice', json);
}

const openInvoicesOldestFirst = (company: Company, customerId: string, currency: string) =>
  [...company.table('Invoice').values()]
    .filter((s) => s.json.CustomerRef.value === customerId && s.json.CurrencyRef.value === currency && s.json.Balance > 0)
    .sort((a, b) => a.json.TxnDate.localeCompare(b.json.TxnDate) || Number(a.json.Id) - Number(b.json.Id));

// "Automatically apply credits": QBO spends a new credit on the customer's oldest open invoices.
function autoApply(company: Company, memo: CreditMemoJson): Stored<'Invoice'>[] {
  const touched: Stored<'Invoice'>[] = [];
  for (const invoice of openInvoicesOldestFirst(company, memo.CustomerRef.value, memo.CurrencyRef.value)) {
    if (memo.RemainingCredit <= 0) break;
    const applied = atMost(memo.RemainingCredit, invoice.json.Balance) ? memo.RemainingCredit : invoice.json.Balance;
    invoice.json.Balance = minus(invoice.json.Balance, applied);
    invoice.json.LinkedTxn.push({ TxnId: memo.Id, TxnType: 'CreditMemo' });
    memo.RemainingCredit = minus(memo.RemainingCredit, applied);
    memo.LinkedTxn.push({ TxnId: invoice.json.Id, TxnType: 'Invoice' });
    touched.push(invoice);
  }
  memo.Balance = memo.RemainingCredit;
  return touched;
}

export function createCreditMemo(company: Company, input: CreditMemoInput): Stored<'CreditMemo'> {
  const document = salesDocument(company, input, 'CreditMemo');
  const memo: CreditMemoJson = { ...document, RemainingCredit: document.TotalAmt };
  const touched = company.settings.autoApplyCredit ? autoApply(company, memo) : [];
  const stored = company.insert('CreditMemo', memo);
  for (const invoice of touched) company.touch(invoice);
  return stored;
}

export function voidInvoice(company: Company, id: string): Stored<'Invoice'> {
  const invoice = company.find('Invoice', id);
  if (invoice.json.LinkedTxn.length > 0) throw businessRule('This transaction has payments or credits applied. Remove them before voiding.');
  const json = invoice.json;
  json.Line = json.Line.map((l) => ({ ...l, Amount: 0, ...(l.SalesItemLineDetail && { SalesItemLineDetail: { ...l.SalesItemLineDetail, Qty: 0 } }) }));
  json.TotalAmt = 0;
  json.Balance = 0;
  json.PrivateNote = json.PrivateNote ? `Voided - ${json.PrivateNote}` : 'Voided';
  company.touch(invoice, 'Void');
  return invoice;
}

export function deleteSalesDocument(company: Company, entity: 'Invoice' | 'CreditMemo', id: string): void {
  const stored = company.find(entity, id);
  if (stored.json.LinkedTxn.length > 0) throw businessRule('This transaction is linked to others. Remove the links before deleting it.');
  company.remove(stored);
}

export function updateInvoice(company: Company, id: string, patch: { dueDate?: string; privateNote?: string }): Stored<'Invoice'> {
  const invoice = company.find('Invoice', id);
  if (patch.dueDate !== undefined) invoice.json.DueDate = patch.dueDate;
  if (patch.privateNote !== undefined) invoice.json.PrivateNote = patch.privateNote;
  company.touch(invoice);
  return invoice;
}
