// Contract check: every request shape the Stripe connector sends goes through the real `stripe` package to
// stripe-mock, which validates parameters against Stripe's OpenAPI spec. The connector's own code builds the
// requests, so a shape that drifts from the spec fails here rather than in production.
import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreditNoteRequest } from '../../../integrations/types.js';
import { createStripeClient, type StripeClient } from '../../../integrations/stripe/client.js';
import { createStripeConnector, type StripeConnector } from '../../../integrations/stripe/connector.js';
import { creditNoteParams } from '../../../integrations/stripe/credit-notes.js';
import { encodeCursor } from '../../../integrations/stripe/cursor.js';
import { createStripeDisputeEvidence } from '../../../integrations/stripe/evidence.js';
import { createStripeConnect } from '../../../integrations/stripe/oauth.js';
import { findStripeMock, startStripeMock, type StripeMock } from './stripe-mock.js';

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** Runs `work` and returns each HTTP exchange it caused; the work's own result is returned too. */
async function exchanges<T>(
  client: StripeClient,
  work: () => Promise<T>,
): Promise<{ seen: Exchange[]; result: PromiseSettledResult<T> }> {
  const seen: Exchange[] = [];
  const record = (e: { method: string; path: string; status: number }) =>
    void seen.push({ method: e.method, path: e.path.split('?')[0] ?? e.path, status: e.status });
  client.sdk.on('response', record);
  const [result] = await Promise.allSettled([work()]);
  client.sdk.off('response', record);
  return { seen, result: result as PromiseSettledResult<T> };
}

const accepted = (seen: Exchange[]) => seen.map((e) => `${e.method} ${e.path} ${e.status}`);

