// Credit notes: the pre-payment part lowers what the invoice still asks for; anything beyond it is a
// post-payment amount that must be refunded, credited to the customer balance or marked out of band.
import { z } from 'zod';
import type { StripeObject } from '../collection.js';
import { invalidParam, invalidRequest, parseParams } from '../errors.js';
import { newId } from '../ids.js';
import { expand, int, metadata, positiveInt } from '../params.js';
import type { AccountData, StripeStore } from '../store.js';
import { allLines, applyToInvoice, liveInvoice } from './invoices.js';

const LineParam = z.strictObject({
  type: z.enum(['invoice_line_item', 'custom_line_item']),
  invoice_line_item: z.string().optional(),
  amount: positiveInt.optional(),
  description: z.string().optional(),
  quantity: positiveInt.optional(),
  unit_amount: positiveInt.optional(),
});

export const CreditNoteParams = z.strictObject({
  invoice: z.string(),
  lines: z.array(LineParam).optional(),
  amount: positiveInt.optional(),
  memo: z.string().optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory']).optional(),
  metadata,
  credit_amount: int.optional(),
  refund_amount: int.optional(),
  out_of_band_amount: int.optional(),
  expand,
});
export type CreditNoteParams = z.infer<typeof CreditNoteParams>;

interface DraftLine {
  readonly type: string;
  readonly amount: number;
  readonly description: string;
  readonly invoiceLineItem?: string;
  readonly quantity: number;
  readonly unitAmount: number;
}

function creditedOnLine(data: AccountData, lineId: string): number {
  return data.creditNotes
    .all()
    .filter((n) => n.status === 'issued')
    .flatMap((n) => (n.lines as { data: StripeObject[] }).data)
    .filter((l) => l.invoice_line_item === lineId)
    .reduce((sum, l) => sum + Number(l.amount), 0);
}

function draftLine(data: AccountData, invoice: StripeObject, p: z.infer<typeof LineParam>, i: number): DraftLine {
  if (p.type === 'custom_line_item') {
    if (!p.description)
      throw invalidParam(`lines[${i}][description]`, 'Missing required param: description.', 'parameter_missing');
    if (!p.unit_amount)
      throw invalidParam(`lines[${i}][unit_amount]`, 'Missing required param: unit_amount.', 'parameter_missing');
    const quantity = p.quantity ?? 1;
    return {
      type: p.type,
      amount: quantity * p.unit_amount,
      description: p.description,
      quantity,
      unitAmount: p.unit_amount,
    };
  }
  const line = allLines(invoice).find((l) => l.id === p.invoice_line_item);
  if (!line)
    throw invalidParam(
      `lines[${i}][invoice_line_item]`,
      `No such invoice line item: '${p.invoice_line_item ?? ''}' on invoice ${invoice.id}`,
    );
  const amount = p.amount ?? Number(line.amount);
  const left = Number(line.amount) - creditedOnLine(data, line.id);
  if (amount > left)
    throw invalidParam(
      `lines[${i}][amount]`,
      `The amount to credit (${amount}) is more than the ${left} left on invoice line item ${line.id}.`,
    );
  return {
    type: p.type,
    amount,
    description: String(line.description),
    invoiceLineItem: line.id,
    quantity: 1,
    unitAmount: amount,
  };
}

function draftLines(data: AccountData, invoice: StripeObject, p: CreditNoteParams): DraftLine[] {
  if (p.lines?.length) return p.lines.map((l, i) => draftLine(data, invoice, l, i));
  if (p.amount)
    return [{ type: 'custom_line_item', amount: p.amount, description: 'Credit', quantity: 1, unitAmount: p.amount }];
  throw invalidRequest('You must pass either `amount` or `lines` when creating a credit note.', 'lines');
}

/** The credit note Stripe would issue, without issuing it. */
export function buildCreditNote(
  store: StripeStore,
  data: AccountData,
  raw: unknown,
): { note: StripeObject; invoice: StripeObject } {
  const p = parseParams(CreditNoteParams, raw);
  const invoice = liveInvoice(data, p.invoice);
  if (invoice.status !== 'open' && invoice.status !== 'paid') {
    throw invalidRequest(
      `You can only create a credit note for an open or paid invoice; ${invoice.id} is ${String(invoice.status)}.`,
      'invoice',
    );
  }
  const lines = draftLines(data, invoice, p);
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  const pre = Math.min(total, Number(invoice.amount_remaining));
  const post = total - pre;
  const settled = { credit: p.credit_amount ?? 0, refund: p.refund_amount ?? 0, outOfBand: p.out_of_band_amount ?? 0 };
  const named = settled.credit + settled.refund + settled.outOfBand;
  if (named > 0 && named !== post) {
    throw invalidRequest(
      `The sum of credit_amount, refund_amount and out_of_band_amount (${named}) must equal the credit note's post-payment amount (${post}).`,
    );
  }
  // Assumed default when none is named: the excess goes to the customer's credit balance.
  const credit = named === 0 ? post : settled.credit;
  const id = newId('cn');
  const now = store.now();
  const note: StripeObject = {
    id,
    object: 'credit_note',
    amount: total,
    amount_shipping: 0,
    created: now,
    currency: invoice.currency,
    customer: invoice.customer,
    customer_account: null,
    customer_balance_transaction: credit > 0 ? newId('cbtxn') : null,
    discount_amount: 0,
    discount_amounts: [],
    effective_at: now,
    invoice: invoice.id,
    lines: {
      object: 'list',
      has_more: false,
      url: `/v1/credit_notes/${id}/lines`,
      data: lines.map((l) => ({
        id: newId('cnli'),
        object: 'credit_note_line_item',
        amount: l.amount,
        description: l.description,
        discount_amount: 0,
        discount_amounts: [],
        ...(l.invoiceLineItem && { invoice_line_item: l.invoiceLineItem }),
        livemode: false,
        metadata: {},
        pretax_credit_amounts: [],
        quantity: l.quantity,
        tax_rates: [],
        taxes: [],
        type: l.type,
        unit_amount: l.unitAmount,
        unit_amount_decimal: String(l.unitAmount),
      })),
    },
    livemode: false,
    memo: p.memo ?? null,
    metadata: p.metadata ?? {},
    number: `${String(invoice.number)}-CN-${String(data.creditNotes.all().filter((n) => n.invoice === invoice.id).length + 1).padStart(2, '0')}`,
    out_of_band_amount: settled.outOfBand || null,
    pdf: `${store.baseUrl}/credit_note/${data.account.id}/${id}/pdf`,
    post_payment_amount: post,
    pre_payment_amount: pre,
    pretax_credit_amounts: [],
    reason: p.reason ?? null,
    refunds: [],
    shipping_cost: null,
    status: 'issued',
    subtotal: total,
    subtotal_excluding_tax: total,
    total,
    total_excluding_tax: total,
    total_taxes: [],
    type: post === 0 ? 'pre_payment' : pre === 0 ? 'post_payment' : 'mixed',
    voided_at: null,
  };
  return { note, invoice };
}

export function createCreditNote(store: StripeStore, data: AccountData, raw: unknown): StripeObject {
  const { note, invoice } = buildCreditNote(store, data, raw);
  data.creditNotes.add(note);
  store.emit(data, 'credit_note.created', note);
  const pre = Number(note.pre_payment_amount);
  if (pre > 0) applyToInvoice(store, data, invoice, pre, 'pre_payment_credit_notes_amount');
  invoice.post_payment_credit_notes_amount =
    Number(invoice.post_payment_credit_notes_amount) + Number(note.post_payment_amount);
  return note;
}
