// Writes: credit memos and payments, with `requestid` idempotency. A repeated requestid gets the stored
// answer, success or fault, and nothing is written again.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { quickbooksLimits } from '../../integrations/quickbooks/limits.js';
import type { ApiContext } from './api-routes.js';
import type { Company, Reply } from './company.js';
import type { Stored } from './entities.js';
import { QboFault, validationFault } from './faults.js';
import { createPayment, type PaymentInput } from './payments.js';
import { createCreditMemo, type CreditMemoInput } from './sales.js';

const Ref = z.object({ value: z.string(), name: z.string().optional() });

const CreditMemoBody = z.object({
  CustomerRef: Ref,
  CurrencyRef: Ref.optional(),
  TxnDate: z.iso.date().optional(),
  DocNumber: z.string().optional(),
  PrivateNote: z.string().optional(),
  GlobalTaxCalculation: z.enum(['TaxExcluded', 'TaxInclusive', 'NotApplicable']).optional(),
  Line: z
    .array(
      z.object({
        Amount: z.number().positive(),
        Description: z.string().optional(),
        DetailType: z.literal('SalesItemLineDetail'),
        SalesItemLineDetail: z
          .object({
            ItemRef: Ref.optional(),
            Qty: z.number().optional(),
            UnitPrice: z.number().optional(),
            TaxCodeRef: Ref.optional(),
          })
          .optional(),
      }),
    )
    .min(1),
});

const PaymentBody = z.object({
  CustomerRef: Ref,
  TotalAmt: z.number().nonnegative(),
  CurrencyRef: Ref.optional(),
  TxnDate: z.iso.date().optional(),
  PrivateNote: z.string().optional(),
  PaymentRefNum: z.string().optional(),
  PaymentMethodRef: Ref.optional(),
  Line: z
    .array(
      z.object({
        Amount: z.number().positive(),
        LinkedTxn: z.array(z.object({ TxnId: z.string(), TxnType: z.enum(['Invoice', 'CreditMemo']) })).length(1),
      }),
    )
    .default([]),
});

function bodyOf<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw validationFault(
      '2020',
      'Required param missing, need to supply the required value for the API',
      z.prettifyError(parsed.error),
    );
  return parsed.data;
}

function toCreditMemoInput(b: z.infer<typeof CreditMemoBody>): CreditMemoInput {
  return {
    customerId: b.CustomerRef.value,
    ...(b.CurrencyRef && { currency: b.CurrencyRef.value }),
    ...(b.TxnDate && { txnDate: b.TxnDate }),
    ...(b.DocNumber && { docNumber: b.DocNumber }),
    ...(b.PrivateNote !== undefined && { privateNote: b.PrivateNote }),
    ...(b.GlobalTaxCalculation !== undefined && { globalTaxCalculation: b.GlobalTaxCalculation }),
    lines: b.Line.map((l) => ({
      amount: l.Amount,
      ...(l.Description !== undefined && { description: l.Description }),
      ...(l.SalesItemLineDetail?.Qty !== undefined && { qty: l.SalesItemLineDetail.Qty }),
      ...(l.SalesItemLineDetail?.UnitPrice !== undefined && { unitPrice: l.SalesItemLineDetail.UnitPrice }),
      ...(l.SalesItemLineDetail?.ItemRef && { item: l.SalesItemLineDetail.ItemRef }),
      ...(l.SalesItemLineDetail?.TaxCodeRef && { taxCode: l.SalesItemLineDetail.TaxCodeRef }),
    })),
  };
}

function toPaymentInput(b: z.infer<typeof PaymentBody>): PaymentInput {
  return {
    customerId: b.CustomerRef.value,
    totalAmt: b.TotalAmt,
    ...(b.CurrencyRef && { currency: b.CurrencyRef.value }),
    ...(b.TxnDate && { txnDate: b.TxnDate }),
    ...(b.PrivateNote !== undefined && { privateNote: b.PrivateNote }),
    ...(b.PaymentRefNum !== undefined && { refNum: b.PaymentRefNum }),
    ...(b.PaymentMethodRef && { method: b.PaymentMethodRef }),
    lines: b.Line.flatMap((l) => l.LinkedTxn.map((t) => ({ amount: l.Amount, txnId: t.TxnId, txnType: t.TxnType }))),
  };
}

function requestIdOf(req: FastifyRequest): string | undefined {
  const requestId = (req.query as { requestid?: string }).requestid;
  if (requestId !== undefined && requestId.length > quickbooksLimits.requestIdMaxLength) {
    throw validationFault(
      '2010',
      'Request has invalid or unsupported property',
      `requestid is longer than ${quickbooksLimits.requestIdMaxLength} characters`,
    );
  }
  return requestId;
}

// Runs a write once per requestid. The stored answer is a snapshot: later changes to the entity don't alter it.
async function idempotent(
  ctx: ApiContext,
  req: FastifyRequest,
  reply: FastifyReply,
  write: (company: Company) => Stored,
) {
  const company = ctx.company(req);
  const requestId = requestIdOf(req);
  const prior = requestId === undefined ? undefined : company.replies.get(requestId);
  if (prior) return reply.code(prior.status).send(prior.body);
  let answer: Reply;
  try {
    const stored = write(company);
    answer = {
      status: 200,
      body: structuredClone({ [stored.entity]: stored.json, time: ctx.core.responseTime(company) }),
    };
  } catch (e) {
    if (!(e instanceof QboFault)) throw e;
    answer = { status: e.status, body: e.body(ctx.core.responseTime(company)) };
  }
  if (requestId !== undefined) company.replies.set(requestId, answer);
  return reply.code(answer.status).send(answer.body);
}

export function registerWrites(api: FastifyInstance, ctx: ApiContext): void {
  api.post('/creditmemo', (req, reply) =>
    idempotent(ctx, req, reply, (company) =>
      createCreditMemo(company, toCreditMemoInput(bodyOf(CreditMemoBody, req.body))),
    ),
  );
  api.post('/payment', (req, reply) =>
    idempotent(ctx, req, reply, (company) => createPayment(company, toPaymentInput(bodyOf(PaymentBody, req.body)))),
  );
}
