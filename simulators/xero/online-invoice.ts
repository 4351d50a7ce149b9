// Xero's online invoice page (in.xero.com in production), where OnlineInvoiceUrl leads: the invoice, what is due and
// a pay button (the simulator takes no money). Reached without a token, like the link Xero emails to the client.
import type { FastifyInstance } from 'fastify';
import { fromCents } from './amounts.js';
import type { SimState } from './state.js';

export const onlineInvoicePath = '/in/';

export const onlineInvoiceToken = (tenantId: string, invoiceId: string): string =>
  Buffer.from(`${tenantId}:${invoiceId}`).toString('base64url');

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function onlineInvoiceRoutes(state: SimState) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { token: string } }>(`${onlineInvoicePath}:token`, async (req, reply) => {
      const [tenantId = '', invoiceId = ''] = Buffer.from(req.params.token, 'base64url').toString().split(':');
      const org = state.orgs.get(tenantId);
      const inv = org?.invoices.get(invoiceId);
      if (!org || !inv || inv.type !== 'ACCREC' || (inv.status !== 'AUTHORISED' && inv.status !== 'PAID'))
        return reply.code(404).type('text/plain').send('Not found');
      const due = `${fromCents(org.amountDue(inv)).toFixed(2)} ${inv.currency}`;
      return reply
        .type('text/html; charset=utf-8')
        .send(
          `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
            `<title>Invoice ${escape(inv.number)}</title></head><body><main>` +
            `<h1>${escape(org.name)}: invoice ${escape(inv.number)}</h1>` +
            (org.amountDue(inv) > 0
              ? `<p>Amount due ${escape(due)}</p><button type="button">Pay ${escape(due)}</button>`
              : `<p>This invoice is paid.</p>`) +
            `<p>Simulated Xero online invoice</p></main></body></html>`,
        );
    });
  };
}
