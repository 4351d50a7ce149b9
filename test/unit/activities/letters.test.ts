// A dispute-evidence draft requested by a workflow of the previous version (the chargeback under its old field name)
// is drafted as if it had been requested today.
import { describe, expect, it } from 'vitest';
import { renderDraft } from '../../../activities/letters.js';
import type { LetterRequest } from '../../../workflows/dispute-case/activities.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { caseAccount } from '../../../src/domain/account.js';

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

  it('dates a credit before the charge only from the books: the card payment the chargeback took back', () => {
    const credited = (creditAt: string): LetterRequest => ({
      ...withInvoice(invoice.lines),
      chargeback: { reason: 'credit_not_processed', amount: usd(50_000), chargeId: 'ch_1' },
      account: caseAccount({
        total: usd(100_000),
        payments: [
          { ref: 'pay-1', amount: usd(40_000), date: '2026-03-01' },
          { ref: 'pay-2', amount: usd(50_000), date: '2026-03-20' }, // the card payment charged back
          { ref: 'dp_1', amount: usd(-50_000), date: '2026-04-02', held: true },
        ],
        credits: [{ ref: 'cn-1', number: 'CN-7', amount: usd(10_000), at: creditAt }],
        writeOffs: [],
      }),
    });
    expect(renderDraft(credited('2026-03-05T10:00:00Z')).text).toContain(
      'credit note CN-7 for $100.00 on March 5, 2026; they were taken off what the cardholder owed before this charge, made on March 20, 2026.',
    );
    const later = renderDraft(credited('2026-03-25T10:00:00Z')).text;
    expect(later).toContain('This charge was made on March 20, 2026.');
    expect(later).not.toContain('before this charge');
  });
});
