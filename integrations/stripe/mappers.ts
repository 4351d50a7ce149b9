// Raw Stripe objects → canonical model. Pure: the caller supplies the account and the time of reading.
import type {
  ChargeDispute,
  CreditNote,
  DisputedCharge,
  ExternalRef,
  Invoice,
  InvoiceLine,
  InvoiceStatus,
  Payment,
} from '../../src/domain/model.js';
import { fromStripeAmount, fromStripeDecimalAmount } from './currency.js';
import type {
  StripeCreditNote,
  StripeCreditNoteLine,
  StripeDispute,
  StripeDisputedCharge,
  StripeInvoice,
  StripeInvoiceLine,
  StripeInvoicePayment,
  StripePaymentRecord,
} from './schemas.js';

export interface MapContext {
  readonly accountId: string;
  /**
   * Stripe objects carry no "updated" timestamp. We always map what we just read, so the read time is
   * when this state was known to be current.
   */
  readonly observedAt: string;
}

const ref = (ctx: MapContext, id: string): ExternalRef => ({ provider: 'stripe', accountId: ctx.accountId, id });
const isoDate = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
const isoTime = (unix: number) => new Date(unix * 1000).toISOString();

const invoiceStatus: Record<NonNullable<StripeInvoice['status']>, InvoiceStatus> = {
  draft: 'draft',
  open: 'open',
  paid: 'paid',
  // Written off at Stripe, but the customer still owes it and can still pay it.
  uncollectible: 'open',
  void: 'void',
};

function toInvoiceLine(line: StripeInvoiceLine): InvoiceLine {
  const quantity = line.quantity_decimal ?? String(line.quantity ?? 1);
  const unit = line.pricing?.unit_amount_decimal;
  const amount = fromStripeAmount(line.amount, line.currency);
  return {
    id: line.id,
    description: line.description ?? '',
    quantity,
    unitPrice: unit ? fromStripeDecimalAmount(unit, line.currency) : amount,
    amount,
  };
}

/** `lines` overrides the embedded first page when the caller fetched the complete list. */
export function toInvoice(
  raw: StripeInvoice,
  ctx: MapContext,
  lines: readonly StripeInvoiceLine[] = raw.lines.data,
): Invoice {
  const customerId = raw.customer ?? raw.customer_account;
  if (!customerId) throw new TypeError(`Stripe invoice ${raw.id} has neither customer nor customer_account`);
  return {
    ref: ref(ctx, raw.id),
    number: raw.number ?? raw.id,
    customer: {
      ref: ref(ctx, customerId),
      name: raw.customer_name ?? raw.customer_email ?? customerId,
      ...(raw.customer_email && { email: raw.customer_email }),
    },
    currency: raw.currency,
    lines: lines.map(toInvoiceLine),
    total: fromStripeAmount(raw.total, raw.currency),
    balance: fromStripeAmount(raw.amount_remaining, raw.currency),
    issueDate: isoDate(raw.status_transitions?.finalized_at ?? raw.created),
    ...(raw.due_date !== null && { dueDate: isoDate(raw.due_date) }),
    status: raw.status === null ? 'draft' : invoiceStatus[raw.status],
    updatedAt: ctx.observedAt,
  };
}

function paymentRecordOf(raw: StripeInvoicePayment): StripePaymentRecord | undefined {
  const record = raw.payment.payment_record;
  return typeof record === 'object' ? record : undefined;
}

function methodOf(raw: StripeInvoicePayment, record: StripePaymentRecord | undefined): string {
  if (raw.payment.type !== 'payment_record') return 'stripe';
  return record?.payment_method_details?.type ?? 'off_stripe';
}

function referenceOf(raw: StripeInvoicePayment, record: StripePaymentRecord | undefined): string | undefined {
  const p = raw.payment;
  return (
    record?.processor_details?.custom?.payment_reference ??
    p.payment_intent ??
    p.charge ??
    record?.id ??
    (typeof p.payment_record === 'string' ? p.payment_record : undefined)
  );
}

/** Only a paid InvoicePayment moved money; open ones are requests and canceled ones never settled. */
export function toPayment(raw: StripeInvoicePayment, ctx: MapContext): Payment | null {
  if (raw.status !== 'paid' || raw.amount_paid === null) return null;
  const record = paymentRecordOf(raw);
  const amount = fromStripeAmount(raw.amount_paid, raw.currency);
  const reference = referenceOf(raw, record);
  return {
    ref: ref(ctx, raw.id),
    amount,
    date: isoDate(raw.status_transitions.paid_at ?? raw.created),
    method: methodOf(raw, record),
    ...(record?.description && { memo: record.description }),
    ...(reference && { reference }),
    applications: [{ invoice: ref(ctx, raw.invoice), amount }],
    status: 'applied',
    updatedAt: ctx.observedAt,
  };
}

export function toCreditNote(
  raw: StripeCreditNote,
  ctx: MapContext,
  lines: readonly StripeCreditNoteLine[] = raw.lines.data,
): CreditNote {
  const money = (n: number) => fromStripeAmount(n, raw.currency);
  return {
    ref: ref(ctx, raw.id),
    number: raw.number,
    customer: ref(ctx, raw.customer),
    lines: lines.map((l) => ({
      ...(l.invoice_line_item && { invoiceLineId: l.invoice_line_item }),
      description: l.description ?? '',
      amount: money(l.amount),
    })),
    total: money(raw.total),
    // Only the pre-payment part lowers what the invoice still asks for; the rest was refunded or credited.
    allocations:
      raw.pre_payment_amount > 0 ? [{ invoice: ref(ctx, raw.invoice), amount: money(raw.pre_payment_amount) }] : [],
    status: raw.status === 'void' ? 'void' : 'applied',
    updatedAt: ctx.observedAt,
  };
}

/** Who paid, read from the charge: the card's billing details, else the address the receipt went to. */
function toDisputedCharge(c: StripeDisputedCharge): DisputedCharge {
  const email = c.billing_details?.email ?? c.receipt_email ?? undefined;
  const name = c.billing_details?.name ?? undefined;
  return {
    amount: fromStripeAmount(c.amount, c.currency),
    date: isoDate(c.created),
    ...(email && { customerEmail: email }),
    ...(name && { customerName: name }),
  };
}

/** `invoiceId` comes from the InvoicePayment that paid with the disputed PaymentIntent, when there is one. */
export function toChargeDispute(raw: StripeDispute, ctx: MapContext, invoiceId?: string): ChargeDispute {
  const dueBy = raw.evidence_details.due_by;
  const charge = typeof raw.charge === 'string' ? undefined : raw.charge;
  return {
    ref: ref(ctx, raw.id),
    chargeId: typeof raw.charge === 'string' ? raw.charge : raw.charge.id,
    ...(charge && { charge: toDisputedCharge(charge) }),
    ...(raw.payment_intent && { paymentIntentId: raw.payment_intent }),
    ...(invoiceId && { invoice: ref(ctx, invoiceId) }),
    amount: fromStripeAmount(raw.amount, raw.currency),
    reason: raw.reason,
    status: raw.status,
    // 0 means the issuer accepts no response: there is no deadline to meet, not one in 1970.
    ...(dueBy && { dueBy: isoTime(dueBy) }),
    createdAt: isoTime(raw.created),
  };
}
