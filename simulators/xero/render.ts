// The simulator's records as Xero writes them on the wire: PascalCase, Microsoft JSON dates, 2-decimal
// numbers, and only properties xero_accounting.yaml declares (the contract checks close every object).
import { randomUUID } from 'node:crypto';
import { fromCents } from './amounts.js';
import { msDate, msDay } from './clock.js';
import type { SimLine } from './documents.js';
import type {
  Organisation,
  SimAllocation,
  SimContact,
  SimCreditNote,
  SimHistoryRecord,
  SimInvoice,
  SimPayment,
} from './organisation.js';

type Wire = Record<string, unknown>;

export function envelope(providerName: string, now: number, body: Wire): Wire {
  return { Id: randomUUID(), Status: 'OK', ProviderName: providerName, DateTimeUTC: msDate(now), ...body };
}

const contact = (c: SimContact | undefined, id: string): Wire => ({
  ContactID: id,
  ...(c && { Name: c.name }),
  ...(c?.email && { EmailAddress: c.email }),
});

const line = (l: SimLine): Wire => ({
  LineItemID: l.id,
  Description: l.description,
  Quantity: Number(l.quantity),
  UnitAmount: Number(l.unitAmount),
  LineAmount: fromCents(l.lineAmount),
  TaxType: l.taxType,
  TaxAmount: fromCents(l.taxAmount),
  ...(l.accountCode && { AccountCode: l.accountCode }),
});

function paymentSummary(p: SimPayment): Wire {
  return {
    PaymentID: p.id,
    Date: msDay(p.date),
    Amount: fromCents(p.amount),
    CurrencyRate: 1,
    ...(p.reference && { Reference: p.reference }),
  };
}

function appliedCredit(org: Organisation, a: SimAllocation): Wire {
  const cn = org.creditNotes.get(a.creditNoteId);
  return {
    CreditNoteID: a.creditNoteId,
    ...(cn && { CreditNoteNumber: cn.number, Total: fromCents(cn.totals.total) }),
    AppliedAmount: fromCents(a.amount),
    Date: msDay(a.date),
  };
}

export function renderInvoice(org: Organisation, inv: SimInvoice, opts: { lines: boolean }): Wire {
  return {
    Type: inv.type,
    InvoiceID: inv.id,
    InvoiceNumber: inv.number,
    ...(inv.reference && { Reference: inv.reference }),
    Contact: contact(org.contacts.get(inv.contactId), inv.contactId),
    Date: msDay(inv.date),
    ...(inv.dueDate && { DueDate: msDay(inv.dueDate) }),
    Status: inv.status,
    LineAmountTypes: inv.lineAmountTypes,
    // Xero leaves line items out of list responses unless the request pages (`page=`).
    ...(opts.lines && { LineItems: inv.lines.map(line) }),
    SubTotal: fromCents(inv.totals.subTotal),
    TotalTax: fromCents(inv.totals.totalTax),
    Total: fromCents(inv.totals.total),
    CurrencyCode: inv.currency,
    CurrencyRate: 1,
    AmountDue: fromCents(org.amountDue(inv)),
    AmountPaid: fromCents(org.amountPaid(inv.id)),
    AmountCredited: fromCents(org.amountCredited(inv.id)),
    ...(inv.fullyPaidOn && { FullyPaidOnDate: msDay(inv.fullyPaidOn) }),
    SentToContact: inv.sentToContact,
    HasAttachments: false,
    IsDiscounted: false,
    Payments: org.paymentsOf(inv.id).map(paymentSummary),
    CreditNotes: org.allocationsTo(inv.id).map((a) => appliedCredit(org, a)),
    Prepayments: [],
    Overpayments: [],
    UpdatedDateUTC: msDate(inv.updatedAt),
  };
}

export function renderPayment(org: Organisation, p: SimPayment): Wire {
  const inv = org.invoices.get(p.invoiceId);
  return {
    PaymentID: p.id,
    Date: msDay(p.date),
    Amount: fromCents(p.amount),
    ...(p.reference && { Reference: p.reference }),
    CurrencyRate: 1,
    PaymentType: inv?.type === 'ACCPAY' ? 'ACCPAYPAYMENT' : 'ACCRECPAYMENT',
    Status: p.status,
    IsReconciled: false,
    HasAccount: false,
    HasValidationErrors: false,
    Account: { Code: p.accountCode },
    Invoice: inv
      ? {
          InvoiceID: inv.id,
          InvoiceNumber: inv.number,
          Type: inv.type,
          CurrencyCode: inv.currency,
          Contact: contact(org.contacts.get(inv.contactId), inv.contactId),
        }
      : { InvoiceID: p.invoiceId },
    UpdatedDateUTC: msDate(p.updatedAt),
  };
}

export function renderAllocation(org: Organisation, a: SimAllocation): Wire {
  const inv = org.invoices.get(a.invoiceId);
  return {
    AllocationID: a.id,
    Amount: fromCents(a.amount),
    Date: msDay(a.date),
    Invoice: { InvoiceID: a.invoiceId, ...(inv && { InvoiceNumber: inv.number }) },
    CreditNote: { CreditNoteID: a.creditNoteId },
  };
}

export function renderCreditNote(org: Organisation, cn: SimCreditNote): Wire {
  return {
    CreditNoteID: cn.id,
    CreditNoteNumber: cn.number,
    Type: cn.type,
    ...(cn.reference && { Reference: cn.reference }),
    Contact: contact(org.contacts.get(cn.contactId), cn.contactId),
    Date: msDay(cn.date),
    Status: cn.status,
    LineAmountTypes: cn.lineAmountTypes,
    LineItems: cn.lines.map(line),
    SubTotal: fromCents(cn.totals.subTotal),
    TotalTax: fromCents(cn.totals.totalTax),
    Total: fromCents(cn.totals.total),
    CurrencyCode: cn.currency,
    CurrencyRate: 1,
    RemainingCredit: fromCents(org.remainingCredit(cn)),
    Allocations: org.allocationsFrom(cn.id).map((a) => {
      const { CreditNote: _self, ...rest } = renderAllocation(org, a);
      return rest;
    }),
    ...(cn.fullyPaidOn && { FullyPaidOnDate: msDay(cn.fullyPaidOn) }),
    HasAttachments: false,
    UpdatedDateUTC: msDate(cn.updatedAt),
  };
}

export const renderHistory = (r: SimHistoryRecord): Wire => ({
  Details: r.details,
  Changes: r.changes,
  User: r.user,
  DateUTC: msDate(r.at),
});
