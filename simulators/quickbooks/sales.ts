// Invoices and credit memos: what QBO computes (line amounts, totals, balances) and what it refuses.
import { atMost, lineAmount, sameAmount, total } from './amounts.js';
import { salesTaxName, type Company } from './company.js';
import { currencyRef, type CreditMemoJson, type InvoiceJson, type Line, type Ref, type Stored } from './entities.js';
import { businessRule, validationFault } from './faults.js';
import { createPayment } from './payments.js';

export interface SalesLineInput {
  readonly description?: string;
  readonly qty?: number;
  readonly unitPrice?: number;
  /** Required when qty and unitPrice are absent; checked against qty × unitPrice when all three are given. */
  readonly amount?: number;
  readonly item?: Ref;
  /** The line's tax code; a VAT/GST company refuses a line without one. */
  readonly taxCode?: Ref;
}

export interface InvoiceInput {
  readonly customerId: string;
  readonly lines: readonly SalesLineInput[];
  readonly docNumber?: string;
  readonly txnDate?: string;
  readonly dueDate?: string;
  readonly currency?: string;
  readonly privateNote?: string;
  /** TaxExcluded, TaxInclusive or NotApplicable; echoed for non-US companies. */
  readonly globalTaxCalculation?: string;
  /** QuickBooks Payments: the client may pay this invoice online by card and bank transfer (ACH). */
  readonly onlinePayment?: boolean;
}

export type CreditMemoInput = Omit<InvoiceInput, 'dueDate'>;

// QBO's stock "Services" item stands in when a line names none.
const defaultItem: Ref = { value: '1', name: 'Services' };

function salesLine(input: SalesLineInput, index: number, currency: string): Line {
  const qty = input.qty ?? 1;
  const unitPrice = input.unitPrice ?? input.amount;
  if (unitPrice === undefined)
    throw validationFault(
      '2020',
      'Required param missing, need to supply the required value for the API',
      'Required parameter Line.Amount is missing in the request',
      'Line.Amount',
    );
  const computed = lineAmount(qty, unitPrice, currency);
  if (
    input.amount !== undefined &&
    input.qty !== undefined &&
    input.unitPrice !== undefined &&
    !sameAmount(computed, input.amount)
  ) {
    throw validationFault(
      '6070',
      'Amount calculation incorrect in the request.',
      `Amount is not equal to UnitPrice * Qty. Supplied value:${input.amount}`,
      'Line.Amount',
    );
  }
  return {
    Id: String(index + 1),
    LineNum: index + 1,
    ...(input.description !== undefined && { Description: input.description }),
    Amount: input.amount ?? computed,
    DetailType: 'SalesItemLineDetail',
    SalesItemLineDetail: {
      ItemRef: input.item ?? defaultItem,
      Qty: qty,
      UnitPrice: unitPrice,
      ...(input.taxCode && { TaxCodeRef: input.taxCode }),
    },
  };
}

// A VAT/GST company refuses the whole document when any sales line names no tax code: 400, fault 6000, the
// tax named after the company's country (FACTS.md: intuit/quickbooks-online-mcp-server#94, activepieces#8539).
// The simulator records the code but computes no tax: totals stay the sum of the lines.
function checkTaxCodes(company: Company, lines: readonly SalesLineInput[]): void {
  const tax = salesTaxName(company.settings.country);
  if (tax && lines.some((l) => l.taxCode === undefined))
    throw businessRule(`Make sure all your transactions have a ${tax} rate before you save.`);
}

// QBO appends a subtotal line to every sales form it returns.
function withSubtotal(lines: Line[]): { Line: Line[]; TotalAmt: number } {
  const sum = total(lines.map((l) => l.Amount));
  return { Line: [...lines, { Amount: sum, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} }], TotalAmt: sum };
}

function salesDocument(company: Company, input: InvoiceInput | CreditMemoInput, entity: 'Invoice' | 'CreditMemo') {
  const customer = company.customer(input.customerId);
  if (input.lines.length === 0)
    throw validationFault(
      '2020',
      'Required param missing, need to supply the required value for the API',
      'Required parameter Line is missing in the request',
      'Line',
    );
  checkTaxCodes(company, input.lines);
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
    ...(input.globalTaxCalculation !== undefined &&
      company.settings.country !== 'US' && { GlobalTaxCalculation: input.globalTaxCalculation }),
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
    ...(input.onlinePayment !== undefined && {
      AllowOnlineCreditCardPayment: input.onlinePayment,
      AllowOnlineACHPayment: input.onlinePayment,
    }),
  };
  const invoice = company.insert('Invoice', json);
  // "Automatically apply credits" also spends the customer's open credits on a new invoice, oldest credit first.
  if (company.settings.autoApplyCredit) {
    for (const memo of openCreditsOldestFirst(company, json.CustomerRef.value, json.CurrencyRef.value)) {
      if (invoice.json.Balance <= 0) break;
      applyCredit(
        company,
        memo.json,
        invoice.json,
        atMost(memo.json.RemainingCredit, invoice.json.Balance) ? memo.json.RemainingCredit : invoice.json.Balance,
      );
    }
  }
  return invoice;
}

