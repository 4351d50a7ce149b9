// Raw Xero payloads → the canonical model. Pure: no I/O, no clock.
import type { CreditNote, ExternalRef, Invoice, InvoiceLine, InvoiceStatus, Payment } from '../../src/domain/model.js';
import { Dec } from '../../src/domain/decimal.js';
import { parseDecimal, zero, type Money } from '../../src/domain/money.js';
import { xeroDay, xeroInstant } from './dates.js';
import type { XeroCreditNote, XeroInvoice, XeroLineItem, XeroPayment } from './schemas.js';

const ref = (tenantId: string, id: string): ExternalRef => ({ provider: 'xero', accountId: tenantId, id });
const amount = (value: number | undefined, currency: string): Money =>
  value === undefined ? zero(currency) : parseDecimal(value, currency);

const invoiceStatuses: Record<XeroInvoice['Status'], InvoiceStatus> = {
  DRAFT: 'draft',
  SUBMITTED: 'draft', // awaiting approval: not yet owed
  AUTHORISED: 'open',
  PAID: 'paid',
  VOIDED: 'void',
  DELETED: 'deleted',
};

const creditNoteStatuses: Record<XeroCreditNote['Status'], CreditNote['status']> = {
  DRAFT: 'open',
  SUBMITTED: 'open',
  AUTHORISED: 'open',
  PAID: 'applied', // Xero marks a credit note PAID once all of it is allocated or refunded
  VOIDED: 'void',
  DELETED: 'deleted',
};

function toLine(raw: XeroLineItem, index: number, currency: string): InvoiceLine {
  return {
    id: raw.LineItemID ?? String(index + 1),
    description: raw.Description ?? '',
    quantity: new Dec(raw.Quantity ?? 1).toFixed(),
    // Organisations may keep 4-decimal unit prices (unitdp=4); the line amount stays exact at 2.
    unitPrice:
      raw.UnitAmount === undefined ? zero(currency) : parseDecimal(raw.UnitAmount, currency, { rounding: 'half-even' }),
    amount: amount(raw.LineAmount, currency),
  };
}

export function toInvoice(raw: XeroInvoice, tenantId: string): Invoice {
  const currency = raw.CurrencyCode;
  const contact = raw.Contact;
  return {
    ref: ref(tenantId, raw.InvoiceID),
    number: raw.InvoiceNumber ?? '',
    customer: {
      ref: ref(tenantId, contact.ContactID),
      name: contact.Name ?? '',
      ...(contact.EmailAddress && { email: contact.EmailAddress }),
    },
    currency,
    lines: raw.LineItems.map((line, i) => toLine(line, i, currency)),
    total: amount(raw.Total, currency),
    balance: amount(raw.AmountDue, currency),
    issueDate: xeroDay(raw.Date),
    ...(raw.DueDate && { dueDate: xeroDay(raw.DueDate) }),
    status: invoiceStatuses[raw.Status],
    updatedAt: xeroInstant(raw.UpdatedDateUTC),
  };
}

export function toPayment(raw: XeroPayment, tenantId: string): Payment {
  // Amount is in the invoice's currency; BankAmount (not used) is in the bank account's.
  const currency = raw.Invoice.CurrencyCode;
  const paid = amount(raw.Amount, currency);
  const customer = raw.Invoice.Contact?.ContactID;
  return {
    ref: ref(tenantId, raw.PaymentID),
    ...(customer && { customer: ref(tenantId, customer) }),
    amount: paid,
    date: xeroDay(raw.Date),
    // Reference is the only free text on a Xero payment: the payer's or bookkeeper's note.
    ...(raw.Reference && { memo: raw.Reference }),
    applications: [{ invoice: ref(tenantId, raw.Invoice.InvoiceID), amount: paid }],
    status: raw.Status === 'DELETED' ? 'deleted' : 'applied',
    updatedAt: xeroInstant(raw.UpdatedDateUTC),
  };
}

export function toCreditNote(raw: XeroCreditNote, tenantId: string): CreditNote {
  const currency = raw.CurrencyCode;
  const customer = raw.Contact?.ContactID;
  return {
    ref: ref(tenantId, raw.CreditNoteID),
    ...(raw.CreditNoteNumber && { number: raw.CreditNoteNumber }),
    ...(customer && { customer: ref(tenantId, customer) }),
    lines: raw.LineItems.map((line) => ({
      description: line.Description ?? '',
      amount: amount(line.LineAmount, currency),
    })),
    total: amount(raw.Total, currency),
    allocations: raw.Allocations.map((a) => ({
      invoice: ref(tenantId, a.Invoice.InvoiceID),
      amount: amount(a.Amount, currency),
    })),
    status: creditNoteStatuses[raw.Status],
    updatedAt: xeroInstant(raw.UpdatedDateUTC),
  };
}
