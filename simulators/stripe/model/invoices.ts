// Customers, invoices with lines, and payments against them (on Stripe or recorded from elsewhere).
import type { StripeObject } from '../collection.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { newId } from '../ids.js';
import type { AccountData, StripeStore } from '../store.js';

export interface LineInput {
  readonly description: string;
  readonly quantity: number;
  /** Stripe minor units per item. */
  readonly unitAmount: number;
}

export interface InvoiceInput {
  readonly customer: string;
  readonly currency: string;
  readonly lines: readonly LineInput[];
  /** Unix seconds. */
  readonly dueDate?: number;
  /** Leave as a draft instead of finalizing. */
  readonly draft?: boolean;
}

export interface PaymentInput {
  readonly invoice: string;
  readonly amount: number;
  /** Report the payment as made outside Stripe (a PaymentRecord), e.g. a bank transfer. */
  readonly offStripe?: { readonly description?: string; readonly reference?: string; readonly method?: string };
}

/** Fields an `*.updated` event lists in previous_attributes. */
const snapshot = (o: StripeObject, fields: readonly string[]) =>
  Object.fromEntries(fields.map((f) => [f, structuredClone(o[f])]));

export function createCustomer(
  store: StripeStore,
  data: AccountData,
  input: { name: string; email?: string },
): StripeObject {
  const customer = data.customers.add({
    id: newId('cus', 14),
    object: 'customer',
    created: store.now(),
    currency: null,
    email: input.email ?? null,
    livemode: false,
    metadata: {},
    name: input.name,
    preferred_locales: [],
  });
  store.emit(data, 'customer.created', customer);
  return customer;
}

function lineItem(invoiceId: string, currency: string, l: LineInput, now: number): StripeObject {
  const amount = l.quantity * l.unitAmount;
  return {
    id: newId('il'),
    object: 'line_item',
    created: now,
    amount,
    currency,
    description: l.description,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: null,
    period: { start: now, end: now },
    pretax_credit_amounts: [],
    pricing: {
      type: 'price_details',
      price_details: { price: newId('price'), product: newId('prod', 14) },
      unit_amount_decimal: String(l.unitAmount),
    },
    quantity: l.quantity,
    quantity_decimal: String(l.quantity),
    subtotal: amount,
    taxes: [],
  };
}

/** Stripe embeds the first ten lines; the rest come from /v1/invoices/:id/lines. */
export const embeddedLines = 10;

export function createInvoice(store: StripeStore, data: AccountData, input: InvoiceInput): StripeObject {
  const customer = data.customers.get(input.customer);
  const now = store.now();
  const id = newId('in');
  const currency = input.currency.toLowerCase();
  const lines = input.lines.map((l) => lineItem(id, currency, l, now));
  const total = lines.reduce((sum, l) => sum + Number(l.amount), 0);
  const invoice = data.invoices.add({
    id,
    object: 'invoice',
    account_country: data.account.country,
    account_name: (data.account.settings as { dashboard: { display_name: string } }).dashboard.display_name,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    attempt_count: 0,
    attempted: false,
    auto_advance: false,
    collection_method: 'send_invoice',
    created: now,
    currency,
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name,
    description: null,
    due_date: input.dueDate ?? null,
    ending_balance: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    lines: {
      object: 'list',
      data: lines.slice(0, embeddedLines),
      has_more: lines.length > embeddedLines,
      total_count: lines.length,
      url: `/v1/invoices/${id}/lines`,
    },
    all_lines: lines,
    livemode: false,
    metadata: {},
    number: null,
    period_end: now,
    period_start: now,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    starting_balance: 0,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_taxes: [],
    webhooks_delivered_at: now,
  });
  store.emit(data, 'invoice.created', publicInvoice(invoice));
  if (!input.draft) finalizeInvoice(store, data, invoice);
  return invoice;
}

/** The invoice as the API shows it: the full line list is kept aside for /lines. */
export function publicInvoice(invoice: StripeObject): StripeObject {
  const { all_lines: _hidden, ...shown } = invoice;
  return shown as StripeObject;
}

export function allLines(invoice: StripeObject): StripeObject[] {
  return invoice.all_lines as StripeObject[];
}

function finalizeInvoice(store: StripeStore, data: AccountData, invoice: StripeObject): void {
  data.invoiceCounter += 1;
  const prefix = data.account.id.slice(-6).toUpperCase();
  invoice.number = `${prefix}-${String(data.invoiceCounter).padStart(4, '0')}`;
  invoice.status = 'open';
  invoice.ending_balance = 0;
  (invoice.status_transitions as Record<string, number | null>).finalized_at = store.now();
  invoice.invoice_pdf = `${store.baseUrl}/invoice/${data.account.id}/${invoice.id}/pdf`;
  invoice.hosted_invoice_url = `${store.baseUrl}/invoice/${data.account.id}/${invoice.id}`;
  store.emit(data, 'invoice.finalized', publicInvoice(invoice));
}

export function deleteDraftInvoice(store: StripeStore, data: AccountData, invoiceId: string): void {
  const invoice = data.invoices.get(invoiceId);
  if (invoice.status !== 'draft') throw invalidRequest('You can only delete draft invoices.', 'id');
  store.emit(data, 'invoice.deleted', publicInvoice(invoice));
  invoice.deleted = true;
}

/** Invoices are re-read by id; a deleted draft answers 404 like Stripe. */
export function liveInvoice(data: AccountData, id: string): StripeObject {
  const invoice = data.invoices.get(id);
  if (invoice.deleted) throw resourceMissing('invoice', id);
  return invoice;
}

/** Applies money to an invoice and emits what Stripe emits: invoice.updated, then invoice.paid when settled. */
export function applyToInvoice(
  store: StripeStore,
  data: AccountData,
  invoice: StripeObject,
  amount: number,
  field: 'amount_paid' | 'pre_payment_credit_notes_amount',
): void {
  const before = snapshot(invoice, [
    'amount_paid',
    'amount_remaining',
    'amount_due',
    'status',
    'pre_payment_credit_notes_amount',
  ]);
  (invoice as Record<string, number>)[field] = Number(invoice[field]) + amount;
  if (field === 'pre_payment_credit_notes_amount') invoice.amount_due = Number(invoice.amount_due) - amount;
  invoice.amount_remaining = Number(invoice.amount_remaining) - amount;
  const settled = invoice.amount_remaining === 0 && invoice.status === 'open';
  if (settled) {
    invoice.status = 'paid';
    (invoice.status_transitions as Record<string, number | null>).paid_at = store.now();
  }
  store.emit(data, 'invoice.updated', publicInvoice(invoice), before);
  if (settled) store.emit(data, 'invoice.paid', publicInvoice(invoice));
}
