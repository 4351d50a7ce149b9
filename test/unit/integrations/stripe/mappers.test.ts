import { describe, expect, it } from 'vitest';
import {
  toChargeDispute,
  toCreditNote,
  toInvoice,
  toPayment,
  type MapContext,
} from '../../../../integrations/stripe/mappers.js';
import {
  StripeCreditNote,
  StripeDispute,
  StripeInvoice,
  StripeInvoicePayment,
} from '../../../../integrations/stripe/schemas.js';
import { fixture } from './load-fixture.js';

const ctx: MapContext = { accountId: 'acct_1QsT8uB7WZ01zgkW', observedAt: '2026-01-20T10:00:00.000Z' };
const ref = (id: string) => ({ provider: 'stripe', accountId: ctx.accountId, id });
const usd = (minor: number) => ({ minor, currency: 'USD' });

describe('Stripe invoice mapping', () => {
  it('maps a partially paid invoice: balance is amount_remaining, lines keep fractional quantities', () => {
    const invoice = toInvoice(StripeInvoice.parse(fixture('invoice.partially-paid')), ctx);
    expect(invoice).toMatchObject({
      ref: ref('in_1QsT8uB7WZ01zgkWq4Lm2Xa9'),
      number: 'HDS-0042',
      customer: { ref: ref('cus_RkP2mX8qTz1aBc'), name: 'Northwind Traders', email: 'ap@northwind.example' },
      currency: 'USD',
      total: usd(248_000),
      balance: usd(48_000),
      issueDate: '2026-01-02',
      dueDate: '2026-02-01',
      status: 'open',
      updatedAt: ctx.observedAt,
    });
    expect(invoice.lines).toEqual([
      {
        id: 'il_1QsT8uB7WZ01zgkWe1Tq0Ab1',
        description: 'Website redesign',
        quantity: '1',
        unitPrice: usd(200_000),
        amount: usd(200_000),
      },
      {
        id: 'il_1QsT8uB7WZ01zgkWe1Tq0Ab2',
        description: 'Consulting, 7.5 hours',
        quantity: '7.5',
        unitPrice: usd(6_400),
        amount: usd(48_000),
      },
    ]);
  });

  it('treats uncollectible as still owed and a null status as a draft', () => {
    const raw = fixture('invoice.partially-paid');
    expect(toInvoice(StripeInvoice.parse({ ...raw, status: 'uncollectible' }), ctx).status).toBe('open');
    expect(toInvoice(StripeInvoice.parse({ ...raw, status: null, number: null }), ctx)).toMatchObject({
      status: 'draft',
      number: 'in_1QsT8uB7WZ01zgkWq4Lm2Xa9',
    });
  });

  it('rescales currencies whose Stripe exponent differs from ISO 4217 (ISK is two-decimal at Stripe)', () => {
    const raw = fixture('invoice.partially-paid');
    const isk = toInvoice(StripeInvoice.parse({ ...raw, currency: 'isk', lines: { data: [], has_more: false } }), ctx);
    expect(isk.total).toEqual({ minor: 2_480, currency: 'ISK' });
    expect(isk.balance).toEqual({ minor: 480, currency: 'ISK' });
  });

  it('rejects amounts that are not safe integers', () => {
    const raw = fixture('invoice.partially-paid');
    expect(() => StripeInvoice.parse({ ...raw, amount_remaining: 2 ** 53 })).toThrow();
    expect(() => StripeInvoice.parse({ ...raw, total: 12.5 })).toThrow();
  });
});

