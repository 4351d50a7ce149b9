// zod schemas of the raw Accounting API payloads (PascalCase JSON as Xero sends it, not xero-node's models).
// Only the fields the mappers read; everything else passes through unchecked.
import { z } from 'zod';

/** `/Date(…)/` or ISO text; dates.ts turns either into ISO. */
const XeroDateText = z.string().min(1);

export const XeroContactRef = z.object({
  ContactID: z.string().min(1),
  Name: z.string().optional(),
  EmailAddress: z.string().optional(),
});

export const XeroLineItem = z.object({
  LineItemID: z.string().optional(),
  Description: z.string().optional(),
  Quantity: z.number().optional(),
  UnitAmount: z.number().optional(),
  LineAmount: z.number().optional(),
  AccountCode: z.string().optional(),
  TaxType: z.string().optional(),
});
export type XeroLineItem = z.infer<typeof XeroLineItem>;

export const invoiceStatuses = ['DRAFT', 'SUBMITTED', 'DELETED', 'AUTHORISED', 'PAID', 'VOIDED'] as const;

const AppliedCreditNote = z.object({ CreditNoteID: z.string().min(1), AppliedAmount: z.number().optional() });

export const XeroInvoice = z.object({
  InvoiceID: z.string().min(1),
  Type: z.string(),
  InvoiceNumber: z.string().optional(),
  Reference: z.string().optional(),
  Contact: XeroContactRef,
  LineItems: z.array(XeroLineItem).default([]),
  Date: XeroDateText,
  DueDate: XeroDateText.optional(),
  Status: z.enum(invoiceStatuses),
  CurrencyCode: z.string().length(3),
  Total: z.number(),
  AmountDue: z.number(),
  AmountPaid: z.number().optional(),
  AmountCredited: z.number().optional(),
  UpdatedDateUTC: XeroDateText,
  CreditNotes: z.array(AppliedCreditNote).default([]),
});
export type XeroInvoice = z.infer<typeof XeroInvoice>;

export const XeroPayment = z.object({
  PaymentID: z.string().min(1),
  Date: XeroDateText,
  Amount: z.number(),
  Reference: z.string().optional(),
  Status: z.enum(['AUTHORISED', 'DELETED']),
  PaymentType: z.string().optional(),
  UpdatedDateUTC: XeroDateText,
  Invoice: z.object({
    InvoiceID: z.string().min(1),
    CurrencyCode: z.string().length(3),
    Contact: XeroContactRef.optional(),
  }),
});
export type XeroPayment = z.infer<typeof XeroPayment>;

export const XeroAllocation = z.object({
  AllocationID: z.string().optional(),
  Amount: z.number(),
  Date: XeroDateText.optional(),
  Invoice: z.object({ InvoiceID: z.string().min(1) }),
});

export const creditNoteStatuses = ['DRAFT', 'SUBMITTED', 'DELETED', 'AUTHORISED', 'PAID', 'VOIDED'] as const;

export const XeroCreditNote = z.object({
  CreditNoteID: z.string().min(1),
  CreditNoteNumber: z.string().optional(),
  Type: z.string(),
  Contact: XeroContactRef.optional(),
  Status: z.enum(creditNoteStatuses),
  CurrencyCode: z.string().length(3),
  LineItems: z.array(XeroLineItem).default([]),
  Total: z.number(),
  RemainingCredit: z.number().optional(),
  Allocations: z.array(XeroAllocation).default([]),
  UpdatedDateUTC: XeroDateText,
});
export type XeroCreditNote = z.infer<typeof XeroCreditNote>;

export const XeroPagination = z.object({
  page: z.number().int(),
  pageSize: z.number().int(),
  pageCount: z.number().int(),
  itemCount: z.number().int(),
});

export const XeroInvoicesPage = z.object({
  Invoices: z.array(XeroInvoice).default([]),
  pagination: XeroPagination.optional(),
});
/** GET /Invoices/{id}/OnlineInvoice: one online invoice, the page where the client sees and pays it. */
export const XeroOnlineInvoices = z.object({
  OnlineInvoices: z.array(z.object({ OnlineInvoiceUrl: z.string().optional() })).default([]),
});
export const XeroPaymentsPage = z.object({
  Payments: z.array(XeroPayment).default([]),
  pagination: XeroPagination.optional(),
});
export const XeroCreditNotesPage = z.object({
  CreditNotes: z.array(XeroCreditNote).default([]),
  pagination: XeroPagination.optional(),
});
export type XeroPagination = z.infer<typeof XeroPagination>;

/** GET https://api.xero.com/connections (xero-identity.yaml `Connection`). */
export const XeroConnection = z.object({
  id: z.string().min(1),
  tenantId: z.string().min(1),
  tenantType: z.string(),
  tenantName: z.string().nullish(),
  authEventId: z.string().optional(),
  createdDateUtc: z.string().optional(),
  updatedDateUtc: z.string().optional(),
});
export type XeroConnection = z.infer<typeof XeroConnection>;

/** The token endpoint's answer as openid-client hands it back. */
export const XeroTokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().int().nonnegative(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});

/** The Error body of a 400 (xero_accounting.yaml `Error`). */
export const XeroErrorBody = z.object({
  ErrorNumber: z.number().optional(),
  Type: z.string().optional(),
  Message: z.string().optional(),
  Elements: z
    .array(z.object({ ValidationErrors: z.array(z.object({ Message: z.string().optional() })).optional() }))
    .optional(),
});

/** 401/403 bodies are RFC 7807 problems: `{Title, Status, Detail}`. */
export const XeroProblemBody = z.object({
  Title: z.string().optional(),
  Status: z.number().optional(),
  Detail: z.string().optional(),
});
