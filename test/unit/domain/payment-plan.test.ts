// Detection of an invoice on an agreed payment plan or marked as a deposit (README, "Arrangements").
import { describe, expect, it } from 'vitest';
import { caseKey } from '../../../src/domain/case.js';
import { detectShortPayment, dueUnderPlan, overdueUnderPlan, type Arrangement } from '../../../src/domain/detection.js';
import { invoice, payment, qbo, usd } from './factories.js';

// 1,000.00 invoiced, 400.00 paid at once, then 600.00 agreed in three instalments of 200.00.
const plan: Extract<Arrangement, { kind: 'plan' }> = {
  kind: 'plan',
  owed: usd(60_000),
  instalments: [
    { dueOn: '2026-07-01', amount: usd(20_000) },
    { dueOn: '2026-08-01', amount: usd(20_000) },
    { dueOn: '2026-09-01', amount: usd(20_000) },
  ],
};
const key = caseKey({ invoice: qbo('inv-1042') });
const onPlan = (balanceMinor: number, paid: number[], arrangement: Arrangement = plan) => ({
  invoice: invoice({ balanceMinor }),
  arrangement,
  payments: paid.map((minor, i) => payment(minor, { ref: qbo(`pay-${i}`), date: '2026-06-02' })),
});

describe('plan arithmetic', () => {
  it('counts an instalment as due from the day after its date', () => {
    expect(dueUnderPlan(plan, '2026-07-01')).toEqual(usd(0));
    expect(dueUnderPlan(plan, '2026-07-02')).toEqual(usd(20_000));
    expect(dueUnderPlan(plan, '2026-09-02')).toEqual(usd(60_000));
  });

  it('is overdue by what is due less what came off the balance since the plan, never below zero', () => {
    expect(overdueUnderPlan(plan, usd(60_000), '2026-08-02')).toEqual(usd(40_000));
    expect(overdueUnderPlan(plan, usd(40_000), '2026-08-02')).toEqual(usd(20_000));
    expect(overdueUnderPlan(plan, usd(10_000), '2026-07-02')).toEqual(usd(0)); // paid ahead
  });

  it('refuses a today that is not a date', () => {
    expect(() => dueUnderPlan(plan, '02/08/2026')).toThrow(/YYYY-MM-DD/);
  });
});

describe('detection with an arrangement', () => {
  it('opens no case at the first instalment when it is paid, however short the invoice is', () => {
    expect(detectShortPayment(onPlan(40_000, [40_000, 20_000]), undefined, '2026-07-05')).toEqual({
      kind: 'none',
      reason: 'payment_plan',
      caseKey: key,
    });
  });

  it('opens no case before the first instalment falls due, even with nothing paid since the plan', () => {
    expect(detectShortPayment(onPlan(60_000, [40_000]), undefined, '2026-07-01')).toMatchObject({
      kind: 'none',
      reason: 'payment_plan',
    });
  });

  it('opens a case for the overdue amount when an instalment is missed', () => {
    const r = detectShortPayment(onPlan(40_000, [40_000, 20_000]), undefined, '2026-08-02');
    expect(r).toMatchObject({
      kind: 'open',
      reason: 'missed_instalment',
      caseKey: key,
      facts: { kind: 'short_payment', disputed: usd(20_000), paid: usd(60_000), total: usd(100_000) },
    });
  });

  it('opens a case for a missed first instalment even when nothing was ever paid, and however old the history', () => {
    const r = detectShortPayment(
      { invoice: invoice({ balanceMinor: 60_000 }), payments: [], arrangement: plan },
      undefined,
      '2027-01-10',
    );
    expect(r).toMatchObject({ kind: 'open', facts: { disputed: usd(60_000) } });
  });

  it('lets a shortfall within the tolerance pass: the bank kept $20 of an instalment', () => {
    expect(detectShortPayment(onPlan(42_000, [40_000, 18_000]), undefined, '2026-07-05')).toMatchObject({
      kind: 'none',
      reason: 'payment_plan',
    });
  });

  it('follows the overdue amount on an open case, and resolves it once the client is back on the plan', () => {
    const open = { key, kind: 'short_payment' as const, disputed: usd(20_000) };
    expect(detectShortPayment(onPlan(40_000, [40_000, 20_000]), open, '2026-09-02')).toMatchObject({
      kind: 'update',
      reason: 'missed_instalment',
      facts: { disputed: usd(40_000) },
    });
    expect(detectShortPayment(onPlan(40_000, [40_000, 20_000]), open, '2026-08-10')).toEqual({
      kind: 'none',
      reason: 'unchanged',
      caseKey: key,
    });
    expect(detectShortPayment(onPlan(20_000, [40_000, 20_000, 20_000]), open, '2026-08-10')).toEqual({
      kind: 'resolve',
      reason: 'payment_plan',
      caseKey: key,
    });
  });

  it('never opens a short-payment case for a deposit', () => {
    expect(detectShortPayment(onPlan(70_000, [30_000], { kind: 'deposit' }), undefined, '2026-06-03')).toEqual({
      kind: 'none',
      reason: 'deposit',
      caseKey: key,
    });
  });

  it('still resolves a voided invoice and clears a paid one on a plan', () => {
    const open = { key, kind: 'short_payment' as const, disputed: usd(20_000) };
    expect(
      detectShortPayment(
        { ...onPlan(40_000, [60_000]), invoice: invoice({ balanceMinor: 40_000, status: 'void' }) },
        open,
        '2026-09-02',
      ),
    ).toMatchObject({ kind: 'resolve', reason: 'invoice_voided' });
    expect(detectShortPayment(onPlan(0, [100_000]), open, '2026-09-02')).toMatchObject({
      kind: 'resolve',
      reason: 'balance_cleared',
    });
  });
});
