// Invoices: the organisation's invoices with something still owed, where the owner marks one as on an agreed
// payment plan or as a deposit before any case opens (README, "Arrangements"). A running case is arranged from its
// own page instead, which also closes it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toDecimalString } from '../../../domain/money.js';
import { removeArrangement } from '../../../services/ledger/arrangements.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { noticeText } from '../notices.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { requireCsrf } from '../security/csrf.js';
import {
  findInvoice,
  invoicePageSize,
  openInvoices,
  recordArrangement,
  type Arranger,
  type OpenInvoice,
} from './arrangements.js';
import type { ArrangementFields } from './plan-form.js';

/** Rows of the plan form on its own page; the case page offers fewer. */
export const planFormRows = 12;

const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const Body = z.object({
  kind: z.string().optional().default(''),
  dueOn: many,
  amount: many,
  _csrf: z.string().optional(),
});
const Params = z.object({ connectionId: z.uuid(), invoiceId: z.string().min(1).max(200) });

export const arrangementPath = (inv: Pick<OpenInvoice, 'connectionId' | 'externalId'>) =>
  `/invoices/${inv.connectionId}/${encodeURIComponent(inv.externalId)}/arrangement`;

export const arrangerOf = (req: FastifyRequest): Arranger => {
  const user = userOf(req);
  return {
    organisationId: user.organisation.id,
    email: user.email,
    timeZone: user.organisation.timeZone,
    locale: user.organisation.locale,
    nowMs: req.nowMs || Date.now(),
  };
};

/** The form's rows: what was typed (after an error), else the arrangement on record, padded with empty rows. */
export function formRows(
  fields: ArrangementFields | undefined,
  inv: OpenInvoice,
  rows: number,
): { dueOn: string; amount: string }[] {
  const typed = fields
    ? Array.from({ length: Math.max(fields.dueOn.length, fields.amount.length) }, (_, i) => ({
        dueOn: fields.dueOn[i] ?? '',
        amount: fields.amount[i] ?? '',
      }))
    : (inv.arrangement?.instalments ?? []).map((i) => ({
        dueOn: i.dueOn,
        amount: toDecimalString({ minor: i.amountMinor, currency: inv.currency }),
      }));
  const filled = typed.filter((r) => r.dueOn || r.amount);
  return [...filled, ...Array.from({ length: Math.max(0, rows - filled.length) }, () => ({ dueOn: '', amount: '' }))];
}

export function arrangementRoutes(deps: WebDeps) {
  async function load(req: FastifyRequest<{ Params: z.infer<typeof Params> }>): Promise<OpenInvoice> {
    const inv = await findInvoice(deps.db, userOf(req).organisation.id, req.params.connectionId, req.params.invoiceId);
    if (!inv)
      throw new PageError(404, 'not_found', 'Invoice not found', 'There is no such invoice on your connections.');
    return inv;
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    app.get(
      '/invoices',
      { schema: { querystring: z.object({ notice: z.string().optional() }) } },
      async (req, reply) => {
        const { rows, more } = await openInvoices(deps.db, userOf(req).organisation.id);
        return page(req, reply, 'invoices', {
          title: 'Invoices',
          rows: rows.map((r) => ({ ...r, href: arrangementPath(r) })),
          more,
          limit: invoicePageSize,
          notice: noticeText(req.query.notice),
        });
      },
    );

    app.get('/invoices/:connectionId/:invoiceId/arrangement', { schema: { params: Params } }, async (req, reply) => {
      const inv = await load(req);
      return page(req, reply, 'arrangement', {
        title: `Invoice ${inv.number}`,
        inv,
        action: arrangementPath(inv),
        kind: inv.arrangement?.kind ?? '',
        rows: formRows(undefined, inv, planFormRows),
        errors: [],
      });
    });

    app.post(
      '/invoices/:connectionId/:invoiceId/arrangement',
      { schema: { params: Params, body: Body }, preHandler: requireCsrf },
      async (req, reply) => {
        const inv = await load(req);
        const fields = { kind: req.body.kind, dueOn: req.body.dueOn, amount: req.body.amount };
        const again = (errors: readonly string[], status: number) =>
          page(
            req,
            reply,
            'arrangement',
            {
              title: `Invoice ${inv.number}`,
              inv,
              action: arrangementPath(inv),
              kind: fields.kind,
              rows: formRows(fields, inv, planFormRows),
              errors,
            },
            status,
          );
        // A running case is closed with the arrangement on its own page, so the owner sees what closing it means.
        if (inv.caseId)
          return again(
            ['A case is open for this invoice. Record the arrangement on the case page: that also closes the case.'],
            409,
          );
        if (inv.balanceMinor <= 0) return again(['Nothing is still owed on this invoice.'], 409);
        const recorded = await recordArrangement(deps.db, inv, fields, arrangerOf(req));
        if (!recorded.ok) return again(recorded.errors, 400);
        req.log.info(
          { connectionId: inv.connectionId, invoiceId: inv.externalId, kind: fields.kind },
          'arrangement recorded',
        );
        return reply.redirect('/invoices?notice=arrangement_recorded', 303);
      },
    );

    app.post(
      '/invoices/:connectionId/:invoiceId/arrangement/remove',
      { schema: { params: Params, body: z.object({ _csrf: z.string().optional() }) }, preHandler: requireCsrf },
      async (req, reply) => {
        const inv = await load(req);
        await removeArrangement(deps.db, {
          connectionId: inv.connectionId,
          provider: inv.provider,
          accountId: inv.accountId,
          invoiceExternalId: inv.externalId,
        });
        req.log.info({ connectionId: inv.connectionId, invoiceId: inv.externalId }, 'arrangement removed');
        return reply.redirect('/invoices?notice=arrangement_removed', 303);
      },
    );
  };
}
