// The case list: filters by status, provider, currency and the dashboard's figures, and a search over invoice
// numbers, customers, their email and amounts; soonest deadline first. The same filters export as CSV.
import { projectedFigures } from '../../../domain/account.js';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { providerKeys } from '../../../../integrations/registry.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { caseStatuses } from '../format.js';
import { noticeText } from '../notices.js';
import { page } from '../render.js';
import { caseFigures, listCases, type CaseFilters } from './queries.js';

const empty = z.literal('').transform(() => undefined);
export const CaseListQuery = z.object({
  status: z
    .enum(['active', 'closed', ...caseStatuses])
    .or(empty)
    .optional(),
  provider: z.enum(providerKeys).or(empty).optional(),
  customer: z.string().max(200).optional(),
  q: z.string().max(200).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'a three-letter currency code')
    .or(empty)
    .optional(),
  figure: z.enum(caseFigures).or(empty).optional(),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .or(empty)
    .optional(),
  due: z.enum(['overdue', 'week']).or(empty).optional(),
  page: z.coerce.number().int().min(0).max(10_000).default(0),
  notice: z.string().optional(),
});

export function caseFilters(q: z.infer<typeof CaseListQuery>): CaseFilters {
  return {
    status: q.status,
    provider: q.provider,
    customer: q.customer?.trim() || undefined,
    q: q.q?.trim() || undefined,
    currency: q.currency,
    figure: q.figure,
    month: q.month,
    due: q.due,
    page: q.page,
  };
}

/** The filters as a query string (empty ones left out), for links that keep them. */
export function filterQuery(f: Omit<CaseFilters, 'page'> & { page?: number }): string {
  const entries = Object.entries(f)
    .filter(([, v]) => v !== undefined && v !== '' && v !== 0)
    .map(([k, v]): [string, string] => [k, String(v)]);
  return new URLSearchParams(entries).toString();
}

const figureLabels: Readonly<Record<string, string>> = {
  outstanding: 'still owed',
  in_dispute: 'in dispute',
  recovered: 'with money recovered',
  conceded: 'with amounts conceded',
  disputed: 'opened',
};

/** What the dashboard's link selected, in words, so the list says which cases it shows. */
function selectionText(f: CaseFilters): string | undefined {
  const parts: string[] = [];
  if (f.figure)
    parts.push(
      f.month
        ? `${f.figure === 'recovered' ? 'recovering money' : 'opened'} in ${f.month}`
        : `cases ${figureLabels[f.figure]}`,
    );
  if (f.currency) parts.push(`in ${f.currency}`);
  if (f.due) parts.push(f.due === 'overdue' ? 'past their next deadline' : 'due within seven days');
  return parts.length > 0 ? `Showing ${parts.join(', ')}.` : undefined;
}

export function caseListRoutes(deps: WebDeps) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    app.get('/cases', { schema: { querystring: CaseListQuery } }, async (req, reply) => {
      const filters = caseFilters(req.query);
      const { rows, hasMore } = await listCases(deps.db, userOf(req).organisation.id, filters);
      const { page: _page, ...kept } = filters;
      const link = (p: number) => `/cases?${filterQuery({ ...kept, page: p })}`;
      return page(req, reply, 'cases', {
        title: 'Cases',
        filters,
        rows: rows.map((r) => ({ ...r, figures: projectedFigures({ ...r, owedMinor: r.disputedMinor }) })),
        statuses: caseStatuses,
        providers: providerKeys,
        filtered: Object.values(kept).some((v) => v !== undefined),
        selection: selectionText(filters),
        hidden: { currency: filters.currency, figure: filters.figure, month: filters.month, due: filters.due },
        exportUrl: `/cases.csv${filterQuery(kept) ? `?${filterQuery(kept)}` : ''}`,
        prevUrl: filters.page > 0 ? link(filters.page - 1) : undefined,
        nextUrl: hasMore ? link(filters.page + 1) : undefined,
        notice: noticeText(req.query.notice),
      });
    });
  };
}
