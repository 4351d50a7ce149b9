// Raw QuickBooks Online payloads (field names from Finance.xsd). Only the fields Shortfall reads are declared;
// zod drops the rest, so a field Intuit adds later cannot break parsing.
import { z } from 'zod';

// QBO stamps times in the company's time zone, with an offset ("2026-05-01T09:30:00-07:00").
const Timestamp = z.iso.datetime({ offset: true });
const Day = z.iso.date();

export const QboRef = z.object({ value: z.string(), name: z.string().optional() });

const MetaData = z.object({ CreateTime: Timestamp.optional(), LastUpdatedTime: Timestamp });

export const QboLinkedTxn = z.object({ TxnId: z.string(), TxnType: z.string(), TxnLineId: z.string().optional() });

const SalesItemLineDetail = z.object({
  ItemRef: QboRef.optional(),
  Qty: z.number().optional(),
  UnitPrice: z.number().optional(),
  TaxCodeRef: QboRef.optional(),
  /** The date the line's service was performed or its goods delivered (Intuit: "Date when the service is performed"). */
  ServiceDate: Day.optional(),
});

export const QboLine = z.object({
  Id: z.string().optional(),
  Description: z.string().optional(),
  Amount: z.number(),
  DetailType: z.string().optional(),
  SalesItemLineDetail: SalesItemLineDetail.optional(),
  LinkedTxn: z.array(QboLinkedTxn).optional(),
});

const Entity = z.object({
  Id: z.string(),
  SyncToken: z.string(),
  MetaData,
  /** IntuitEntity's `status` attribute: "Deleted", "Voided", "Draft", "Pending", … */
  status: z.string().optional(),
});

const SalesTransaction = Entity.extend({
  DocNumber: z.string().optional(),
  TxnDate: Day,
  CustomerRef: QboRef,
  CurrencyRef: QboRef,
  Line: z.array(QboLine).default([]),
  TotalAmt: z.number(),
  PrivateNote: z.string().optional(),
  LinkedTxn: z.array(QboLinkedTxn).optional(),
  /** TaxExcluded (line amounts before tax), TaxInclusive, NotApplicable; non-US companies only. */
  GlobalTaxCalculation: z.string().optional(),
});

export const QboInvoice = SalesTransaction.extend({
  DueDate: Day.optional(),
  Balance: z.number(),
  BillEmail: z.object({ Address: z.string().optional() }).optional(),
  /** The client's payment page; present only when read with `?include=invoiceLink` (FACTS.md, payment links). */
  InvoiceLink: z.string().optional(),
});

export const QboCreditMemo = SalesTransaction.extend({
  Balance: z.number().optional(),
  RemainingCredit: z.number().optional(),
});

export const QboPayment = Entity.extend({
  TxnDate: Day,
  CustomerRef: QboRef,
  CurrencyRef: QboRef,
  TotalAmt: z.number(),
  UnappliedAmt: z.number().optional(),
  PrivateNote: z.string().optional(),
  PaymentRefNum: z.string().optional(),
  PaymentMethodRef: QboRef.optional(),
  Line: z.array(QboLine).default([]),
});

/** What CDC returns for a deleted object: the id, the time, and nothing else. */
export const QboDeleted = z.object({
  Id: z.string(),
  status: z.literal('Deleted'),
  MetaData: z.object({ LastUpdatedTime: Timestamp }),
});

export const QboPreferences = z.object({
  SalesFormsPrefs: z.object({ AutoApplyCredit: z.boolean().optional() }).optional(),
  /** UsingSalesTax: the company charges sales tax / VAT / GST; PartnerTaxEnabled: a tax partner (AST, VAT) computes it. */
  TaxPrefs: z.object({ UsingSalesTax: z.boolean().optional(), PartnerTaxEnabled: z.boolean().optional() }).optional(),
});

/** The company's country decides the tax regime: outside the US every sales line needs a TaxCodeRef. */
export const QboCompanyInfo = z.object({
  Country: z.string().optional(),
  /** The name the owner knows the company by; a connection is named after it (the realm id is not a name). */
  CompanyName: z.string().optional(),
});

export const QboQueryResponse = z.object({ QueryResponse: z.record(z.string(), z.unknown()), time: Timestamp });

export const QboCdcResponse = z.object({
  CDCResponse: z.array(z.object({ QueryResponse: z.array(z.record(z.string(), z.unknown())).default([]) })),
  time: Timestamp,
});

export const QboTokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive(),
  x_refresh_token_expires_in: z.number().positive().optional(),
  x_refresh_token_hard_expires_in: z.number().positive().optional(),
});

export type QboRef = z.infer<typeof QboRef>;
export type QboInvoice = z.infer<typeof QboInvoice>;
export type QboCreditMemo = z.infer<typeof QboCreditMemo>;
export type QboPayment = z.infer<typeof QboPayment>;
export type QboDeleted = z.infer<typeof QboDeleted>;
export type QboLine = z.infer<typeof QboLine>;
export type QboTokenResponse = z.infer<typeof QboTokenResponse>;
export type QboCdcResponse = z.infer<typeof QboCdcResponse>;
