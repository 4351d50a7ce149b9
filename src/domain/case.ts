// The case a short payment or dispute opens. Pure data: it travels in workflow inputs and query results.
import type { ExternalRef } from './model.js';
import type { Money } from './money.js';

export type CaseKind = 'short_payment' | 'dispute' | 'both';

export const caseDocumentKinds = [
  'invoice',
  'signed_estimate',
  'sow',
  'scope_confirmation',
  'rate_confirmation',
  'delivery_receipt',
  'photo',
  'project_record',
  'other',
] as const;
export type CaseDocumentKind = (typeof caseDocumentKinds)[number];

export interface CaseDocument {
  readonly id: string;
  readonly kind: CaseDocumentKind;
  readonly name: string;
}

export interface ChargebackRef {
  /** The dispute at the card processor, in the connected account. */
  readonly dispute: ExternalRef;
  readonly chargeId: string;
  /** The processor's evidence deadline, as an ISO timestamp. */
  readonly dueBy?: string;
  /** The processor's name as the owner knows it (its label); absent on cases opened before it was carried. */
  readonly processorName?: string;
}

/** A written objection, registered by the owner or received by email. */
export interface Objection {
  readonly source: 'owner' | 'email';
  readonly invoice: ExternalRef;
  readonly receivedAt: string; // ISO timestamp
  /** Invoice lines the client named; empty when the objection is vague ("not happy with the work"). */
  readonly lineItemIds: readonly string[];
}

export interface FullAndFinalFlag {
  readonly payment: ExternalRef;
  readonly memo: string;
  readonly matched: string;
}

export interface CaseFacts {
  readonly kind: CaseKind;
  readonly invoice?: ExternalRef;
  readonly invoiceNumber?: string;
  readonly customer?: ExternalRef;
  readonly total?: Money;
  readonly paid: Money;
  /** The unpaid remainder: partial payment narrows the dispute to what is still owed. */
  readonly disputed: Money;
  readonly payments: readonly ExternalRef[];
  readonly fullAndFinal?: FullAndFinalFlag;
  readonly objection?: Objection;
  readonly chargeback?: ChargebackRef;
}

export interface DisputeCase extends CaseFacts {
  readonly key: string;
  readonly openedAt: string;
  readonly documents: readonly CaseDocument[];
}

export function combineKinds(a: CaseKind, b: CaseKind): CaseKind {
  return a === b ? a : 'both';
}

const part = (s: string) => encodeURIComponent(s);

/**
 * One case per invoice (so a short payment and a later objection share it); a chargeback that cannot be tied
 * to an invoice gets its own key. Keys double as workflow-id suffixes, hence no free text.
 */
export function caseKey(from: { invoice: ExternalRef } | { chargeback: ExternalRef }): string {
  if ('invoice' in from) {
    const { provider, accountId, id } = from.invoice;
    return `invoice/${provider}/${part(accountId)}/${part(id)}`;
  }
  const { provider, accountId, id } = from.chargeback;
  return `dispute/${provider}/${part(accountId)}/${part(id)}`;
}
