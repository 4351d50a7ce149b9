import { describe, expect, it } from 'vitest';
import { caseKey } from '../../../src/domain/case.js';
import {
  defaultDetectionPolicy,
  detectShortPayment,
  toleranceFor,
  withTolerances,
  type InvoiceState,
  type OpenCase,
} from '../../../src/domain/detection.js';
import { invoice, payment, qbo, usd } from './factories.js';

// Invoice 1042 for $1,000.00, paid $600.00, leaving $400.00.
const shortPaid = (over: Partial<InvoiceState> = {}): InvoiceState => ({
  invoice: invoice({ balanceMinor: 40_000 }),
  payments: [payment(60_000)],
  ...over,
});
const key = caseKey({ invoice: qbo('inv-1042') });
const openShort: OpenCase = { key, kind: 'short_payment', disputed: usd(40_000) };
// A week after the factories' payment of 2026-06-02.
const today = '2026-06-09';

describe('detectShortPayment', () => {
  it('opens a case when payments leave 0 < balance < total', () => {
    const r = detectShortPayment(shortPaid(), undefined, today);
    expect(r).toMatchObject({ kind: 'open', reason: 'short_payment', caseKey: key });
    if (r.kind !== 'open') throw new Error('expected open');
    expect(r.facts).toMatchObject({
      kind: 'short_payment',
      paid: usd(60_000),
      disputed: usd(40_000),
      total: usd(100_000),
      invoiceNumber: '1042',
    });
    expect(r.facts.fullAndFinal).toBeUndefined();
  });

  it('carries the full-and-final flag of the memo into the facts', () => {
    const r = detectShortPayment(
      shortPaid({ payments: [payment(60_000, { memo: 'Full & final pmt' })] }),
      undefined,
      today,
    );
    expect(r.kind === 'open' && r.facts.fullAndFinal).toEqual({
      payment: qbo('pay-60000'),
      memo: 'Full & final pmt',
      matched: 'full and final',
    });
  });

  it.each([
    ['deposit invoice', { invoice: invoice({ balanceMinor: 40_000, isDeposit: true }) }, 'deposit'],
    ['agreed payment plan', { invoice: invoice({ balanceMinor: 40_000, onPaymentPlan: true }) }, 'payment_plan'],
    ['opted-out customer', { customerOptedOut: true }, 'customer_opted_out'],
    ['nothing paid yet', { invoice: invoice(), payments: [] }, 'unpaid'],
    ['only a voided payment', { payments: [payment(60_000, { status: 'voided' })] }, 'unpaid'],
    ['payment applied to another invoice', { payments: [payment(60_000, {}, qbo('inv-9'))] }, 'unpaid'],
    [
      'paid in full',
      { invoice: invoice({ balanceMinor: 0, status: 'paid' }), payments: [payment(100_000)] },
      'balance_cleared',
    ],
    ['overpaid', { invoice: invoice({ balanceMinor: -500 }), payments: [payment(100_500)] }, 'overpaid'],
    [
      'bank fee within absolute tolerance',
      { invoice: invoice({ balanceMinor: 350 }), payments: [payment(99_650)] },
      'within_tolerance',
    ],
    ['draft invoice', { invoice: invoice({ balanceMinor: 40_000, status: 'draft' }) }, 'not_open'],
    ['voided invoice', { invoice: invoice({ balanceMinor: 40_000, status: 'void' }) }, 'invoice_voided'],
  ] satisfies [string, Partial<InvoiceState>, string][])('does not open for %s', (_name, over, reason) => {
    expect(detectShortPayment(shortPaid(over), undefined, today)).toEqual({ kind: 'none', reason, caseKey: key });
  });

  it('applies the percentage tolerance when it is larger than the absolute one', () => {
    const big = (balanceMinor: number): InvoiceState => ({
      invoice: invoice({ totalMinor: 5_000_000, balanceMinor }),
      payments: [payment(5_000_000 - balanceMinor)],
    });
    expect(detectShortPayment(big(50_000), undefined, today).reason).toBe('within_tolerance'); // 1% of $50,000 is $500
    expect(detectShortPayment(big(50_001), undefined, today).kind).toBe('open');
  });

  it('ignores what an ordinary transfer loses on the way by default: a SWIFT intermediary fee, a conversion difference', () => {
    // $1,000 invoice: a $35 intermediary fee, and a euro transfer €14.80 short after conversion.
    expect(
      detectShortPayment({ invoice: invoice({ balanceMinor: 3_500 }), payments: [payment(96_500)] }, undefined, today)
        .reason,
    ).toBe('within_tolerance');
    const euros = (minor: number) => ({ minor, currency: 'EUR' });
    const paid = payment(98_520);
    const eur = {
      invoice: invoice({ currency: 'EUR', total: euros(100_000), balance: euros(1_480) }),
      payments: [
        {
          ...paid,
          amount: euros(98_520),
          applications: paid.applications.map((x) => ({ ...x, amount: euros(98_520) })),
        },
      ],
    };
    expect(detectShortPayment(eur, undefined, today).reason).toBe('within_tolerance');
    // A real short payment still opens a case.
    expect(
      detectShortPayment({ invoice: invoice({ balanceMinor: 40_000 }), payments: [payment(60_000)] }, undefined, today)
        .kind,
    ).toBe('open');
  });

  it("applies an organisation's own tolerance per currency over the defaults", () => {
    const strict = withTolerances(defaultDetectionPolicy, { USD: { absoluteMinor: 100, percent: 0 } });
    expect(
      detectShortPayment(
        { invoice: invoice({ balanceMinor: 3_500 }), payments: [payment(96_500)] },
        undefined,
        today,
        strict,
      ).kind,
    ).toBe('open');
    const loose = withTolerances(defaultDetectionPolicy, { USD: { absoluteMinor: 0, percent: 5 } });
    expect(
      detectShortPayment(
        { invoice: invoice({ balanceMinor: 5_000 }), payments: [payment(95_000)] },
        undefined,
        today,
        loose,
      ).reason,
    ).toBe('within_tolerance');
    expect(toleranceFor({ minor: 100_000, currency: 'GBP' }, loose)).toEqual({ minor: 5_000, currency: 'GBP' }); // other currencies keep the default
  });

  it('uses per-currency absolute tolerances and none for unlisted currencies', () => {
    const policy = { ...defaultDetectionPolicy, percentTolerance: 0, absoluteTolerance: { USD: 0 } };
    expect(
      detectShortPayment(
        shortPaid({ invoice: invoice({ balanceMinor: 1 }), payments: [payment(99_999)] }),
        undefined,
        today,
        policy,
      ).kind,
    ).toBe('open');
  });

  it('resolves the open case when a later payment clears the balance', () => {
    const later = shortPaid({
      invoice: invoice({ balanceMinor: 0, status: 'paid' }),
      payments: [payment(60_000), payment(40_000)],
    });
    expect(detectShortPayment(later, openShort, today)).toEqual({
      kind: 'resolve',
      reason: 'balance_cleared',
      caseKey: key,
    });
  });

  it('resolves when only a bank fee is left', () => {
    const later = shortPaid({ invoice: invoice({ balanceMinor: 200 }), payments: [payment(60_000), payment(39_800)] });
    expect(detectShortPayment(later, openShort, today)).toMatchObject({ kind: 'resolve', reason: 'within_tolerance' });
  });

  it('updates the open case when another partial payment changes the balance', () => {
    const later = shortPaid({
      invoice: invoice({ balanceMinor: 15_000 }),
      payments: [payment(60_000), payment(25_000)],
    });
    const r = detectShortPayment(later, openShort, today);
    expect(r).toMatchObject({ kind: 'update', reason: 'short_payment_changed' });
    expect(r.kind === 'update' && r.facts).toMatchObject({ paid: usd(85_000), disputed: usd(15_000) });
  });

  it('reports nothing new when a re-sync changes nothing', () => {
    expect(detectShortPayment(shortPaid(), openShort, today)).toEqual({
      kind: 'none',
      reason: 'unchanged',
      caseKey: key,
    });
  });

  it('turns an open dispute into "both" when a short payment arrives', () => {
    const r = detectShortPayment(shortPaid(), { key, kind: 'dispute', disputed: usd(100_000) }, today);
    expect(r.kind === 'update' && r.facts.kind).toBe('both');
  });
});

