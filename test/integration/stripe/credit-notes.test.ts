// postCreditNote: preview, then create with the request's key; retries after lost responses create one note.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreditNoteRequest } from '../../../integrations/types.js';
import { requestKeyMetadata } from '../../../integrations/stripe/credit-notes.js';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { connectorFor } from './harness.js';

const usd = (minor: number) => ({ minor, currency: 'USD' });

function settlement(invoiceId: string, key: string, minor = 18_000): CreditNoteRequest {
  return {
    invoiceId,
    currency: 'USD',
    lines: [{ description: 'Agreed discount: hosting', amount: usd(minor) }],
    memo: 'Settlement of short payment',
    idempotencyKey: key,
  };
}

describe('Stripe credit notes', () => {
  let sim: StripeSimulator;
  beforeAll(async () => {
    sim = await startStripeSimulator({ rateLimit: { opsPerSecond: 1000 } });
  });
  afterAll(() => sim?.close());

  it('previews, then creates the note with the request key, and the invoice is settled', async () => {
    const s = sim.admin.scenarios.partialPayment();
    const connector = connectorFor(sim, s.accountId);
    const key = `case/${s.invoiceId}/credit/v1`;
    const note = await connector.postCreditNote(settlement(s.invoiceId, key));
    expect(note).toMatchObject({
      total: usd(18_000),
      status: 'applied',
      allocations: [{ invoice: { id: s.invoiceId }, amount: usd(18_000) }],
    });

    const calls = sim.admin.requests().filter((r) => r.path.startsWith('/v1/credit_notes'));
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/credit_notes',
      'GET /v1/credit_notes/preview',
      'POST /v1/credit_notes',
    ]);
    expect(calls.at(-1)?.idempotencyKey).toBe(key);
    const stored = sim.admin.state(s.accountId).creditNotes[0];
    expect(stored).toMatchObject({
      reason: 'order_change',
      memo: 'Settlement of short payment',
      metadata: { [requestKeyMetadata]: key },
    });
    expect(await connector.getInvoice(s.invoiceId)).toMatchObject({ status: 'paid', balance: usd(0) });
  });

  it('credits a specific invoice line', async () => {
    const s = sim.admin.scenarios.partialPayment();
    const connector = connectorFor(sim, s.accountId);
    const hosting = (await connector.getInvoice(s.invoiceId))?.lines[1];
    const note = await connector.postCreditNote({
      ...settlement(s.invoiceId, `case/${s.invoiceId}/line`, 6_000),
      lines: [{ invoiceLineId: hosting?.id, description: 'Hosting', amount: usd(6_000) }],
    });
    expect(note.lines).toEqual([{ invoiceLineId: hosting?.id, description: 'Hosting, 12 months', amount: usd(6_000) }]);
  });

  it('creates exactly one note when the response is lost and the SDK retries with the same key', async () => {
    const s = sim.admin.scenarios.partialPayment();
    sim.admin.faults.dropResponse({ method: 'POST', path: '/v1/credit_notes' });
    const note = await connectorFor(sim, s.accountId).postCreditNote(
      settlement(s.invoiceId, `case/${s.invoiceId}/credit/v1`),
    );
    expect(sim.admin.state(s.accountId).creditNotes.map((n) => n.id)).toEqual([note.ref.id]);
    const posts = sim.admin
      .requests({ method: 'POST', path: '/v1/credit_notes' })
      .filter((r) => r.accountId === s.accountId);
    expect(posts.map((r) => r.replayed)).toEqual([false, true]);
  });

  it('creates exactly one note when a timed-out call is retried by the caller', async () => {
    const s = sim.admin.scenarios.partialPayment();
    const impatient = connectorFor(sim, s.accountId, { client: { maxNetworkRetries: 0, timeoutMs: 300 } });
    sim.admin.faults.delayResponse({ method: 'POST', path: '/v1/credit_notes', delayMs: 1_000 });
    const request = settlement(s.invoiceId, `case/${s.invoiceId}/credit/v1`);
    await expect(impatient.postCreditNote(request)).rejects.toMatchObject({ kind: 'transient' });

    const note = await impatient.postCreditNote(request); // the activity retry
    expect(sim.admin.state(s.accountId).creditNotes.map((n) => n.id)).toEqual([note.ref.id]);
  });

  it('refuses to credit more than the invoice still asks for, before writing anything', async () => {
    const s = sim.admin.scenarios.partialPayment();
    await expect(
      connectorFor(sim, s.accountId).postCreditNote(settlement(s.invoiceId, `case/${s.invoiceId}/too-much`, 25_000)),
    ).rejects.toMatchObject({ kind: 'invalid' });
    expect(sim.admin.state(s.accountId).creditNotes).toEqual([]);
  });

  it('treats a reused key for a different credit as a conflict', async () => {
    const s = sim.admin.scenarios.partialPayment();
    const connector = connectorFor(sim, s.accountId);
    await connector.postCreditNote(settlement(s.invoiceId, `case/${s.invoiceId}/credit/v1`, 5_000));
    await expect(
      connector.postCreditNote(settlement(s.invoiceId, `case/${s.invoiceId}/credit/v1`, 7_000)),
    ).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('sends keys longer than 255 characters as a digest', async () => {
    const s = sim.admin.scenarios.partialPayment();
    await connectorFor(sim, s.accountId).postCreditNote(settlement(s.invoiceId, `case/${'x'.repeat(300)}`));
    const post = sim.admin.requests({ method: 'POST', path: '/v1/credit_notes' }).at(-1);
    expect(post?.idempotencyKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('rejects lines in another currency without calling Stripe', async () => {
    const s = sim.admin.scenarios.partialPayment();
    const before = sim.admin.requests().length;
    const request = {
      ...settlement(s.invoiceId, 'k'),
      lines: [{ description: 'x', amount: { minor: 100, currency: 'EUR' } }],
    };
    await expect(connectorFor(sim, s.accountId).postCreditNote(request)).rejects.toMatchObject({ kind: 'invalid' });
    expect(sim.admin.requests().length).toBe(before);
  });
});
