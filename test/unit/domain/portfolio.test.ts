// The dashboard's figures: each case's standing read off its account, and the figures per currency adding up.
import { describe, expect, it } from 'vitest';
import { caseAccount, caseStanding, type AccountFacts } from '../../../src/domain/account.js';
import { money } from '../../../src/domain/money.js';
import { portfolio, type PortfolioCase } from '../../../src/domain/portfolio.js';

const usd = (minor: number) => money(minor, 'USD');
const opened: AccountFacts = {
  total: usd(100_000),
  payments: [{ ref: 'p1', amount: usd(60_000), date: '2026-10-02' }],
  credits: [],
  writeOffs: [],
};

describe('a case standing against what it opened for', () => {
  it('a $1,000 invoice paid $600 opens for $400; $150 paid later and $100 conceded leave $150 outstanding', () => {
    const now = caseAccount({
      ...opened,
      payments: [...opened.payments, { ref: 'p2', amount: usd(15_000), date: '2026-11-20' }],
      credits: [{ ref: 'c1', amount: usd(10_000), at: '2026-11-10T00:00:00Z', ours: true }],
    });
    const s = caseStanding(caseAccount(opened), now, '2026-10-03', '2026-12-01');
    expect(s.openedFor).toEqual(usd(40_000));
    expect(s.recovered).toEqual(usd(15_000));
    expect(s.conceded).toEqual(usd(10_000));
    expect(s.outstanding).toEqual(usd(15_000));
    expect(s.recoveries).toEqual([{ date: '2026-11-20', amount: usd(15_000) }]);
    // What it opened for is all accounted for.
    expect(s.recovered.minor + s.conceded.minor + s.writtenOff.minor + s.outstanding.minor).toBe(s.openedFor.minor);
  });

  it('a payment reversed after the case opened recovers nothing and leaves more outstanding', () => {
    const now = caseAccount({ ...opened, payments: [{ ...opened.payments[0]!, reversed: true }] });
    const s = caseStanding(caseAccount(opened), now, '2026-10-03', '2026-12-01');
    expect(s.recovered).toEqual(usd(0));
    expect(s.recoveries).toEqual([]);
    expect(s.outstanding).toEqual(usd(100_000));
  });

  it('money back with no new payment (a chargeback won) is recovered on the day the case saw it', () => {
    const withdrawn = { ref: 'dp_1', amount: usd(-5_000), date: '2026-10-02' };
    const start = caseAccount({
      ...opened,
      total: usd(5_000),
      payments: [{ ref: 'ch_1', amount: usd(5_000), date: '2026-10-01' }, withdrawn],
    });
    const won = caseAccount({
      ...opened,
      total: usd(5_000),
      payments: [{ ref: 'ch_1', amount: usd(5_000), date: '2026-10-01' }],
    });
    const s = caseStanding(start, won, '2026-10-02', '2026-11-15');
    expect(s.recovered).toEqual(usd(5_000));
    expect(s.recoveries).toEqual([{ date: '2026-11-15', amount: usd(5_000) }]);
  });
});

describe('the dashboard portfolio', () => {
  const mk = (
    id: string,
    currency: string,
    closed: boolean,
    f: {
      openedOn: string;
      openedFor: number;
      outstanding: number;
      inDispute: number;
      recovered?: [string, number][];
      conceded?: number;
    },
    nextDeadline?: Date,
  ): PortfolioCase => ({
    id,
    status: closed ? 'resolved' : 'awaiting_client',
    closed,
    nextDeadline,
    standing: {
      currency,
      openedOn: f.openedOn,
      openedFor: money(f.openedFor, currency),
      outstanding: money(f.outstanding, currency),
      inDispute: money(f.inDispute, currency),
      recovered: money(
        (f.recovered ?? []).reduce((a, [, m]) => a + m, 0),
        currency,
      ),
      conceded: money(f.conceded ?? 0, currency),
      writtenOff: money(0, currency),
      recoveries: (f.recovered ?? []).map(([date, m]) => ({ date, amount: money(m, currency) })),
    },
  });
  const now = Date.parse('2026-12-06T12:00:00Z');
  const cases = [
    mk(
      'a',
      'USD',
      false,
      {
        openedOn: '2026-09-10',
        openedFor: 40_000,
        outstanding: 25_000,
        inDispute: 10_000,
        recovered: [['2026-11-02', 15_000]],
      },
      new Date(now + 86_400_000),
    ),
    mk('b', 'USD', true, {
      openedOn: '2026-11-05',
      openedFor: 30_001,
      outstanding: 0,
      inDispute: 0,
      recovered: [['2026-11-20', 20_001]],
      conceded: 10_000,
    }),
    mk(
      'c',
      'EUR',
      false,
      { openedOn: '2026-12-01', openedFor: 9_999, outstanding: 9_999, inDispute: 9_999 },
      new Date(now - 3_600_000),
    ),
    mk(
      'd',
      'USD',
      false,
      { openedOn: '2026-12-01', openedFor: 5_000, outstanding: 5_000, inDispute: 5_000 },
      new Date(now + 30 * 86_400_000),
    ),
  ];
  const p = portfolio(cases, now);

  it('adds each currency apart, to the cent, counting only open cases as outstanding or in dispute', () => {
    expect(p.totals.map((t) => t.currency)).toEqual(['EUR', 'USD']);
    const usdTotals = p.totals.find((t) => t.currency === 'USD')!;
    expect(usdTotals.outstanding).toEqual(usd(30_000));
    expect(usdTotals.inDispute).toEqual(usd(15_000));
    expect(usdTotals.recovered).toEqual(usd(35_001));
    expect(usdTotals.conceded).toEqual(usd(10_000));
    expect(usdTotals.counts).toEqual({ outstanding: 2, inDispute: 2, recovered: 2, conceded: 1 });
    expect(p.totals.find((t) => t.currency === 'EUR')!.outstanding).toEqual(money(9_999, 'EUR'));
  });

  it('charts every month from the first case to the last movement, gaps as zero', () => {
    expect(p.months.USD!.map((m) => [m.month, m.disputed.minor, m.recovered.minor])).toEqual([
      ['2026-09', 40_000, 0],
      ['2026-10', 0, 0],
      ['2026-11', 30_001, 35_001],
      ['2026-12', 5_000, 0],
    ]);
  });

  it('lists overdue deadlines and those due within the week; counts cases by status', () => {
    expect(p.overdue.map((c) => c.id)).toEqual(['c']);
    expect(p.dueSoon.map((c) => c.id)).toEqual(['a']);
    expect(Object.fromEntries(p.byStatus.map((s) => [s.status, s.count]))).toEqual({ awaiting_client: 3, resolved: 1 });
  });
});
