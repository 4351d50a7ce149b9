// What the invoices page and the arrangement page expect (see ../views.ts).
import type { OpenInvoice } from './arrangements.js';

export interface InvoicesPage {
  readonly rows: readonly (OpenInvoice & { readonly href: string })[];
  /** More invoices are owed than the page shows. */
  readonly more: boolean;
  readonly limit: number;
  readonly notice?: string | undefined;
}

export interface ArrangementPage {
  readonly inv: OpenInvoice;
  readonly action: string;
  /** The kind ticked: what was typed, else the arrangement on record. */
  readonly kind: string;
  readonly rows: readonly { readonly dueOn: string; readonly amount: string }[];
  readonly errors: readonly string[];
}
