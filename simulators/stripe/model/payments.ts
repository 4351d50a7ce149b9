// Paying an invoice: a PaymentIntent + Charge on Stripe, or a PaymentRecord for money received elsewhere,
// linked to the invoice by an InvoicePayment (several per invoice since API 2025-03-31).
import type { StripeObject } from '../collection.js';
import { invalidRequest } from '../errors.js';
import { newId } from '../ids.js';
import type { AccountData, StripeStore } from '../store.js';
import { applyToInvoice, liveInvoice, type PaymentInput } from './invoices.js';

export interface CardChargeInput {
  readonly amount: number;
  readonly currency: string;
  readonly customer?: string | null;
  /** The card's billing details, as Checkout or a payment link collects them. */
  readonly email?: string | null;
  readonly name?: string | null;
  /** Unix seconds; now by default. */
  readonly created?: number;
}

/** A succeeded card payment: a PaymentIntent and its Charge. */
export function cardCharge(
  store: StripeStore,
  data: AccountData,
  input: CardChargeInput,
): { paymentIntent: string; charge: string } {
  const created = input.created ?? store.now();
  const { amount, currency } = input;
  const customer = input.customer ?? null;
  const paymentIntent = newId('pi');
  const charge = newId('ch');
  data.paymentIntents.add({
    id: paymentIntent,
    object: 'payment_intent',
    created,
    amount,
    amount_received: amount,
    currency,
    customer,
    latest_charge: charge,
    livemode: false,
    metadata: {},
    status: 'succeeded',
  });
  data.charges.add({
    id: charge,
    object: 'charge',
    created,
    amount,
    amount_captured: amount,
    amount_refunded: 0,
    currency,
    customer,
    disputed: false,
    livemode: false,
    metadata: {},
    paid: true,
    payment_intent: paymentIntent,
    status: 'succeeded',
    receipt_email: input.email ?? null,
    billing_details: { address: null, email: input.email ?? null, name: input.name ?? null, phone: null, tax_id: null },
  });
  return { paymentIntent, charge };
}

function onStripe(
  store: StripeStore,
  data: AccountData,
  invoice: StripeObject,
  amount: number,
): Record<string, string> {
  const { paymentIntent } = cardCharge(store, data, {
    amount,
    currency: String(invoice.currency),
    customer: invoice.customer as string | null,
    email: invoice.customer_email as string | null,
    name: invoice.customer_name as string | null,
  });
  return { type: 'payment_intent', payment_intent: paymentIntent };
}

function offStripe(
  store: StripeStore,
  data: AccountData,
  invoice: StripeObject,
  amount: number,
  off: NonNullable<PaymentInput['offStripe']>,
): Record<string, string> {
  const now = store.now();
  const value = { currency: invoice.currency, value: amount };
  const zero = { currency: invoice.currency, value: 0 };
  const record = data.paymentRecords.add({
    id: newId('pr'),
    object: 'payment_record',
    created: now,
    amount: value,
    amount_authorized: value,
    amount_canceled: zero,
    amount_failed: zero,
    amount_guaranteed: value,
    amount_refunded: zero,
    amount_requested: value,
    application: null,
    customer_details: {
      customer: invoice.customer,
      email: invoice.customer_email,
      name: invoice.customer_name,
      phone: null,
    },
    customer_presence: 'off_session',
    description: off.description ?? null,
    latest_payment_attempt_record: newId('par'),
    livemode: false,
    metadata: {},
    payment_method_details: { billing_details: null, payment_method: null, type: off.method ?? 'custom' },
    processor_details: { type: 'custom', custom: { payment_reference: off.reference ?? null } },
    reported_by: 'self',
    shipping_details: null,
  });
  return { type: 'payment_record', payment_record: record.id };
}

export function payInvoice(store: StripeStore, data: AccountData, input: PaymentInput): StripeObject {
  const invoice = liveInvoice(data, input.invoice);
  if (invoice.status !== 'open')
    throw invalidRequest(
      `Invoice ${invoice.id} is ${String(invoice.status)}; only open invoices take payments.`,
      'invoice',
    );
  if (!(input.amount > 0) || input.amount > Number(invoice.amount_remaining)) {
    throw invalidRequest(`Amount must be between 1 and the ${String(invoice.amount_remaining)} still due.`, 'amount');
  }
  const payment = input.offStripe
    ? offStripe(store, data, invoice, input.amount, input.offStripe)
    : onStripe(store, data, invoice, input.amount);
  const now = store.now();
  const invoicePayment = data.invoicePayments.add({
    id: newId('inpay'),
    object: 'invoice_payment',
    amount_paid: input.amount,
    amount_requested: input.amount,
    created: now,
    currency: invoice.currency,
    invoice: invoice.id,
    // The invoice's first payment (every payment adds to amount_paid), known without a scan of every payment.
    is_default: Number(invoice.amount_paid) === 0,
    livemode: false,
    payment,
    status: 'paid',
    status_transitions: { canceled_at: null, paid_at: now },
  });
  store.emit(data, 'invoice_payment.paid', invoicePayment);
  applyToInvoice(store, data, invoice, input.amount, 'amount_paid');
  return invoicePayment;
}
