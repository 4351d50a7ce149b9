// CSV exports for a bookkeeper's spreadsheet: the case list as filtered (same query as /cases) and one case's
// audit trail. Streamed row by row (csv-stringify quotes commas, quotes and line breaks); amounts are exact
// decimals in their own column beside the currency; text that a spreadsheet would run as a formula is quoted.
import { projectedFigures } from '../../../domain/account.js';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { money, toDecimalString } from '../../../domain/money.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { formatters } from '../format.js';
import { PageError } from '../page-error.js';
import { allCases, auditTrail, findCase } from './queries.js';
import { CaseListQuery, caseFilters } from './list-routes.js';

/** A cell a spreadsheet would read as a formula (=, +, -, @, tab, CR) is kept as text. */
export const textCell = (v: string | null | undefined): string => {
  const s = v ?? '';
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
};

function sendCsv(reply: FastifyReply, filename: string, rows: AsyncIterable<unknown[]>, header: readonly string[]) {
  const csv = stringify({ bom: true, header: true, columns: [...header], record_delimiter: 'windows' });
  Readable.from(rows).pipe(csv);
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(csv);
}

const CaseParams = z.object({ id: z.uuid() });

export function caseExportRoutes(deps: WebDeps) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    app.get('/cases.csv', { schema: { querystring: CaseListQuery } }, async (req, reply) => {
      const { page: _page, ...filters } = caseFilters(req.query);
      const user = userOf(req);
      const base = deps.settings.publicUrl;
      const amount = (minor: number | null | undefined, currency: string) =>
        minor === null || minor === undefined ? '' : toDecimalString(money(minor, currency));
      async function* rows() {
        for await (const c of allCases(deps.db, user.organisation.id, filters)) {
          const s = c.standing;
          // The figures the case list shows (`projectedFigures`): what a card processor holds is paid, not owed.
          const fig = projectedFigures({ ...c, owedMinor: c.disputedMinor });
          yield [
            textCell(c.invoiceNumber),
            textCell(c.customerName),
            textCell(c.customerEmail),
            c.provider ?? '',
            c.status,
            c.currency,
            amount(c.invoiceTotalMinor, c.currency),
            amount(fig.paid.minor, c.currency),
            amount(fig.stillOwed.minor, c.currency),
            amount(fig.inDispute.minor, c.currency),
            amount(s?.recovered.minor ?? 0, c.currency),
            amount(s?.conceded.minor ?? 0, c.currency),
            c.nextDeadline?.toISOString() ?? '',
            c.createdAt.toISOString(),
            `${base}/cases/${c.id}`,
          ];
        }
      }
      const day = new Date(req.nowMs).toISOString().slice(0, 10);
      return sendCsv(reply, `shortfall-cases-${day}.csv`, rows(), [
        'Invoice',
        'Customer',
        'Customer email',
        'Provider',
        'Status',
        'Currency',
        'Invoice total',
        'Paid',
        'Still owed',
        'In dispute',
        'Recovered',
        'Conceded',
        'Next deadline (UTC)',
        'Opened (UTC)',
        'Link',
      ]);
    });

    app.get('/cases/:id/audit.csv', { schema: { params: CaseParams } }, async (req, reply) => {
      const user = userOf(req);
      const record = await findCase(deps.db, user.organisation.id, req.params.id);
      if (!record)
        throw new PageError(404, 'not_found', 'Case not found', 'There is no such case in your organisation.');
      const org = user.organisation;
      const f = formatters({ locale: org.locale, timeZone: org.timeZone, now: req.nowMs });
      async function* rows() {
        for (const e of await auditTrail(deps.db, record!.id))
          yield [
            e.at.toISOString(),
            f.dateTime(e.at),
            textCell(e.kind),
            textCell(e.actor),
            textCell(JSON.stringify(e.data)),
          ];
      }
      const name = (record.invoiceNumber ? `invoice-${record.invoiceNumber}` : record.id).replace(/[^\w.-]/g, '_');
      return sendCsv(reply, `shortfall-audit-${name}.csv`, rows(), [
        'At (UTC)',
        `At (${org.timeZone})`,
        'Event',
        'By',
        'Details',
      ]);
    });
  };
}
