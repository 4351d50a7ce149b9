// QuickBooks' own payment page for an invoice, where its InvoiceLink leads: the invoice, its balance and a pay
// button (the simulator takes no money). Reached without a token, like the link QuickBooks emails to the client.
import type { FastifyInstance } from 'fastify';
import type { SimulatorCore } from './core.js';

export const invoiceLinkPath = '/portal/app/CommerceNetwork/view/scs-v1-';

export const invoiceLinkToken = (realmId: string, invoiceId: string): string =>
  Buffer.from(`${realmId}:${invoiceId}`).toString('base64url');

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function registerPaymentPage(server: FastifyInstance, core: SimulatorCore): void {
  server.get<{ Params: { token: string } }>(`${invoiceLinkPath}:token`, async (req, reply) => {
    const [realmId = '', invoiceId = ''] = Buffer.from(req.params.token, 'base64url').toString().split(':');
    const company = core.companies.get(realmId);
    const invoice = company?.table('Invoice').get(invoiceId)?.json;
    const online = invoice && (invoice.AllowOnlineCreditCardPayment || invoice.AllowOnlineACHPayment);
    if (!company || !invoice || !online) return reply.code(404).type('text/plain').send('Not found');
    const balance = `${invoice.Balance.toFixed(2)} ${invoice.CurrencyRef.value}`;
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
          `<title>Invoice ${escape(invoice.DocNumber)}</title></head><body><main>` +
          `<h1>${escape(company.settings.name)}: invoice ${escape(invoice.DocNumber)}</h1>` +
          (invoice.Balance > 0
            ? `<p>Balance due ${escape(balance)}</p><button type="button">Pay ${escape(balance)}</button>`
            : `<p>This invoice is paid.</p>`) +
          `<p>Simulated QuickBooks payment page</p></main></body></html>`,
      );
  });
}
