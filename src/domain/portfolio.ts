// The owner's dashboard: every case's standing (src/domain/account.ts, caseStanding) added up per currency, the
// cases by status, and the deadlines due soon. Pure: the web layer reads the cases and links each figure to them.
import { inDisputeOf, type CaseStanding } from './account.js';
import { money, sum, type Money } from './money.js';

export interface PortfolioCase {
  readonly id: string;
  readonly status: string;
  /** A closed case still counts what it recovered and conceded; it no longer counts as outstanding or in dispute. */
  readonly closed: boolean;
  readonly standing: CaseStanding;
  readonly nextDeadline?: Date | null | undefined;
}

export interface CurrencyTotals {
  readonly currency: string;
  /** Still owed on open cases. */
  readonly outstanding: Money;
  /** In dispute on open cases (`inDisputeOf`): what clients contest, and what card processors hold for chargebacks. */
  readonly inDispute: Money;
  /** Of that, what card processors hold while chargebacks are decided. */
  readonly held: Money;
  readonly recovered: Money;
  readonly conceded: Money;
  readonly writtenOff: Money;
  /** What every case in this currency opened for. */
  readonly openedFor: Money;
  /** How many cases each figure is made of (those with a non-zero amount in it). */
  readonly counts: {
    readonly outstanding: number;
    readonly inDispute: number;
    readonly recovered: number;
    readonly conceded: number;
  };
}

export interface MonthFigures {
  /** YYYY-MM */
  readonly month: string;
  /** What the cases opened that month set out to recover. */
  readonly disputed: Money;
  /** What was recovered that month, on any case. */
  readonly recovered: Money;
}

export interface Portfolio {
  readonly totals: readonly CurrencyTotals[];
  readonly byStatus: readonly { readonly status: string; readonly count: number }[];
  /** Per currency, every month from the first case's to the last movement, none skipped. */
  readonly months: Readonly<Record<string, readonly MonthFigures[]>>;
  /** Open cases whose next deadline has passed, and those due within `soonMs`. */
  readonly overdue: readonly PortfolioCase[];
  readonly dueSoon: readonly PortfolioCase[];
}

const nextMonth = (m: string): string => {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
};

export function portfolio(cases: readonly PortfolioCase[], nowMs: number, soonMs = 7 * 86_400_000): Portfolio {
  const currencies = [...new Set(cases.map((c) => c.standing.currency))].sort();
  const totals = currencies.map((currency): CurrencyTotals => {
    const all = cases.filter((c) => c.standing.currency === currency);
    const open = all.filter((c) => !c.closed);
    const add = (list: readonly PortfolioCase[], pick: (s: CaseStanding) => Money) =>
      sum(
        list.map((c) => pick(c.standing)),
        currency,
      );
    const count = (list: readonly PortfolioCase[], pick: (s: CaseStanding) => Money) =>
      list.filter((c) => pick(c.standing).minor > 0).length;
    return {
      currency,
      outstanding: add(open, (s) => s.outstanding),
      inDispute: add(open, inDisputeOf),
      held: add(open, (s) => s.held ?? money(0, currency)),
      recovered: add(all, (s) => s.recovered),
      conceded: add(all, (s) => s.conceded),
      writtenOff: add(all, (s) => s.writtenOff),
      openedFor: add(all, (s) => s.openedFor),
      counts: {
        outstanding: count(open, (s) => s.outstanding),
        inDispute: count(open, inDisputeOf),
        recovered: count(all, (s) => s.recovered),
        conceded: count(all, (s) => s.conceded),
      },
    };
  });

  const statusCounts = new Map<string, number>();
  for (const c of cases) statusCounts.set(c.status, (statusCounts.get(c.status) ?? 0) + 1);

  const months: Record<string, MonthFigures[]> = {};
  for (const currency of currencies) {
    const disputed = new Map<string, number>();
    const recovered = new Map<string, number>();
    for (const c of cases.filter((x) => x.standing.currency === currency)) {
      const m = c.standing.openedOn.slice(0, 7);
      disputed.set(m, (disputed.get(m) ?? 0) + c.standing.openedFor.minor);
      for (const r of c.standing.recoveries) {
        const rm = r.date.slice(0, 7);
        recovered.set(rm, (recovered.get(rm) ?? 0) + r.amount.minor);
      }
    }
    const keys = [...disputed.keys(), ...recovered.keys()].sort();
    const list: MonthFigures[] = [];
    if (keys.length > 0)
      for (let m = keys[0]!; m <= keys.at(-1)!; m = nextMonth(m))
        list.push({
          month: m,
          disputed: money(disputed.get(m) ?? 0, currency),
          recovered: money(recovered.get(m) ?? 0, currency),
        });
    months[currency] = list;
  }

  const open = cases.filter((c) => !c.closed && c.nextDeadline);
  const at = (c: PortfolioCase) => c.nextDeadline!.getTime();
  const byDeadline = (a: PortfolioCase, b: PortfolioCase) => at(a) - at(b);
  return {
    totals,
    byStatus: [...statusCounts].map(([status, count]) => ({ status, count })),
    months,
    overdue: open.filter((c) => at(c) < nowMs).sort(byDeadline),
    dueSoon: open.filter((c) => at(c) >= nowMs && at(c) <= nowMs + soonMs).sort(byDeadline),
  };
}
