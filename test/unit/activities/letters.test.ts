// A dispute-evidence draft requested by a workflow of the previous version (the chargeback under its old field name)
// is drafted as if it had been requested today.
import { describe, expect, it } from 'vitest';
import { renderDraft } from '../../../activities/letters.js';
import type { LetterRequest } from '../../../workflows/dispute-case/activities.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';

const usd = (minor: number) => ({ minor, currency: 'USD' });
const base = shortPaymentInput();
const request: LetterRequest = {
  kind: 'stripe_evidence',
  caseId: base.caseId,
  organisation: base.organisation,
  payments: [],
  paid: usd(50_000),
  balance: usd(0),
  documents: base.documents,
  chargeback: { reason: 'product_not_received', amount: usd(50_000), chargeId: 'ch_1' },
};

describe('dispute evidence drafts', () => {
  it('reads the chargeback of a request scheduled before its field was renamed', () => {
    const { chargeback, ...rest } = request;
    const scheduledBefore = { ...rest, stripeDispute: chargeback } as unknown as LetterRequest;
    const today = renderDraft(request);
    expect(today.evidence).toBeDefined();
    expect(today.text).toContain('ch_1');
    expect(renderDraft(scheduledBefore)).toEqual(today);
  });

  const invoice = base.invoice!;
  const withInvoice = (lines: typeof invoice.lines): LetterRequest => ({
    ...request,
    invoice: { ...invoice, lines },
    payments: base.payments,
  });

  it("takes the date of service from the ledger's lines, never from the invoice's issue date", () => {
    const dated = renderDraft(
      withInvoice(invoice.lines.map((l, i) => ({ ...l, serviceDate: i === 0 ? '2026-03-10' : '2026-03-12' }))),
    );
    expect(dated.evidence!.service_date).toBe('March 10, 2026');
    expect(invoice.lines.length).toBeGreaterThan(1);
    expect(dated.text).toContain('The service was provided from March 10, 2026 to March 12, 2026.');
    const undated = renderDraft(withInvoice(invoice.lines));
    expect(undated.evidence).not.toHaveProperty('service_date');
    expect(undated.text).not.toContain('Date of service');
    expect(undated.text).toContain('The date it was delivered is not recorded in our books');
  });

  it('names the invoice and the client in the subject the owner reads, not the card charge', () => {
    const draft = renderDraft(withInvoice(invoice.lines));
    expect(draft.subject).toBe(`Evidence for the chargeback on invoice ${invoice.number} (${invoice.customerName})`);
    expect(draft.subject).not.toContain('ch_1');
    expect(draft.text).toContain('(reason: product not received)');
  });
});
