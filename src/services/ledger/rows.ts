// Canonical model <-> table rows. Money is stored as minor units plus currency; refs are rebuilt from the scope.
import type { chargeDisputes, creditNotes, invoices, payments } from '../db/schema.js';
import type {
  ChargeDispute,
  CreditNote,
  DisputeStatus,
  Invoice,
  InvoiceLine,
  InvoiceStatus,
  Payment,
  PaymentApplication,
} from '../../domain/model.js';
import type { LedgerScope } from '../../domain/case-actions.js';

export type InvoiceRow = typeof invoices.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type CreditNoteRow = typeof creditNotes.$inferSelect;
export type DisputeRow = typeof chargeDisputes.$inferSelect;

/** Stored shape of payment applications and credit-note allocations. */
export interface StoredApplication {
  readonly invoiceId: string;
  readonly minor: number;
  readonly currency: string;
  /** The credit note that paid this part, when it was credit rather than money. */
  readonly creditNoteId?: string;
}

const ref = (s: LedgerScope, id: string) => ({ provider: s.provider, accountId: s.accountId, id });
const storeApplications = (list: readonly PaymentApplication[]): StoredApplication[] =>
  list.map((a) => ({
    invoiceId: a.invoice.id,
    minor: a.amount.minor,
    currency: a.amount.currency,
    ...(a.creditNoteId && { creditNoteId: a.creditNoteId }),
  }));
const readApplications = (s: LedgerScope, list: unknown): PaymentApplication[] =>
  (list as StoredApplication[]).map((a) => ({
    invoice: ref(s, a.invoiceId),
    amount: { minor: a.minor, currency: a.currency },
    ...(a.creditNoteId && { creditNoteId: a.creditNoteId }),
  }));

export const invoiceRow = (connectionId: string, i: Invoice, syncedAt: Date) => ({
  connectionId,
  externalId: i.ref.id,
  number: i.number,
  customerId: i.customer.ref.id,
  customerName: i.customer.name,
  customerEmail: i.customer.email ?? null,
  customerLocale: i.customer.locale ?? null,
  currency: i.currency,
  totalMinor: i.total.minor,
  balanceMinor: i.balance.minor,
  issueDate: i.issueDate,
  dueDate: i.dueDate || null,
  status: i.status,
  lines: i.lines,
  isDeposit: i.isDeposit ?? false,
  onPaymentPlan: i.onPaymentPlan ?? false,
  providerUpdatedAt: new Date(i.updatedAt),
  syncedAt,
});

export function toInvoice(s: LedgerScope, r: InvoiceRow): Invoice {
  return {
    ref: ref(s, r.externalId),
    number: r.number,
    currency: r.currency,
    lines: r.lines as InvoiceLine[],
    customer: {
      ref: ref(s, r.customerId),
      name: r.customerName,
      email: r.customerEmail ?? undefined,
      locale: r.customerLocale ?? undefined,
    },
    total: { minor: r.totalMinor, currency: r.currency },
    balance: { minor: r.balanceMinor, currency: r.currency },
    issueDate: r.issueDate,
    dueDate: r.dueDate ?? undefined,
    status: r.status as InvoiceStatus,
    updatedAt: r.providerUpdatedAt.toISOString(),
    isDeposit: r.isDeposit,
    onPaymentPlan: r.onPaymentPlan,
  };
}

export const paymentRow = (connectionId: string, p: Payment, syncedAt: Date) => ({
  connectionId,
  externalId: p.ref.id,
  customerId: p.customer?.id ?? null,
  currency: p.amount.currency,
  amountMinor: p.amount.minor,
  paidOn: p.date,
  method: p.method ?? null,
  memo: p.memo ?? null,
  reference: p.reference ?? null,
  applications: storeApplications(p.applications),
  status: p.status,
  providerUpdatedAt: new Date(p.updatedAt),
  syncedAt,
});

export function toPayment(s: LedgerScope, r: PaymentRow): Payment {
  return {
    ref: ref(s, r.externalId),
    customer: r.customerId ? ref(s, r.customerId) : undefined,
    amount: { minor: r.amountMinor, currency: r.currency },
    date: r.paidOn,
    method: r.method ?? undefined,
    memo: r.memo ?? undefined,
    reference: r.reference ?? undefined,
    applications: readApplications(s, r.applications),
    status: r.status as Payment['status'],
    updatedAt: r.providerUpdatedAt.toISOString(),
  };
}

export const creditNoteRow = (connectionId: string, c: CreditNote, syncedAt: Date) => ({
  connectionId,
  externalId: c.ref.id,
  number: c.number ?? null,
  customerId: c.customer?.id ?? null,
  currency: c.total.currency,
  totalMinor: c.total.minor,
  lines: c.lines,
  allocations: storeApplications(c.allocations),
  status: c.status,
  providerUpdatedAt: new Date(c.updatedAt),
  syncedAt,
});

export function toCreditNote(s: LedgerScope, r: CreditNoteRow): CreditNote {
  return {
    ref: ref(s, r.externalId),
    number: r.number ?? undefined,
    customer: r.customerId ? ref(s, r.customerId) : undefined,
    lines: r.lines as CreditNote['lines'],
    total: { minor: r.totalMinor, currency: r.currency },
    allocations: readApplications(s, r.allocations),
    status: r.status as CreditNote['status'],
    updatedAt: r.providerUpdatedAt.toISOString(),
  };
}

export const disputeRow = (connectionId: string, d: ChargeDispute, syncedAt: Date) => ({
  connectionId,
  externalId: d.ref.id,
  chargeId: d.chargeId,
  paymentIntentId: d.paymentIntentId ?? null,
  invoiceId: d.invoice?.id ?? null,
  currency: d.amount.currency,
  amountMinor: d.amount.minor,
  reason: d.reason,
  status: d.status,
  dueBy: d.dueBy ? new Date(d.dueBy) : null,
  providerCreatedAt: new Date(d.createdAt),
  syncedAt,
  chargeAmountMinor: d.charge?.amount.minor ?? null,
  chargedOn: d.charge?.date ?? null,
  chargeEmail: d.charge?.customerEmail ?? null,
  chargeName: d.charge?.customerName ?? null,
});

export function toDispute(s: LedgerScope, r: DisputeRow): ChargeDispute {
  return {
    ref: ref(s, r.externalId),
    chargeId: r.chargeId,
    paymentIntentId: r.paymentIntentId ?? undefined,
    invoice: r.invoiceId ? ref(s, r.invoiceId) : undefined,
    amount: { minor: r.amountMinor, currency: r.currency },
    reason: r.reason,
    status: r.status as DisputeStatus,
    dueBy: r.dueBy?.toISOString(),
    createdAt: (r.providerCreatedAt ?? r.syncedAt).toISOString(),
    ...(r.chargeAmountMinor !== null &&
      r.chargedOn !== null && {
        charge: {
          amount: { minor: r.chargeAmountMinor, currency: r.currency },
          date: r.chargedOn,
          ...(r.chargeEmail && { customerEmail: r.chargeEmail }),
          ...(r.chargeName && { customerName: r.chargeName }),
        },
      }),
  };
}
