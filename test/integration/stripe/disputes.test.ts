// A chargeback: its deadline, evidence staged then submitted exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../../integrations/stripe/client.js';
import { createStripeDisputeEvidence, type DisputeEvidencePort } from '../../../integrations/stripe/evidence.js';
import { createStripeReader } from '../../../integrations/stripe/reader.js';
import { manualClock, startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { connectorFor, drain } from './harness.js';

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('Stripe chargebacks and evidence', () => {
  let sim: StripeSimulator;
  const clock = manualClock(Date.parse('2026-04-10T14:30:00Z'));

  beforeAll(async () => {
    sim = await startStripeSimulator({ clock, rateLimit: { opsPerSecond: 1000 } });
  });
  afterAll(() => sim?.close());

  function evidencePort(accountId: string, maxNetworkRetries = 2): DisputeEvidencePort {
    const client = createStripeClient({
      apiKey: sim.admin.issueRestrictedKey(accountId),
      baseUrl: sim.url,
      opsPerSecond: 500,
      maxNetworkRetries,
    });
    return createStripeDisputeEvidence(
      client,
      createStripeReader(client, () => ({ accountId, observedAt: new Date(clock.now()).toISOString() })),
    );
  }

  it('syncs a chargeback with its evidence deadline, the invoice it reverses, and who was charged', async () => {
    const cb = sim.admin.scenarios.chargeback({ dueInDays: 7, reason: 'fraudulent' });
    const disputes = (await drain(connectorFor(sim, cb.accountId, { connector: { now: clock.now } }))).flatMap(
      (b) => b.disputes,
    );
    expect(disputes).toEqual([
      {
        ref: { provider: 'stripe', accountId: cb.accountId, id: cb.disputeId },
        chargeId: cb.chargeId,
        paymentIntentId: cb.paymentIntentId,
        invoice: { provider: 'stripe', accountId: cb.accountId, id: cb.invoiceId },
        amount: { minor: 250_000, currency: 'USD' },
        reason: 'fraudulent',
        status: 'needs_response',
        dueBy: '2026-04-17T14:30:00.000Z',
        createdAt: '2026-04-10T14:30:00.000Z',
        // Read expanded with the dispute: how a card payment for a QuickBooks or Xero invoice is recognised.
        charge: {
          amount: { minor: 250_000, currency: 'USD' },
          date: '2026-04-10',
          customerEmail: 'billing@contoso.example',
          customerName: 'Contoso Ltd',
        },
      },
    ]);
  });

  it('stages evidence without submitting, then submits once even when asked twice', async () => {
    const cb = sim.admin.scenarios.chargeback();
    const port = evidencePort(cb.accountId);
    const receipt = await port.uploadEvidenceFile(pdf, 'receipt-HDS-0042.pdf', 'dispute_evidence');
    expect(receipt).toEqual({ fileId: expect.stringMatching(/^file_/), size: pdf.length });

    const staged = await port.stageEvidence(
      cb.disputeId,
      { product_description: 'Annual design retainer', customer_email_address: 'billing@contoso.example' },
      { receipt: receipt.fileId },
      `dispute/${cb.disputeId}/evidence/v1`,
    );
    expect(staged).toMatchObject({ hasEvidence: true, submissionCount: 0, dispute: { status: 'needs_response' } });

    const key = `dispute/${cb.disputeId}/submit/v1`;
    const submitted = await port.submitEvidence(cb.disputeId, key);
    expect(submitted).toMatchObject({ submissionCount: 1, dispute: { status: 'under_review' } });
    const again = await port.submitEvidence(cb.disputeId, key);
    expect(again).toMatchObject({ submissionCount: 1, dispute: { status: 'under_review' } });

    const updates = sim.admin.requests({ method: 'POST', path: `/v1/disputes/${cb.disputeId}` });
    expect(updates.map((r) => r.idempotencyKey)).toEqual([`dispute/${cb.disputeId}/evidence/v1`, key]);
    const stored = sim.admin.state(cb.accountId).disputes.find((d) => d.id === cb.disputeId);
    expect(stored?.evidence).toMatchObject({ receipt: receipt.fileId, product_description: 'Annual design retainer' });
  });

  it('a submit whose response was lost is retried with the same key and replayed, not submitted twice', async () => {
    const cb = sim.admin.scenarios.chargeback();
    const port = evidencePort(cb.accountId);
    await port.stageEvidence(
      cb.disputeId,
      { uncategorized_text: 'Delivered on 2026-03-30, signed for.' },
      {},
      `dispute/${cb.disputeId}/evidence/v1`,
    );
    sim.admin.faults.dropResponse({ method: 'POST', path: `/v1/disputes/${cb.disputeId}` });

    const submitted = await port.submitEvidence(cb.disputeId, `dispute/${cb.disputeId}/submit/v1`);
    expect(submitted).toMatchObject({ submissionCount: 1, dispute: { status: 'under_review' } });
    const posts = sim.admin.requests({ method: 'POST', path: `/v1/disputes/${cb.disputeId}` }).slice(1);
    expect(posts.map((r) => r.replayed)).toEqual([false, true]);
  });

  it('treats the same staging key with different evidence as a conflict', async () => {
    const cb = sim.admin.scenarios.chargeback();
    const port = evidencePort(cb.accountId);
    const key = `dispute/${cb.disputeId}/evidence/v1`;
    await port.stageEvidence(cb.disputeId, { uncategorized_text: 'first draft' }, {}, key);
    await expect(
      port.stageEvidence(cb.disputeId, { uncategorized_text: 'second draft' }, {}, key),
    ).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('does not submit evidence on a dispute that is already decided', async () => {
    const cb = sim.admin.scenarios.chargeback();
    sim.admin.closeDispute(cb.accountId, cb.disputeId, 'lost');
    const state = await evidencePort(cb.accountId).submitEvidence(cb.disputeId, `dispute/${cb.disputeId}/submit/v1`);
    expect(state.dispute.status).toBe('lost');
    expect(sim.admin.requests({ method: 'POST', path: `/v1/disputes/${cb.disputeId}` })).toEqual([]);
  });

  it('stages nothing on a dispute decided while the evidence was drafted, and says how it stands', async () => {
    const cb = sim.admin.scenarios.chargeback({ dueInDays: 7 });
    sim.admin.closeDispute(cb.accountId, cb.disputeId, 'lost');
    const state = await evidencePort(cb.accountId).stageEvidence(
      cb.disputeId,
      { uncategorized_text: 'drafted before Stripe decided' },
      {},
      `dispute/${cb.disputeId}/stage/v1`,
    );
    expect(state.dispute.status).toBe('lost');
    expect(state.hasEvidence).toBe(false);
    // A dispute still open refuses bad evidence as before: the error is not swallowed.
    const open = sim.admin.scenarios.chargeback({ dueInDays: 7 });
    await expect(
      evidencePort(open.accountId).stageEvidence(
        open.disputeId,
        { not_a_field: 'x' } as never,
        {},
        `dispute/${open.disputeId}/stage/v1`,
      ),
    ).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('uploads the same file once and refuses types Stripe will not take', async () => {
    const cb = sim.admin.scenarios.chargeback();
    const port = evidencePort(cb.accountId);
    const first = await port.uploadEvidenceFile(pdf, 'contract.pdf', 'dispute_evidence');
    const second = await port.uploadEvidenceFile(pdf, 'contract.pdf', 'dispute_evidence');
    expect(second.fileId).toBe(first.fileId);
    expect(sim.admin.state(cb.accountId).files).toHaveLength(1);
    await expect(port.uploadEvidenceFile(Buffer.from('PK'), 'evidence.docx', 'dispute_evidence')).rejects.toMatchObject(
      { kind: 'invalid' },
    );
  });

  it('answers not_found for an unknown dispute', async () => {
    const { accountId } = sim.admin.createAccount({ name: 'Nobody' });
    await expect(evidencePort(accountId).getDispute('dp_missing')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
