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
});
