// Customers, invoices (with lines), invoice payments and payment records.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseParams } from '../errors.js';
import { allLines, createCustomer, liveInvoice, publicInvoice } from '../model/invoices.js';
import type { Runtime } from '../pipeline.js';
import { api } from '../pipeline.js';
import { listEndpoint, pageOfLines, retrieveEndpoint } from './common.js';

const paymentFilter = z.strictObject({
  type: z.enum(['payment_intent', 'payment_record']),
  payment_intent: z.string().optional(),
  payment_record: z.string().optional(),
});

export function billingRoutes(app: FastifyInstance, rt: Runtime): void {
  const CustomerParams = z.strictObject({
    name: z.string().optional(),
    email: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  });
  api(app, rt, 'POST', '/v1/customers', 'customers', ({ data, body }) => {
    const p = parseParams(CustomerParams, body);
    return createCustomer(rt.store, data, { name: p.name ?? '', ...(p.email && { email: p.email }) });
  });
  api(
    app,
    rt,
    'GET',
    '/v1/customers',
    'customers',
    listEndpoint({
      collection: (d) => d.customers,
      url: '/v1/customers',
      filters: { email: z.string().optional() },
      keep: (c, p) => !p.email || c.email === p.email,
    }),
  );
  api(app, rt, 'GET', '/v1/customers/:id', 'customers', retrieveEndpoint({ find: (d, id) => d.customers.get(id) }));

  api(
    app,
    rt,
    'GET',
    '/v1/invoices',
    'invoices',
    listEndpoint({
      collection: (d) => d.invoices,
      url: '/v1/invoices',
      filters: {
        customer: z.string().optional(),
        status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']).optional(),
      },
      keep: (i, p) => (!p.customer || i.customer === p.customer) && (!p.status || i.status === p.status),
      expandable: ['customer'],
      view: publicInvoice,
    }),
  );
  api(
    app,
    rt,
    'GET',
    '/v1/invoices/:id',
    'invoices',
    retrieveEndpoint({ find: liveInvoice, expandable: ['customer'], view: publicInvoice }),
  );
  api(app, rt, 'GET', '/v1/invoices/:id/lines', 'invoices', ({ data, params, query }) =>
    pageOfLines(allLines(liveInvoice(data, params.id ?? '')), query, `/v1/invoices/${params.id ?? ''}/lines`),
  );

  api(
    app,
    rt,
    'GET',
    '/v1/invoice_payments',
    'invoice_payments',
    listEndpoint({
      collection: (d) => d.invoicePayments,
      url: '/v1/invoice_payments',
      filters: {
        invoice: z.string().optional(),
        status: z.enum(['open', 'paid', 'canceled']).optional(),
        payment: paymentFilter.optional(),
      },
      keep: (ip, p) => {
        const pay = ip.payment as Record<string, string>;
        const byPayment =
          !p.payment ||
          (pay.type === p.payment.type &&
            (!p.payment.payment_intent || pay.payment_intent === p.payment.payment_intent) &&
            (!p.payment.payment_record || pay.payment_record === p.payment.payment_record));
        return (!p.invoice || ip.invoice === p.invoice) && (!p.status || ip.status === p.status) && byPayment;
      },
      expandable: ['payment.payment_record', 'payment.payment_intent', 'invoice'],
    }),
  );
  api(
    app,
    rt,
    'GET',
    '/v1/invoice_payments/:id',
    'invoice_payments',
    retrieveEndpoint({
      find: (d, id) => d.invoicePayments.get(id),
      expandable: ['payment.payment_record', 'payment.payment_intent', 'invoice'],
    }),
  );

  api(
    app,
    rt,
    'GET',
    '/v1/payment_records',
    'payment_records',
    listEndpoint({ collection: (d) => d.paymentRecords, url: '/v1/payment_records', filters: {} }),
  );
  api(
    app,
    rt,
    'GET',
    '/v1/payment_records/:id',
    'payment_records',
    retrieveEndpoint({ find: (d, id) => d.paymentRecords.get(id) }),
  );
}
