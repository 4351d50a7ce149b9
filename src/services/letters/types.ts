import type { CaseDocument, CaseKind } from '../../domain/case.js';
import type { Money } from '../../domain/money.js';

export type LetterKind =
  | 'partial_payment_receipt'
  | 'first_response'
  | 'vague_objection_reply'
  | 'line_item_response'
  | 'final_notice'
  | 'owner_alert';

export interface Attachment {
  readonly documentId: string;
  readonly name: string;
}

export interface Draft {
  readonly kind: LetterKind;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly Attachment[];
}

export interface Organisation {
  readonly name: string;
  /** Sign-off lines, e.g. "Sam Lee\nOwner". */
  readonly signature: string;
  /** IANA zone deadlines are stated in. */
  readonly zone: string;
  readonly locale?: string;
}

export interface InvoiceSummary {
  readonly number: string;
  readonly total: Money;
  readonly issueDate: string; // YYYY-MM-DD
  readonly lines: readonly { readonly id: string; readonly description: string; readonly amount: Money }[];
}

export interface PaymentSummary {
  readonly amount: Money;
  readonly date: string; // YYYY-MM-DD
  /** The payer's memo, quoted back when it claimed full and final settlement. */
  readonly memo?: string;
}

export interface LetterFacts {
  readonly org: Organisation;
  readonly customer: { readonly name: string; readonly email?: string; readonly locale?: string };
  readonly invoice: InvoiceSummary;
  readonly payments: readonly PaymentSummary[];
  /** Unpaid remainder after payments and credits. */
  readonly balance: Money;
  readonly documents: readonly CaseDocument[];
  /** Credit notes applied to the invoice, named by the ledger's own numbers: never shown as payments. */
  readonly credits?: readonly {
    readonly number: string;
    readonly amount: Money;
    /** When the ledger dated it (ISO); absent where the caller does not know. */
    readonly at?: string;
  }[];
  /** Client messages received since the last letter, acknowledged at its start. */
  readonly replies?: readonly { readonly at: string; readonly subject: string }[];
  /** The provider's own page where the client pays this invoice; letters asking for a balance name it. */
  readonly payOnline?: string;
}

export type { CaseDocument, CaseKind };
