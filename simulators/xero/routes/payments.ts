// /Payments: list, paged and filtered like invoices.
import type { FastifyInstance } from 'fastify';
import type { Organisation, SimPayment } from '../organisation.js';
import { list, type Fields } from '../query.js';
import { renderPayment } from '../render.js';
import type { SimState } from '../state.js';
import { orgOf } from './api-guard.js';
import { listQueryOf, wrap } from './common.js';

const paymentFields = (org: Organisation): Fields<SimPayment> => ({
  PaymentType: (p) => (org.invoices.get(p.invoiceId)?.type === 'ACCPAY' ? 'ACCPAYPAYMENT' : 'ACCRECPAYMENT'),
  Status: (p) => p.status,
  PaymentID: (p) => p.id,
  'Invoice.InvoiceID': (p) => p.invoiceId,
  Reference: (p) => p.reference,
  Date: (p) => p.date,
  UpdatedDateUTC: (p) => p.updatedAt,
});

export function paymentRoutes(state: SimState) {
  return async (app: FastifyInstance) => {
    app.get('/Payments', async (req) => {
      const org = orgOf(req);
      const page = list(org.payments.values(), listQueryOf(req), paymentFields(org), (p) => p.id);
      return wrap(state, {
        ...(page.pagination && { pagination: page.pagination }),
        Payments: page.rows.map((p) => renderPayment(org, p)),
      });
    });
  };
}
