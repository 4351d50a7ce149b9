// Settings → Tolerances: per currency, the remainder (an amount, or a percentage of the invoice, whichever is larger)
// that counts as a bank or conversion charge rather than a short payment. Detection reads them at the next sync.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { organisations } from '../../../services/db/schema.js';
import { Dec } from '../../../domain/decimal.js';
import {
  defaultAbsoluteTolerance,
  defaultPercentTolerance,
  type OrganisationTolerance,
} from '../../../domain/detection.js';
import { currencyExponents, formatMoney, parseDecimal, toDecimalString } from '../../../domain/money.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { noticeText } from '../notices.js';
import { page } from '../render.js';
import { requireCsrf } from '../security/csrf.js';

const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const Body = z.object({ currency: many, amount: many, percent: many, _csrf: z.string().optional() });

export interface ToleranceRow {
  readonly currency: string;
  readonly amount: string;
  readonly percent: string;
}

/** Reads the submitted rows; a row whose three fields are empty is dropped. Errors name the row. */
export function parseTolerances(
  rows: readonly ToleranceRow[],
): { ok: true; value: Record<string, OrganisationTolerance> } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const value: Record<string, OrganisationTolerance> = {};
  rows.forEach((r, i) => {
    const currency = r.currency.trim().toUpperCase();
    if (!currency && !r.amount.trim() && !r.percent.trim()) return;
    const where = `Row ${i + 1}${currency ? ` (${currency})` : ''}`;
    if (!currencyExponents.has(currency))
      return void errors.push(`${where}: enter a three-letter ISO currency code, such as USD or EUR.`);
    if (value[currency]) return void errors.push(`${where}: ${currency} appears twice.`);
    let absoluteMinor: number;
    try {
      absoluteMinor = parseDecimal(r.amount.trim() || '0', currency).minor;
    } catch {
      return void errors.push(
        `${where}: the amount must be a number with at most ${currencyExponents.get(currency)} decimals, such as 50 or 50.00.`,
      );
    }
    if (absoluteMinor < 0) return void errors.push(`${where}: the amount cannot be negative.`);
    let percent: number;
    try {
      const p = new Dec(r.percent.trim() || '0');
      if (p.isNaN() || p.lt(0) || p.gt(10) || p.decimalPlaces() > 2) throw new Error('range');
      percent = p.toNumber();
    } catch {
      return void errors.push(
        `${where}: the percentage must be between 0 and 10 with at most two decimals, such as 1 or 0.5.`,
      );
    }
    value[currency] = { absoluteMinor, percent };
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

const asRows = (own: Record<string, OrganisationTolerance>): ToleranceRow[] => [
  ...Object.entries(own).map(([currency, t]) => ({
    currency,
    amount: toDecimalString({ minor: t.absoluteMinor, currency }),
    percent: String(t.percent),
  })),
  { currency: '', amount: '', percent: '' },
];

export function toleranceRoutes(deps: WebDeps) {
  const model = (locale: string, rows: readonly ToleranceRow[], errors: readonly string[] = [], notice?: string) => ({
    title: 'Tolerances',
    rows,
    errors,
    notice,
    defaultPercent: defaultPercentTolerance,
    defaults: Object.entries(defaultAbsoluteTolerance).map(([currency, minor]) =>
      formatMoney({ minor, currency }, locale),
    ),
  });
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    app.get(
      '/settings/tolerances',
      { schema: { querystring: z.object({ notice: z.string().optional() }) } },
      async (req, reply) => {
        const org = userOf(req).organisation;
        const [row] = await deps.db
          .select({ tolerances: organisations.tolerances, locale: organisations.locale })
          .from(organisations)
          .where(eq(organisations.id, org.id));
        return page(
          req,
          reply,
          'tolerances',
          model(row?.locale ?? 'en-US', asRows(row?.tolerances ?? {}), [], noticeText(req.query.notice)),
        );
      },
    );

    app.post('/settings/tolerances', { schema: { body: Body }, preHandler: requireCsrf }, async (req, reply) => {
      const org = userOf(req).organisation;
      const { currency, amount, percent } = req.body;
      const rows = currency.map((c, i) => ({ currency: c, amount: amount[i] ?? '', percent: percent[i] ?? '' }));
      const parsed = parseTolerances(rows);
      const [row] = await deps.db
        .select({ locale: organisations.locale })
        .from(organisations)
        .where(eq(organisations.id, org.id));
      if (!parsed.ok) return page(req, reply, 'tolerances', model(row?.locale ?? 'en-US', rows, parsed.errors), 400);
      await deps.db.update(organisations).set({ tolerances: parsed.value }).where(eq(organisations.id, org.id));
      req.log.info({ organisationId: org.id, currencies: Object.keys(parsed.value) }, 'tolerances saved');
      return reply.redirect('/settings/tolerances?notice=tolerances_saved', 303);
    });
  };
}
