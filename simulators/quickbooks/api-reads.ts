// Reads: query, change data capture, single entities, the invoice PDF, company preferences.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { quickbooksLimits } from '../../integrations/quickbooks/limits.js';
import type { ApiContext } from './api-routes.js';
import type { Company } from './company.js';
import { entityNamed, entityNames, type EntityName, type InvoiceJson } from './entities.js';
import { invoiceLinkPath, invoiceLinkToken } from './payment-page.js';
import { queryParserError, validationFault } from './faults.js';
import { invoicePdf } from './pdf.js';
import { parseQuery, runQuery } from './query.js';
import { wholeSecond } from './time.js';

const unsupported = (detail: string) => validationFault('2010', 'Request has invalid or unsupported property', detail);

function queryResponse(company: Company, text: string) {
  const q = parseQuery(text, quickbooksLimits.queryPageSize);
  const { rows, totalCount } = runQuery(
    [...company.table(q.entity).values()].map((s) => s.json),
    q,
  );
  if (q.count) return { totalCount };
  // QBO leaves an empty page as an empty object: no list, no positions.
  return rows.length === 0 ? {} : { [q.entity]: rows, startPosition: q.startPosition, maxResults: rows.length };
}

interface Changed {
  readonly entity: EntityName;
  readonly at: number;
  readonly json: object;
}

function changesSince(company: Company, entities: readonly EntityName[], sinceMs: number): Changed[] {
  const live = entities.flatMap((entity) =>
    [...company.table(entity).values()]
      .filter((s) => wholeSecond(s.updatedMs) >= sinceMs)
      .map((s) => ({ entity, at: s.updatedMs, json: s.json })),
  );
  const deleted = company.tombstones
    .filter((t) => entities.includes(t.entity) && wholeSecond(t.deletedMs) >= sinceMs)
    .map((t) => ({
      entity: t.entity,
      at: t.deletedMs,
      json: { domain: 'QBO', status: 'Deleted', Id: t.id, MetaData: { LastUpdatedTime: t.lastUpdated } },
    }));
  // Oldest first, then cut at CDC's cap: whatever changed later is silently left out, as in QBO.
  return [...live, ...deleted].sort((a, b) => a.at - b.at).slice(0, quickbooksLimits.cdcMaxObjects);
}

function cdcGroups(entities: readonly EntityName[], changed: readonly Changed[]) {
  return entities.map((entity) => {
    const rows = changed.filter((c) => c.entity === entity).map((c) => c.json);
    return rows.length === 0
      ? {}
      : { [entity]: rows, startPosition: 1, maxResults: rows.length, totalCount: rows.length };
  });
}

function parseCdcRequest(company: Company, query: unknown): { entities: EntityName[]; sinceMs: number } {
  const parsed = z.object({ entities: z.string().min(1), changedSince: z.string().min(1) }).safeParse(query);
  if (!parsed.success)
    throw validationFault(
      '2020',
      'Required param missing, need to supply the required value for the API',
      'entities and changedSince are required',
    );
  const names = parsed.data.entities.split(',').map((n) => n.trim());
  const entities = names.map(entityNamed).filter((e): e is EntityName => e !== undefined);
  if (entities.length !== names.length) throw unsupported(`entities: only ${entityNames.join(', ')} are simulated`);
  const sinceMs = Date.parse(parsed.data.changedSince);
  if (Number.isNaN(sinceMs)) throw unsupported(`changedSince: not a date-time: ${parsed.data.changedSince}`);
  if (company.clock() - sinceMs > quickbooksLimits.cdcLookbackMs)
    throw unsupported('changedSince: CDC looks back at most 30 days');
  return { entities, sinceMs };
}

