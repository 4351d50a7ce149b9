// The owner's home page: what is owed at a glance. Per currency, what is still owed and in dispute on open cases,
// and what the cases recovered and conceded; the cases by status; the deadlines due this week; and a chart of
// disputed and recovered amounts by month. Every figure is the sum of the cases' standings (src/domain/account.ts,
// caseStanding, projected by each case's workflow) and links to the cases behind it.
import type { FastifyInstance } from 'fastify';
import type { CaseStanding } from '../../../domain/account.js';
import { money } from '../../../domain/money.js';
import { portfolio, type PortfolioCase } from '../../../domain/portfolio.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { page } from '../render.js';
import { closedStatuses, dashboardCases, type CaseRow } from '../cases/queries.js';
import { filterQuery } from '../cases/list-routes.js';
import type { CaseFilters } from '../cases/queries.js';
import { monthName, monthsChart } from './chart.js';

/** A case projected before its workflow reported a standing: what it still owed is all it showed. */
function standingOf(row: CaseRow): CaseStanding {
  if (row.standing) return row.standing;
  const m = (minor: number) => money(minor, row.currency);
  return {
    currency: row.currency,
    openedOn: row.createdAt.toISOString().slice(0, 10),
    openedFor: m(row.disputedMinor),
    outstanding: m(row.disputedMinor),
    inDispute: m(row.disputedMinor),
    recovered: m(0),
    conceded: m(0),
    writtenOff: m(0),
    recoveries: [],
  };
}

const casesUrl = (f: Omit<CaseFilters, 'page'>) => `/cases?${filterQuery(f)}`;

export function dashboardRoutes(deps: WebDeps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireUser);

    app.get('/', async (req, reply) => {
      const organisation = userOf(req).organisation;
      const rows = await dashboardCases(deps.db, organisation.id);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const list: PortfolioCase[] = rows.map((r) => ({
        id: r.id,
        status: r.status,
        closed: closedStatuses.includes(r.status),
        standing: standingOf(r),
        nextDeadline: r.nextDeadline,
      }));
      const p = portfolio(list, req.nowMs);
      const locale = organisation.locale;
      const charts = await Promise.all(
        p.totals.map(async (t) => ({
          currency: t.currency,
          svg: await monthsChart(t.currency, p.months[t.currency] ?? [], locale),
          months: (p.months[t.currency] ?? []).map((m) => ({
            ...m,
            label: monthName(m.month, locale),
            disputedUrl: casesUrl({ currency: t.currency, figure: 'disputed', month: m.month }),
            recoveredUrl: casesUrl({ currency: t.currency, figure: 'recovered', month: m.month }),
          })),
        })),
      );
      const dueRow = (c: PortfolioCase) => {
        const r = byId.get(c.id)!;
        return {
          id: r.id,
          customerName: r.customerName,
          invoiceNumber: r.invoiceNumber,
          nextDeadline: r.nextDeadline!,
          // A chargeback alone runs one deadline: Shortfall's date for the owner's approval of its evidence.
          ...(r.kind === 'dispute' && { what: "Shortfall's date to approve the evidence" }),
        };
      };
      return page(req, reply, 'dashboard', {
        title: 'Dashboard',
        empty: rows.length === 0,
        totals: p.totals.map((t) => ({
          ...t,
          urls: {
            outstanding: casesUrl({ currency: t.currency, figure: 'outstanding' }),
            inDispute: casesUrl({ currency: t.currency, figure: 'in_dispute' }),
            recovered: casesUrl({ currency: t.currency, figure: 'recovered' }),
            conceded: casesUrl({ currency: t.currency, figure: 'conceded' }),
          },
        })),
        byStatus: p.byStatus.map((s) => ({ ...s, url: casesUrl({ status: s.status }) })),
        overdue: p.overdue.slice(0, 10).map(dueRow),
        overdueCount: p.overdue.length,
        dueSoon: p.dueSoon.slice(0, 10).map(dueRow),
        dueSoonCount: p.dueSoon.length,
        charts,
      });
    });
  };
}