describe('detectShortPayment on old history', () => {
  const paidOn = (...dates: string[]): InvoiceState =>
    shortPaid({ payments: dates.map((date, i) => payment(60_000 / dates.length, { date, ref: qbo(`pay-${i}`) })) });

  it('opens no case when the latest payment is older than staleAfterDays, and says why', () => {
    expect(detectShortPayment(paidOn('2025-01-10'), undefined, '2026-11-27')).toEqual({
      kind: 'none',
      reason: 'stale',
      caseKey: key,
      detail: 'last payment on 2025-01-10 is older than 90 days',
    });
  });

  it('dates the invoice by its most recent payment', () => {
    expect(detectShortPayment(paidOn('2025-01-10', '2026-11-20'), undefined, '2026-11-27').kind).toBe('open');
    expect(detectShortPayment(paidOn('2026-08-01', '2025-01-10'), undefined, '2026-11-27')).toMatchObject({
      reason: 'stale',
      detail: expect.stringContaining('2026-08-01'),
    });
  });

  it('keeps an invoice news while a recent payment on it bounced, and ignores modification times', () => {
    const bounced = shortPaid({
      invoice: invoice({ balanceMinor: 70_000, updatedAt: '2025-02-01T10:00:00Z' }),
      payments: [
        payment(30_000, { date: '2025-01-10', ref: qbo('pay-0') }),
        payment(70_000, { date: '2026-11-25', status: 'voided', ref: qbo('pay-1') }),
      ],
    });
    expect(detectShortPayment(bounced, undefined, '2026-11-27')).toMatchObject({
      kind: 'open',
      reason: 'short_payment',
    });
    // Read today (Stripe stamps what it maps with the time of reading): still the same old history.
    const readToday = shortPaid({
      invoice: invoice({ balanceMinor: 40_000, updatedAt: '2026-11-27T08:00:00Z' }),
      payments: [payment(60_000, { date: '2025-01-10', updatedAt: '2026-11-27T08:00:00Z' })],
    });
    expect(detectShortPayment(readToday, undefined, '2026-11-27').reason).toBe('stale');
  });

  it('still opens on the last day of the window, not the day after', () => {
    expect(detectShortPayment(paidOn('2026-08-29'), undefined, '2026-11-27').kind).toBe('open'); // 90 days
    expect(detectShortPayment(paidOn('2026-08-28'), undefined, '2026-11-27').reason).toBe('stale'); // 91 days
    const policy = { ...defaultDetectionPolicy, staleAfterDays: 7 };
    expect(detectShortPayment(shortPaid(), undefined, '2026-06-09', policy).kind).toBe('open');
    expect(detectShortPayment(shortPaid(), undefined, '2026-06-10', policy).reason).toBe('stale');
  });

  it('treats an old "full and final" payment the same: no case, no urgent alert', () => {
    const old = shortPaid({ payments: [payment(60_000, { memo: 'Full & final pmt', date: '2025-01-10' })] });
    expect(detectShortPayment(old, undefined, '2026-11-27').reason).toBe('stale');
  });

  it('still updates and resolves a case that is already open', () => {
    const later = shortPaid({
      invoice: invoice({ balanceMinor: 15_000 }),
      payments: [payment(60_000, { date: '2025-01-10' }), payment(25_000, { date: '2025-02-10' })],
    });
    expect(detectShortPayment(later, openShort, '2026-11-27')).toMatchObject({
      kind: 'update',
      reason: 'short_payment_changed',
      facts: { disputed: usd(15_000) },
    });
    const paid = shortPaid({
      invoice: invoice({ balanceMinor: 0, status: 'paid' }),
      payments: [payment(100_000, { date: '2025-01-10' })],
    });
    expect(detectShortPayment(paid, openShort, '2026-11-27')).toMatchObject({
      kind: 'resolve',
      reason: 'balance_cleared',
    });
  });

  it('rejects a "today" that is not a date', () => {
    expect(() => detectShortPayment(shortPaid(), undefined, '2026-11-27T10:00:00Z')).toThrow(/YYYY-MM-DD/);
  });
});
