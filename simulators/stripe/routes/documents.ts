// Hosted documents: the invoice PDF link Stripe puts in `invoice_pdf`.
import type { FastifyInstance } from 'fastify';
import type { StripeStore } from '../store.js';

/** A one-page PDF naming the invoice; enough for a client to store and attach. */
export function invoicePdf(number: string, total: string): Buffer {
  const text = `Invoice ${number} - total ${total}`.replace(/[()\\]/g, '');
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export function documentRoutes(app: FastifyInstance, store: StripeStore): void {
  app.get<{ Params: { account: string; id: string } }>('/invoice/:account/:id/pdf', async (req, reply) => {
    const invoice = store.account(req.params.account)?.invoices.find(req.params.id);
    if (!invoice || invoice.deleted || !invoice.number) return reply.code(404).type('text/plain').send('Not found');
    return reply
      .type('application/pdf')
      .send(invoicePdf(String(invoice.number), `${String(invoice.total)} ${String(invoice.currency).toUpperCase()}`));
  });
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The hosted invoice page `hosted_invoice_url` points at: the invoice, what remains to pay, and a pay button. */
export function hostedInvoiceRoutes(app: FastifyInstance, store: StripeStore): void {
  app.get<{ Params: { account: string; id: string } }>('/invoice/:account/:id', async (req, reply) => {
    const invoice = store.account(req.params.account)?.invoices.find(req.params.id);
    if (!invoice || invoice.deleted || !invoice.number) return reply.code(404).type('text/plain').send('Not found');
    const currency = String(invoice.currency).toUpperCase();
    const remaining = `${(Number(invoice.amount_remaining) / 100).toFixed(2)} ${currency}`;
    const open = invoice.status === 'open' || invoice.status === 'uncollectible';
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
          `<title>Invoice ${escape(String(invoice.number))}</title></head><body><main>` +
          `<h1>Invoice ${escape(String(invoice.number))}</h1>` +
          (open
            ? `<p>Amount due ${escape(remaining)}</p><button type="button">Pay ${escape(remaining)}</button>`
            : `<p>This invoice is ${escape(String(invoice.status))}: there is nothing to pay.</p>`) +
          `<p>Simulated Stripe hosted invoice page</p></main></body></html>`,
      );
  });
}