const openInvoicesOldestFirst = (company: Company, customerId: string, currency: string) =>
  [...company.table('Invoice').values()]
    .filter(
      (s) => s.json.CustomerRef.value === customerId && s.json.CurrencyRef.value === currency && s.json.Balance > 0,
    )
    .sort((a, b) => a.json.TxnDate.localeCompare(b.json.TxnDate) || Number(a.json.Id) - Number(b.json.Id));

const openCreditsOldestFirst = (company: Company, customerId: string, currency: string) =>
  [...company.table('CreditMemo').values()]
    .filter(
      (s) =>
        s.json.CustomerRef.value === customerId && s.json.CurrencyRef.value === currency && s.json.RemainingCredit > 0,
    )
    .sort((a, b) => a.json.TxnDate.localeCompare(b.json.TxnDate) || Number(a.json.Id) - Number(b.json.Id));

/**
 * Applies a credit the way QBO does, whether a user applies it on Receive Payment or "Automatically apply credits"
 * does: a $0 Payment with one line on the invoice and one on the credit memo. The two documents are not linked
 * to each other; each links the Payment (FACTS.md, "AutoApplyCredit").
 */
export function applyCredit(
  company: Company,
  memo: CreditMemoJson,
  invoice: InvoiceJson,
  amount: number,
): Stored<'Payment'> {
  return createPayment(company, {
    customerId: memo.CustomerRef.value,
    totalAmt: 0,
    currency: memo.CurrencyRef.value,
    lines: [
      { amount, txnId: invoice.Id, txnType: 'Invoice' },
      { amount, txnId: memo.Id, txnType: 'CreditMemo' },
    ],
  });
}

// "Automatically apply credits": QBO spends a new credit on the customer's oldest open invoices.
function autoApply(company: Company, memo: CreditMemoJson): void {
  for (const invoice of openInvoicesOldestFirst(company, memo.CustomerRef.value, memo.CurrencyRef.value)) {
    if (memo.RemainingCredit <= 0) break;
    applyCredit(
      company,
      memo,
      invoice.json,
      atMost(memo.RemainingCredit, invoice.json.Balance) ? memo.RemainingCredit : invoice.json.Balance,
    );
  }
}

export function createCreditMemo(company: Company, input: CreditMemoInput): Stored<'CreditMemo'> {
  const document = salesDocument(company, input, 'CreditMemo');
  const memo: CreditMemoJson = { ...document, RemainingCredit: document.TotalAmt };
  const stored = company.insert('CreditMemo', memo);
  if (company.settings.autoApplyCredit) autoApply(company, memo);
  return stored;
}

export function voidInvoice(company: Company, id: string): Stored<'Invoice'> {
  const invoice = company.find('Invoice', id);
  if (invoice.json.LinkedTxn.length > 0)
    throw businessRule('This transaction has payments or credits applied. Remove them before voiding.');
  const json = invoice.json;
  json.Line = json.Line.map((l) => ({
    ...l,
    Amount: 0,
    ...(l.SalesItemLineDetail && { SalesItemLineDetail: { ...l.SalesItemLineDetail, Qty: 0 } }),
  }));
  json.TotalAmt = 0;
  json.Balance = 0;
  json.PrivateNote = json.PrivateNote ? `Voided - ${json.PrivateNote}` : 'Voided';
  company.touch(invoice, 'Void');
  return invoice;
}

export function deleteSalesDocument(company: Company, entity: 'Invoice' | 'CreditMemo', id: string): void {
  const stored = company.find(entity, id);
  if (stored.json.LinkedTxn.length > 0)
    throw businessRule('This transaction is linked to others. Remove the links before deleting it.');
  company.remove(stored);
}

export function updateInvoice(
  company: Company,
  id: string,
  patch: { dueDate?: string; privateNote?: string },
): Stored<'Invoice'> {
  const invoice = company.find('Invoice', id);
  if (patch.dueDate !== undefined) invoice.json.DueDate = patch.dueDate;
  if (patch.privateNote !== undefined) invoice.json.PrivateNote = patch.privateNote;
  company.touch(invoice);
  return invoice;
}
