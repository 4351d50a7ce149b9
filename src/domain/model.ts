// Provider-neutral model shared by connectors, activities, workflows and the web app.
// Pure types only: safe to import from workflow code.
import type { Money } from './money.js';

export const providerKeys = ['quickbooks', 'xero', 'stripe'] as const;
export type ProviderKey = (typeof providerKeys)[number];

/** A record's identity at its provider, scoped to one connection (realm, tenant or Stripe account). */
export interface ExternalRef {
  readonly provider: ProviderKey;
  /** realmId (QuickBooks), tenantId (Xero) or account id (Stripe). */
  readonly accountId: string;
  readonly id: string;
}

export interface Customer {
  readonly ref: ExternalRef;
  readonly name: string;
  readonly email?: string;
  /** BCP 47 locale used to format dates and amounts in letters to this customer. */
  readonly locale?: string;
}

export interface InvoiceLine {
  readonly id: string;
  readonly description: string;
  /** Decimal string as the provider sent it (quantities may be fractional hours). */
  readonly quantity: string;
  readonly unitPrice: Money;
  readonly amount: Money;
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'deleted';

export interface Invoice {
  readonly ref: ExternalRef;
  readonly number: string;
  readonly customer: Pick<Customer, 'ref' | 'name' | 'email' | 'locale'>;
  readonly currency: string;
  readonly lines: readonly InvoiceLine[];
  readonly total: Money;
  readonly balance: Money;
  readonly issueDate: string; // YYYY-MM-DD
  readonly dueDate?: string; // YYYY-MM-DD
  readonly status: InvoiceStatus;
  readonly updatedAt: string; // ISO timestamp
  /** Set when the provider marks the invoice as a deposit or part of an agreed payment plan. */
  readonly isDeposit?: boolean;
  readonly onPaymentPlan?: boolean;
}

export interface PaymentApplication {
  readonly invoice: ExternalRef;
  readonly amount: Money;
  /**
   * Set when a credit note, not money, paid this part (QuickBooks records an applied credit memo as a Payment
   * linking both). Such an application is a credit: it never counts as paid.
   */
  readonly creditNoteId?: string;
}

export interface Payment {
  readonly ref: ExternalRef;
  readonly customer?: ExternalRef;
  readonly amount: Money;
  readonly date: string; // YYYY-MM-DD
  readonly method?: string;
  /** Payer or bookkeeper text: QuickBooks PrivateNote, Xero Reference, bank transfer reference. */
  readonly memo?: string;
  readonly reference?: string;
  readonly applications: readonly PaymentApplication[];
  readonly status: 'applied' | 'voided' | 'deleted';
  readonly updatedAt: string;
}

export interface CreditNoteLine {
  readonly invoiceLineId?: string;
  readonly description: string;
  readonly amount: Money;
}

export interface CreditNote {
  readonly ref: ExternalRef;
  readonly number?: string;
  readonly customer?: ExternalRef;
  readonly lines: readonly CreditNoteLine[];
  readonly total: Money;
  readonly allocations: readonly PaymentApplication[];
  readonly status: 'open' | 'applied' | 'void' | 'deleted';
  readonly updatedAt: string;
}

export type DisputeStatus =
  | 'warning_needs_response'
  | 'warning_under_review'
  | 'warning_closed'
  | 'needs_response'
  | 'under_review'
  | 'won'
  | 'lost'
  | 'prevented'
  | 'appeal_needs_response'
  | 'appeal_under_review';

/**
 * What Stripe knows of the card charge a chargeback takes back: how a QuickBooks or Xero payment taken by card
 * through Stripe (a payment link, a card terminal) is recognised, since Stripe holds no invoice for it.
 */
export interface DisputedCharge {
  readonly amount: Money;
  /** The day the charge was made (YYYY-MM-DD, UTC). */
  readonly date: string;
  readonly customerEmail?: string;
  readonly customerName?: string;
}

export interface ChargeDispute {
  readonly ref: ExternalRef;
  readonly chargeId: string;
  /** The charge itself, when it was read with the dispute. */
  readonly charge?: DisputedCharge;
  readonly paymentIntentId?: string;
  readonly invoice?: ExternalRef;
  readonly amount: Money;
  readonly reason: string;
  readonly status: DisputeStatus;
  /** Stripe evidence_details.due_by as an ISO timestamp. */
  readonly dueBy?: string;
  readonly createdAt: string;
}