describe('Stripe connector request shapes against stripe-mock', () => {
  const now = () => Date.parse('2026-05-01T12:00:00Z');
  // Each test awaits the start, so a missing stripe-mock fails every test with the install hint (never a skip).
  let started: Promise<StripeMock>;
  let client: StripeClient;
  let connector: StripeConnector;
  let mockUrl: string;

  beforeAll(() => {
    started = (async () => startStripeMock(findStripeMock()))();
    started.catch(() => undefined);
  });
  afterAll(async () => (await started.catch(() => undefined))?.stop());
  beforeEach(async () => {
    const mock = await started;
    mockUrl = mock.url;
    client = createStripeClient({
      apiKey: 'sk_test_123',
      stripeAccount: 'acct_1Contract',
      baseUrl: mock.url,
      maxNetworkRetries: 0,
      opsPerSecond: 1000,
    });
    connector = createStripeConnector({ client, accountId: 'acct_1Contract', now });
  });

  it('backfill lists: events anchor, invoices, credit notes, disputes', async () => {
    const { seen, result } = await exchanges(client, () => connector.pullChanges({}));
    expect(result.status).toBe('fulfilled');
    expect(accepted(seen)).toEqual(['GET /v1/events 200', 'GET /v1/invoices 200']);

    for (const stage of ['credit_notes', 'disputes'] as const) {
      const cursor = encodeCursor({ v: 1, kind: 'backfill', stage, feed: { since: 1_777_000_000 } });
      const run = await exchanges(client, () => connector.pullChanges({ pageCursor: cursor }));
      expect(run.result.status).toBe('fulfilled');
      expect(accepted(run.seen)).toEqual([`GET /v1/${stage} 200`]);
    }
  });

  it('invoice payments list and retrieve with the payment record expanded', async () => {
    const cursor = encodeCursor({ v: 1, kind: 'backfill', stage: 'invoice_payments', feed: { since: 1_777_000_000 } });
    const list = await exchanges(client, () => connector.pullChanges({ pageCursor: cursor }));
    const one = await exchanges(client, () => connector.reader.payment('inpay_123'));
    const byIntent = await exchanges(client, () => connector.reader.invoiceIdForPaymentIntent('pi_123'));
    // stripe-mock's canned invoice_payment says currency "currency" and status "status", which our schema rightly
    // refuses; the requests themselves must have been accepted.
    expect(accepted([...list.seen, ...one.seen, ...byIntent.seen])).toEqual([
      'GET /v1/invoice_payments 200',
      'GET /v1/invoice_payments/inpay_123 200',
      'GET /v1/invoice_payments 200',
    ]);
    expect(list.result).toMatchObject({
      status: 'rejected',
      reason: { kind: 'invalid', message: expect.stringContaining('unexpected payload') },
    });
  });

  it('the event feed: ending_before by event id and created[gt], with types[]', async () => {
    const after = encodeCursor({ v: 1, kind: 'events', after: 'evt_1Contract', at: 1_777_600_000 });
    const since = encodeCursor({ v: 1, kind: 'events_since', since: 1_777_600_000 });
    const a = await exchanges(client, () => connector.pullChanges({ cursor: after }));
    const b = await exchanges(client, () => connector.pullChanges({ cursor: since }));
    expect([a.result.status, b.result.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(accepted([...a.seen, ...b.seen])).toEqual(['GET /v1/events 200', 'GET /v1/events 200']);
  });

  it('re-reads single objects: invoice, credit note, dispute', async () => {
    const { seen, result } = await exchanges(client, async () => [
      await connector.getInvoice('in_123'),
      await connector.reader.creditNote('cn_123'),
      await connector.reader.dispute('dp_123'),
    ]);
    expect(result.status).toBe('fulfilled');
    expect(accepted(seen)).toEqual([
      'GET /v1/invoices/in_123 200',
      'GET /v1/credit_notes/cn_123 200',
      'GET /v1/disputes/dp_123 200',
    ]);
  });

  it('credit note: duplicate check, preview, then create with an Idempotency-Key', async () => {
    const request = (lines: CreditNoteRequest['lines']): CreditNoteRequest => ({
      invoiceId: 'in_123',
      currency: 'USD',
      lines,
      memo: 'Settlement of short payment',
      idempotencyKey: 'case/contract/credit/v1',
    });
    const custom = request([{ description: 'Agreed discount', amount: { minor: 18_000, currency: 'USD' } }]);
    const { seen, result } = await exchanges(client, () => connector.postCreditNote(custom));
    expect(accepted(seen)).toEqual(['GET /v1/credit_notes 200', 'GET /v1/credit_notes/preview 200']);
    // stripe-mock answers a canned preview (a fixed total, a placeholder post_payment_amount), so the connector's
    // preview checks rightly stop before creating; the create below is sent with the connector's own params.
    expect(result).toMatchObject({
      status: 'rejected',
      reason: { kind: 'invalid', message: expect.stringMatching(/Stripe would credit|exceeds what invoice/) },
    });

    const lineItem = request([
      { invoiceLineId: 'il_123', description: 'Consulting', amount: { minor: 6_000, currency: 'USD' } },
    ]);
    for (const req of [custom, { ...lineItem, idempotencyKey: 'case/contract/credit/v2' }]) {
      const params = creditNoteParams(req, 'order_change');
      const create = await exchanges(client, () =>
        client
          .call((s, o) => s.creditNotes.preview(params, o))
          .then(() => client.call((s, o) => s.creditNotes.create(params, o), { idempotencyKey: req.idempotencyKey })),
      );
      expect(create.result.status).toBe('fulfilled');
      expect(accepted(create.seen)).toEqual(['GET /v1/credit_notes/preview 200', 'POST /v1/credit_notes 200']);
    }
  });

  it('dispute evidence: file upload, staged update, submission, retrieve', async () => {
    const evidence = createStripeDisputeEvidence(client, connector.reader);
    const { seen, result } = await exchanges(client, async () => {
      const file = await evidence.uploadEvidenceFile(
        Buffer.from('%PDF-1.4\n%%EOF\n'),
        'receipt.pdf',
        'dispute_evidence',
      );
      await evidence.stageEvidence(
        'dp_123',
        { product_description: 'Annual retainer', customer_email_address: 'ap@example.com' },
        { receipt: file.fileId },
        'dispute/dp_123/evidence/v1',
      );
      return evidence.submitEvidence('dp_123', 'dispute/dp_123/submit/v1');
    });
    expect(result.status).toBe('fulfilled');
    expect(accepted(seen)).toEqual([
      'POST /v1/files 200',
      'POST /v1/disputes/dp_123 200',
      'GET /v1/disputes/dp_123 200',
      'POST /v1/disputes/dp_123 200',
    ]);
  });

  it('has teeth: stripe-mock refuses parameters outside the spec', async () => {
    const bogus = { limit: 100, shortfall_bogus: 'x' } as Stripe.InvoiceListParams;
    await expect(client.call((s, o) => s.invoices.list(bogus, o))).rejects.toMatchObject({
      kind: 'invalid',
      details: { status: 400 },
    });
    const update = { submit: false, shortfall_bogus: 'x' } as Stripe.DisputeUpdateParams;
    await expect(client.call((s, o) => s.disputes.update('dp_123', update, o))).rejects.toMatchObject({
      kind: 'invalid',
      details: { status: 400 },
    });
  });

  it('restricted key check: account retrieve and an invoice read', async () => {
    const connect = createStripeConnect({ secretKey: 'sk_test_123', clientId: 'ca_123', baseUrl: mockUrl });
    const verified = await connect.verifyRestrictedKey('rk_test_123');
    expect(verified.account.accountId).toMatch(/^acct_/);
    expect(verified.tokens.accessToken).toBe('rk_test_123');
  });
});
