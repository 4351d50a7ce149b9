// zod schemas for the Stripe objects we read (STYLE.md B2 #10). Only the fields the mappers use are
// declared; zod drops the rest. Amounts must be safe integers; currencies come back upper-cased.
import { z } from 'zod';

const amount = z.int();
const unix = z.int().nonnegative();
const currency = z
  .string()
  .regex(/^[a-z]{3}$/i, 'a three-letter currency code')
  .transform((c) => c.toUpperCase());
const metadata = z.record(z.string(), z.string()).nullable().optional();

/** A field that is an id, or the object when expanded. */
const ref = z
  .union([z.string(), z.looseObject({ id: z.string() })])
  .transform((v) => (typeof v === 'string' ? v : v.id));

/** stripe-node turns decimal_string fields into its Decimal class; webhook JSON leaves them as strings. */
const decimal = z
  .union([z.string(), z.custom<{ toFixed: unknown }>((v) => typeof v === 'object' && v !== null && 'toFixed' in v)])
  .transform((v) => String(v))
  .pipe(z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string'));

const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), has_more: z.boolean() });

export const StripeInvoiceLine = z.object({
  id: z.string(),
  amount,
  currency,
  description: z.string().nullable(),
  quantity: z.int().nullable(),
  quantity_decimal: decimal.nullable().optional(),
  pricing: z.object({ unit_amount_decimal: decimal.nullable() }).nullable().optional(),
});
export type StripeInvoiceLine = z.infer<typeof StripeInvoiceLine>;

export const invoiceStatuses = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;

export const StripeInvoice = z
  .object({
    id: z.string(),
    object: z.literal('invoice'),
    number: z.string().nullable(),
    customer: ref.nullable(),
    customer_account: z.string().nullable().optional(),
    customer_name: z.string().nullable().optional(),
    customer_email: z.string().nullable().optional(),
    currency,
    status: z.enum(invoiceStatuses).nullable(),
    total: amount,
    amount_due: amount,
    amount_paid: amount,
    amount_remaining: amount,
    created: unix,
    due_date: unix.nullable(),
    status_transitions: z.object({ finalized_at: unix.nullable() }).optional(),
    invoice_pdf: z.string().nullable().optional(),
    /** The hosted invoice page where the customer sees and pays the invoice; null until it is finalized. */
    hosted_invoice_url: z.string().nullable().optional(),
    lines: list(StripeInvoiceLine),
  })
  .refine((i) => i.customer !== null || Boolean(i.customer_account), 'an invoice needs a customer or customer_account');
export type StripeInvoice = z.infer<typeof StripeInvoice>;

export const StripePaymentRecord = z.object({
  id: z.string(),
  object: z.literal('payment_record'),
  description: z.string().nullable(),
  payment_method_details: z.object({ type: z.string() }).nullable().optional(),
  processor_details: z.object({ custom: z.object({ payment_reference: z.string().nullable() }).optional() }).optional(),
});
export type StripePaymentRecord = z.infer<typeof StripePaymentRecord>;

export const StripeInvoicePayment = z.object({
  id: z.string(),
  object: z.literal('invoice_payment'),
  amount_paid: amount.nullable(),
  amount_requested: amount,
  currency,
  created: unix,
  invoice: ref,
  status: z.enum(['open', 'paid', 'canceled']),
  payment: z.object({
    type: z.string(),
    payment_intent: ref.optional(),
    charge: ref.optional(),
    payment_record: z.union([z.string(), StripePaymentRecord]).optional(),
  }),
  status_transitions: z.object({ paid_at: unix.nullable(), canceled_at: unix.nullable() }),
});
export type StripeInvoicePayment = z.infer<typeof StripeInvoicePayment>;

export const StripeCreditNoteLine = z.object({
  id: z.string(),
  amount,
  description: z.string().nullable(),
  invoice_line_item: z.string().nullable().optional(),
});
export type StripeCreditNoteLine = z.infer<typeof StripeCreditNoteLine>;

export const StripeCreditNote = z.object({
  id: z.string(),
  object: z.literal('credit_note'),
  number: z.string(),
  customer: ref,
  invoice: ref,
  currency,
  total: amount,
  pre_payment_amount: amount,
  post_payment_amount: amount,
  status: z.enum(['issued', 'void']),
  created: unix,
  metadata,
  lines: list(StripeCreditNoteLine),
});
export type StripeCreditNote = z.infer<typeof StripeCreditNote>;

export const StripeCreditNotePreview = z.object({
  currency,
  total: amount,
  pre_payment_amount: amount,
  post_payment_amount: amount,
});
export type StripeCreditNotePreview = z.infer<typeof StripeCreditNotePreview>;

export const disputeStatuses = [
  'warning_needs_response',
  'warning_under_review',
  'warning_closed',
  'needs_response',
  'under_review',
  'won',
  'lost',
  'prevented',
  'appeal_needs_response',
  'appeal_under_review',
] as const;

/** The disputed charge, when read expanded with its dispute: who paid, how much, and when. */
export const StripeDisputedCharge = z.object({
  id: z.string(),
  object: z.literal('charge'),
  amount,
  currency,
  created: unix,
  receipt_email: z.string().nullable().optional(),
  billing_details: z
    .object({ email: z.string().nullable().optional(), name: z.string().nullable().optional() })
    .nullable()
    .optional(),
});
export type StripeDisputedCharge = z.infer<typeof StripeDisputedCharge>;

export const StripeDispute = z.object({
  id: z.string(),
  object: z.literal('dispute'),
  amount,
  currency,
  charge: z.union([z.string(), StripeDisputedCharge]),
  payment_intent: ref.nullable(),
  reason: z.string(),
  status: z.enum(disputeStatuses),
  created: unix,
  evidence_details: z.object({
    due_by: unix.nullable(),
    has_evidence: z.boolean(),
    past_due: z.boolean(),
    submission_count: z.int().nonnegative(),
  }),
});
export type StripeDispute = z.infer<typeof StripeDispute>;

export const StripeFile = z.object({ id: z.string(), object: z.literal('file'), purpose: z.string(), size: z.int() });

export const StripeAccount = z.object({
  id: z.string(),
  created: z.number().optional(),
  email: z.string().nullable().optional(),
  business_profile: z.object({ name: z.string().nullable().optional() }).nullable().optional(),
  settings: z
    .object({ dashboard: z.object({ display_name: z.string().nullable().optional() }).optional() })
    .nullable()
    .optional(),
});
export type StripeAccount = z.infer<typeof StripeAccount>;

export const StripeOAuthToken = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  stripe_user_id: z.string().min(1),
  livemode: z.boolean().optional(),
});

export const StripeEvent = z.object({
  id: z.string(),
  object: z.literal('event'),
  type: z.string(),
  created: unix,
  account: z.string().optional(),
  livemode: z.boolean().optional(),
  data: z.object({ object: z.looseObject({ id: z.string(), object: z.string() }) }),
});
export type StripeEvent = z.infer<typeof StripeEvent>;