function preferencesJson(company: Company) {
  const p = company.preferences;
  return {
    Id: '1',
    SyncToken: String(p.syncToken),
    domain: 'QBO',
    sparse: false,
    MetaData: { CreateTime: company.time(p.createdMs), LastUpdatedTime: company.time(p.updatedMs) },
    SalesFormsPrefs: {
      AutoApplyCredit: company.settings.autoApplyCredit,
      AutoApplyPayments: true,
      CustomTxnNumbers: false,
    },
    CurrencyPrefs: { MultiCurrencyEnabled: false, HomeCurrency: { value: company.settings.homeCurrency } },
    // A VAT/GST company (outside the US) always uses sales tax; the simulated US companies charge none.
    TaxPrefs: {
      UsingSalesTax: company.settings.country !== 'US',
      PartnerTaxEnabled: company.settings.country !== 'US',
    },
  };
}

function companyInfoJson(company: Company) {
  const p = company.preferences;
  return {
    Id: '1',
    SyncToken: '0',
    domain: 'QBO',
    sparse: false,
    MetaData: { CreateTime: company.time(p.createdMs), LastUpdatedTime: company.time(p.createdMs) },
    CompanyName: company.settings.name,
    LegalName: company.settings.name,
    Country: company.settings.country,
  };
}

const includes = (query: unknown, what: string): boolean => {
  const include = (query as { include?: unknown }).include;
  return typeof include === 'string' && include.split(',').some((i) => i.trim().toLowerCase() === what.toLowerCase());
};

/** QuickBooks' link to its own payment page: only for an invoice the client can pay online that has an email. */
function invoiceLink(company: Company, invoice: InvoiceJson, origin: string): string | undefined {
  const online = invoice.AllowOnlineCreditCardPayment === true || invoice.AllowOnlineACHPayment === true;
  if (!online || !invoice.BillEmail?.Address) return undefined;
  return `${origin}${invoiceLinkPath}${invoiceLinkToken(company.realmId, invoice.Id)}`;
}

export function registerReads(api: FastifyInstance, ctx: ApiContext): void {
  api.get('/query', async (req) => {
    const company = ctx.company(req);
    const text = z.object({ query: z.string() }).safeParse(req.query);
    if (!text.success) throw queryParserError('the query parameter is missing');
    return { QueryResponse: queryResponse(company, text.data.query), time: ctx.core.responseTime(company) };
  });

  api.get('/cdc', async (req) => {
    const company = ctx.company(req);
    const { entities, sinceMs } = parseCdcRequest(company, req.query);
    const changed = changesSince(company, entities, sinceMs);
    return { CDCResponse: [{ QueryResponse: cdcGroups(entities, changed) }], time: ctx.core.responseTime(company) };
  });

  for (const entity of entityNames) {
    api.get(`/${entity.toLowerCase()}/:id`, async (req) => {
      const company = ctx.company(req);
      const { id } = req.params as { id: string };
      const json = company.find(entity, id).json;
      // `?include=invoiceLink` adds the client's payment link to an invoice that can be paid online and has an email.
      if (entity === 'Invoice' && includes(req.query, 'invoiceLink')) {
        const link = invoiceLink(company, json as InvoiceJson, `${req.protocol}://${req.host}`);
        return { [entity]: { ...json, ...(link && { InvoiceLink: link }) }, time: ctx.core.responseTime(company) };
      }
      return { [entity]: json, time: ctx.core.responseTime(company) };
    });
  }

  api.get('/invoice/:id/pdf', async (req, reply) => {
    const invoice = ctx.company(req).find('Invoice', (req.params as { id: string }).id);
    return reply.type('application/pdf').send(invoicePdf(`Invoice ${invoice.json.DocNumber}`));
  });

  api.get('/companyinfo/:id', async (req) => {
    const company = ctx.company(req);
    if ((req.params as { id: string }).id !== company.realmId)
      throw validationFault('610', 'Object Not Found', 'Object Not Found : CompanyInfo');
    return { CompanyInfo: companyInfoJson(company), time: ctx.core.responseTime(company) };
  });

  api.get('/preferences', async (req) => {
    const company = ctx.company(req);
    return { Preferences: preferencesJson(company), time: ctx.core.responseTime(company) };
  });
}
