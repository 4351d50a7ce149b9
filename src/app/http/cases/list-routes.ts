// The case list: filters by status, provider and customer; soonest deadline first.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { providerKeys } from '../../../../integrations/registry.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { caseStatuses } from '../format.js';
import { noticeText } from '../notices.js';
import { page } from '../render.js';
import { listCases, type CaseFilters } from './queries.js';

const empty = z.literal('').transform(() => undefined);
const Query = z.object({
  status: z
    .enum(['active', 'closed', ...caseStatuses])
    .or(empty)
    .optional(),
  provider: z.enum(providerKeys).or(empty).optional(),
  customer: z.string().max(200).optional(),
  page: z.coerce.number().int().min(0).max(10_000).default(0),
  notice: z.string().optional(),
});

export function caseListRoutes(deps: WebDeps) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    app.get('/', async (_req, reply) => reply.redirect('/cases', 303));

    app.get('/cases', { schema: { querystring: Query } }, async (req, reply) => {
      const filters: CaseFilters = {
        status: req.query.status,
        provider: req.query.provider,
        customer: req.query.customer?.trim() || undefined,
        page: req.query.page,
      };
      const { rows, hasMore } = await listCases(deps.db, userOf(req).organisation.id, filters);
      const link = (p: number) =>
        `/cases?${new URLSearchParams({ status: filters.status ?? '', provider: filters.provider ?? '', customer: filters.customer ?? '', page: String(p) })}`;
      return page(req, reply, 'cases', {
        title: 'Cases',
        filters,
        rows,
        statuses: caseStatuses,
        providers: providerKeys,
        filtered: Boolean(filters.status || filters.provider || filters.customer),
        prevUrl: filters.page > 0 ? link(filters.page - 1) : undefined,
        nextUrl: hasMore ? link(filters.page + 1) : undefined,
        notice: noticeText(req.query.notice),
      });
    });
  };
}