describe('Stripe invoice payment mapping', () => {
  it('maps an off-Stripe payment with the payment record memo and reference', () => {
    const payment = toPayment(StripeInvoicePayment.parse(fixture('invoice_payment.payment-record')), ctx);
    expect(payment).toEqual({
      ref: ref('inpay_1QsU2aB7WZ01zgkWm3Nc7Rt1'),
      amount: usd(200_000),
      date: '2026-01-15',
      method: 'custom',
      memo: 'Paid in full and final settlement of HDS-0042',
      reference: 'ACH-20260115-0091',
      applications: [{ invoice: ref('in_1QsT8uB7WZ01zgkWq4Lm2Xa9'), amount: usd(200_000) }],
      status: 'applied',
      updatedAt: ctx.observedAt,
    });
  });

  it('maps a card payment with the PaymentIntent as reference and no memo', () => {
    const payment = toPayment(StripeInvoicePayment.parse(fixture('invoice_payment.card')), ctx);
    expect(payment).toMatchObject({ method: 'stripe', reference: 'pi_3QsU9bB7WZ01zgkW1a2b3c4d', amount: usd(250_000) });
    expect(payment?.memo).toBeUndefined();
  });

  it('skips open and canceled invoice payments: no money moved', () => {
    const raw = fixture('invoice_payment.card');
    expect(toPayment(StripeInvoicePayment.parse({ ...raw, status: 'open', amount_paid: null }), ctx)).toBeNull();
    expect(toPayment(StripeInvoicePayment.parse({ ...raw, status: 'canceled', amount_paid: null }), ctx)).toBeNull();
  });
});

describe('Stripe credit note mapping', () => {
  it('allocates only the pre-payment part to the invoice', () => {
    const note = toCreditNote(StripeCreditNote.parse(fixture('credit_note.mixed')), ctx);
    expect(note).toEqual({
      ref: ref('cn_1QsV1dB7WZ01zgkWk7Gh2Jb3'),
      number: 'HDS-0042-CN-01',
      customer: ref('cus_RkP2mX8qTz1aBc'),
      lines: [
        { invoiceLineId: 'il_1QsT8uB7WZ01zgkWe1Tq0Ab2', description: 'Consulting, 7.5 hours', amount: usd(48_000) },
        { description: 'Goodwill credit', amount: usd(12_000) },
      ],
      total: usd(60_000),
      allocations: [{ invoice: ref('in_1QsT8uB7WZ01zgkWq4Lm2Xa9'), amount: usd(48_000) }],
      status: 'applied',
      updatedAt: ctx.observedAt,
    });
  });

  it('maps a voided credit note', () => {
    const raw = fixture('credit_note.mixed');
    expect(toCreditNote(StripeCreditNote.parse({ ...raw, status: 'void' }), ctx).status).toBe('void');
  });
});

describe('Stripe dispute mapping', () => {
  it('takes dueBy from evidence_details.due_by and links the invoice it was given', () => {
    const dispute = toChargeDispute(
      StripeDispute.parse(fixture('dispute.needs-response')),
      ctx,
      'in_1QsU9aB7WZ01zgkWf6Hn3Kd2',
    );
    expect(dispute).toEqual({
      ref: ref('dp_1QsW4eB7WZ01zgkWv9Tr5Lm2'),
      chargeId: 'ch_3QsU9bB7WZ01zgkW1x2y3z4w',
      paymentIntentId: 'pi_3QsU9bB7WZ01zgkW1a2b3c4d',
      invoice: ref('in_1QsU9aB7WZ01zgkWf6Hn3Kd2'),
      amount: usd(250_000),
      reason: 'product_not_received',
      status: 'needs_response',
      dueBy: '2026-01-30T23:59:59.000Z',
      createdAt: '2026-01-22T00:00:00.000Z',
    });
  });

  it('has no deadline when the issuer allows no response (due_by 0 or null)', () => {
    const raw = fixture('dispute.needs-response');
    for (const due_by of [0, null]) {
      const parsed = StripeDispute.parse({ ...raw, evidence_details: { ...(raw.evidence_details as object), due_by } });
      expect(toChargeDispute(parsed, ctx).dueBy).toBeUndefined();
    }
  });

  it.each([
    'warning_needs_response',
    'warning_under_review',
    'warning_closed',
    'under_review',
    'won',
    'lost',
    'prevented',
    'appeal_needs_response',
    'appeal_under_review',
  ])('accepts status %s', (status) => {
    const raw = fixture('dispute.needs-response');
    expect(toChargeDispute(StripeDispute.parse({ ...raw, status }), ctx).status).toBe(status);
  });

  it('rejects a status the canonical model does not know', () => {
    expect(() => StripeDispute.parse({ ...fixture('dispute.needs-response'), status: 'charge_refunded' })).toThrow();
  });
});
