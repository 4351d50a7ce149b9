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
