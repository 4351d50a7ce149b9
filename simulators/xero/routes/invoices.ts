// /Invoices: list (paged, filtered, If-Modified-Since), one invoice as JSON or PDF, and its history notes.
import type { FastifyInstance } from 'fastify';
import { fromCents } from '../amounts.js';
import { SimValidationError } from '../errors.js';
import type { Organisation, SimInvoice } from '../organisation.js';
import { invoicePdf } from '../pdf.js';
import { list, type Fields } from '../query.js';
import { renderHistory, renderInvoice } from '../render.js';
import type { SimState } from '../state.js';
import { orgOf } from './api-guard.js';
import { idempotent, listQueryOf, wrap } from './common.js';
import { listOf } from './wire-input.js';
import { onlineInvoicePath, onlineInvoiceToken } from '../online-invoice.js';

const invoiceFields = (org: Organisation): Fields<SimInvoice> => ({
  Type: (i) => i.type,
  Status: (i) => i.status,
  InvoiceID: (i) => i.id,
  InvoiceNumber: (i) => i.number,
  Reference: (i) => i.reference,
  'Contact.ContactID': (i) => i.contactId,
  CurrencyCode: (i) => i.currency,
  Date: (i) => i.date,
  DueDate: (i) => i.dueDate,
  AmountDue: (i) => org.amountDue(i),
  UpdatedDateUTC: (i) => i.updatedAt,
});

const wantsPdf = (accept: string | undefined) =>
  (accept ?? '').split(',').some((t) => t.split(';')[0]?.trim() === 'application/pdf');

export function invoiceRoutes(state: SimState) {
  return async (app: FastifyInstance) => {
    app.get('/Invoices', async (req) => {
      const org = orgOf(req);
      const q = listQueryOf(req);
      const page = list(org.invoices.values(), q, invoiceFields(org), (i) => i.id);
      return wrap(state, {
        ...(page.pagination && { pagination: page.pagination }),
        Invoices: page.rows.map((i) => renderInvoice(org, i, { lines: q.page !== undefined })),
      });
    });

    app.get('/Invoices/:InvoiceID', async (req, reply) => {
      const org = orgOf(req);
      const inv = org.invoice((req.params as { InvoiceID: string }).InvoiceID);
      if (wantsPdf(req.headers.accept)) {
        const contact = org.contacts.get(inv.contactId);
        const text = [
          org.name,
          `Tax invoice ${inv.number}`,
          `To: ${contact?.name ?? ''}`,
          `Total: ${fromCents(inv.totals.total).toFixed(2)} ${inv.currency}`,
          `Due: ${fromCents(org.amountDue(inv)).toFixed(2)} ${inv.currency}`,
        ];
        return reply.type('application/pdf').send(invoicePdf(text));
      }
      return wrap(state, { Invoices: [renderInvoice(org, inv, { lines: true })] });
    });

    // Xero's online invoice, where the client sees and pays it: sales invoices only, and none for a draft.
    app.get('/Invoices/:InvoiceID/OnlineInvoice', async (req) => {
      const org = orgOf(req);
      const inv = org.invoice((req.params as { InvoiceID: string }).InvoiceID);
      if (inv.type !== 'ACCREC') throw new SimValidationError('Online invoices are only available for sales invoices');
      if (inv.status !== 'AUTHORISED' && inv.status !== 'PAID')
        throw new SimValidationError(`An online invoice is not available for a ${inv.status} invoice`);
      return wrap(state, {
        OnlineInvoices: [
          { OnlineInvoiceUrl: `${state.baseUrl}${onlineInvoicePath}${onlineInvoiceToken(org.tenantId, inv.id)}` },
        ],
      });
    });

    app.get('/Invoices/:InvoiceID/History', async (req) => {
      const org = orgOf(req);
      const inv = org.invoice((req.params as { InvoiceID: string }).InvoiceID);
      return wrap(state, { HistoryRecords: (org.history.get(inv.id) ?? []).map(renderHistory) });
    });

    app.put('/Invoices/:InvoiceID/History', async (req, reply) =>
      idempotent(state, req, reply, () => {
        const org = orgOf(req);
        const invoiceId = (req.params as { InvoiceID: string }).InvoiceID;
        const records = listOf(req.body, 'HistoryRecords').map((r) => {
          const details =
            typeof r === 'object' && r !== null && 'Details' in r && typeof r.Details === 'string'
              ? r.Details
              : undefined;
          if (details === undefined) throw new SimValidationError('Each history record needs Details');
          return org.addHistory(invoiceId, details, state.providerName);
        });
        return {
          status: 200,
          body: wrap(state, {
            HistoryRecords: records.map((r) => ({ Details: r.details, DateUTC: renderHistory(r).DateUTC })),
          }),
        };
      }),
    );
  };
}
