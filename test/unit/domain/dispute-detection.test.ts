import { describe, expect, it } from 'vitest';
import { caseKey, type Objection } from '../../../src/domain/case.js';
import type { InvoiceState } from '../../../src/domain/detection.js';
import { detectObjection, detectChargeback, matchDisputedCharge } from '../../../src/domain/dispute-detection.js';
import type { DisputedCharge } from '../../../src/domain/model.js';
import { chargeDispute, invoice, payment, qbo, usd } from './factories.js';

const objection: Objection = {
  source: 'email',
  invoice: qbo('inv-1042'),
  receivedAt: '2026-06-04T09:00:00Z',
  lineItemIds: [],
};
const invoiceKey = caseKey({ invoice: qbo('inv-1042') });
const shortPaid: InvoiceState = { invoice: invoice({ balanceMinor: 40_000 }), payments: [payment(60_000)] };
const unpaid: InvoiceState = { invoice: invoice(), payments: [] };

describe('detectObjection', () => {
  it('opens a dispute case for an unpaid invoice', () => {
    const r = detectObjection(objection, unpaid);
    expect(r).toMatchObject({ kind: 'open', reason: 'objection', caseKey: invoiceKey });
    expect(r.kind === 'open' && r.facts).toMatchObject({ kind: 'dispute', disputed: usd(100_000), objection });
  });

  it('joins the short-payment case on the same invoice, making it "both"', () => {
    const r = detectObjection(objection, shortPaid, { key: invoiceKey, kind: 'short_payment', disputed: usd(40_000) });
    expect(r).toMatchObject({ kind: 'update', caseKey: invoiceKey });
    expect(r.kind === 'update' && r.facts).toMatchObject({ kind: 'both', disputed: usd(40_000), paid: usd(60_000) });
  });

  it('opens as "both" when the short payment had no case yet', () => {
    expect(detectObjection(objection, shortPaid)).toMatchObject({ kind: 'open', facts: { kind: 'both' } });
  });

  it.each([
    ['opted-out customer', { ...shortPaid, customerOptedOut: true }, 'customer_opted_out'],
    ['voided invoice', { invoice: invoice({ status: 'void' }), payments: [] }, 'invoice_voided'],
    [
      'nothing left to pay',
      { invoice: invoice({ balanceMinor: 0, status: 'paid' }), payments: [payment(100_000)] },
      'balance_cleared',
    ],
  ] satisfies [string, InvoiceState, string][])('does nothing for %s', (_name, state, reason) => {
    expect(detectObjection(objection, state)).toEqual({ kind: 'none', reason, caseKey: invoiceKey });
  });

  it('refuses an objection paired with the wrong invoice', () => {
    expect(() => detectObjection(objection, { invoice: invoice({ ref: qbo('inv-9') }), payments: [] })).toThrow(
      /inv-9/,
    );
  });
});

const charge: DisputedCharge = { amount: usd(60_000), date: '2026-06-03', customerEmail: 'AP@acme.test ' };

describe('matchDisputedCharge', () => {
  it('matches exactly one ledger invoice by amount, currency, customer and date window', () => {
    expect(matchDisputedCharge(charge, [shortPaid, unpaid])).toMatchObject({
      kind: 'matched',
      invoice: { invoice: { ref: qbo('inv-1042') } },
    });
  });

  it('matches by normalised customer name when either side has no email', () => {
    const noEmail = { ...charge, customerEmail: undefined, customerName: '  acme   RENOVATIONS' } as DisputedCharge;
    expect(matchDisputedCharge(noEmail, [shortPaid]).kind).toBe('matched');
  });

  it.each([
    ['another amount', { ...charge, amount: usd(60_001) }],
    ['another currency', { ...charge, amount: { minor: 60_000, currency: 'CAD' } }],
    ['another customer', { ...charge, customerEmail: 'someone@else.test' }],
    ['outside the date window', { ...charge, date: '2026-06-10' }],
    ['no customer identity', { amount: usd(60_000), date: '2026-06-03' }],
  ] satisfies [string, DisputedCharge][])('finds nothing for %s', (_name, c) => {
    expect(matchDisputedCharge(c, [shortPaid])).toEqual({ kind: 'none' });
  });

  it('refuses to guess between two candidates', () => {
    const twin: InvoiceState = {
      invoice: invoice({ ref: qbo('inv-1043'), number: '1043', balanceMinor: 40_000 }),
      payments: [payment(60_000, {}, qbo('inv-1043'))],
    };
    expect(matchDisputedCharge(charge, [shortPaid, twin])).toEqual({
      kind: 'ambiguous',
      candidates: [qbo('inv-1042'), qbo('inv-1043')],
    });
  });
});

describe('detectChargeback', () => {
  it('keys an unlinked dispute by the dispute itself', () => {
    const r = detectChargeback(chargeDispute(), { ledger: [] });
    expect(r).toMatchObject({ kind: 'open', reason: 'chargeback', caseKey: 'dispute/stripe/acct_1/dp_1' });
    expect(r.kind === 'open' && r.facts).toMatchObject({
      kind: 'dispute',
      disputed: usd(40_000),
      chargeback: { chargeId: 'ch_1', dueBy: '2026-06-20T23:59:59Z' },
    });
  });

  it('joins the invoice case when the charge matches one ledger payment', () => {
    const r = detectChargeback(chargeDispute({ amount: usd(60_000) }), {
      charge,
      ledger: [shortPaid],
      openCase: { key: invoiceKey, kind: 'short_payment', disputed: usd(40_000) },
    });
    expect(r).toMatchObject({ kind: 'update', caseKey: invoiceKey });
    expect(r.kind === 'update' && r.facts).toMatchObject({
      kind: 'both',
      disputed: usd(100_000),
      invoiceNumber: '1042',
    });
  });

  it('uses the Stripe invoice the dispute names', () => {
    const stripeInvoice = { provider: 'stripe', accountId: 'acct_1', id: 'in_1' } as const;
    expect(detectChargeback(chargeDispute({ invoice: stripeInvoice }), { ledger: [] }).caseKey).toBe(
      caseKey({ invoice: stripeInvoice }),
    );
  });

  it('stays on its own key when the match is ambiguous', () => {
    const twin: InvoiceState = {
      invoice: invoice({ ref: qbo('inv-1043') }),
      payments: [payment(60_000, {}, qbo('inv-1043'))],
    };
    expect(detectChargeback(chargeDispute(), { charge, ledger: [shortPaid, twin] }).caseKey).toBe(
      'dispute/stripe/acct_1/dp_1',
    );
  });

  it.each(['won', 'lost', 'warning_closed', 'prevented'] as const)(
    'resolves the open case when the dispute is %s',
    (status) => {
      const openCase = { key: 'dispute/stripe/acct_1/dp_1', kind: 'dispute', disputed: usd(40_000) } as const;
      expect(detectChargeback(chargeDispute({ status }), { ledger: [], openCase })).toMatchObject({
        kind: 'resolve',
        reason: 'chargeback_closed',
      });
    },
  );
});
