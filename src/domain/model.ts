// Provider-neutral model shared by connectors, activities, workflows and the web app.
// Pure types only: safe to import from workflow code.
import type { Money } from './money.js';

/**
 * A provider's key (its connections, records and webhooks carry it). The domain never enumerates providers nor
 * branches on one: the list, and what each provider can do, is integrations/registry.ts.
 */
export type ProviderKey = string;

/** A record's identity at its provider, scoped to one connection (a ledger's company or tenant, a processor's account). */
export interface ExternalRef {
  readonly provider: ProviderKey;
  /** The provider's id for the company, tenant or account the connection reaches. */
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
  /** The day the line's service was provided or its goods delivered (YYYY-MM-DD), when the ledger records one. */
  readonly serviceDate?: string;
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
   * Set when a credit note, not money, paid this part (some ledgers record an applied credit memo as a payment
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
  /** Payer or bookkeeper text: the ledger's private note or reference, a bank transfer reference. */
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
 * The statuses of a chargeback the card network has not decided yet (the rest, won, lost, warning_closed and
 * prevented, are final): only while it is in one of these does the processor's evidence deadline mean anything.
 */
export const openDisputeStatuses: readonly DisputeStatus[] = [
  'warning_needs_response',
  'warning_under_review',
  'needs_response',
  'under_review',
  'appeal_needs_response',
  'appeal_under_review',
];

/**
 * What the card processor knows of the charge a chargeback takes back: how a ledger payment taken by card through
 * the processor (a payment link, a card terminal) is recognised, since the processor holds no invoice for it.
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
  /** The processor's evidence deadline, as an ISO timestamp. */
  readonly dueBy?: string;
  readonly createdAt: string;
}
