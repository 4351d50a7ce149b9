import { describe, expect, it } from 'vitest';
import {
  draftDisputeEvidence,
  evidenceForOwner,
  type DisputeEvidenceFacts,
} from '../../../../src/services/letters/index.js';
import { facts, usd } from './letter-fixtures.js';

const evidenceFacts: DisputeEvidenceFacts = {
  ...facts,
  serviceDescription: 'Kitchen cabinet installation',
  service: { from: '2026-05-20' },
  correspondence: [
    { kind: 'client_objection', at: '2026-06-03T14:00:00Z' },
    { kind: 'first_response', at: '2026-06-04T15:00:00Z' },
  ],
};

describe('(f) Stripe dispute evidence', () => {
  const e = draftDisputeEvidence(evidenceFacts);

  it('fills only Stripe text fields, keyed by their evidence names', () => {
    expect(Object.keys(e.fields).sort()).toEqual([
      'customer_email_address',
      'customer_name',
      'product_description',
      'service_date',
      'uncategorized_text',
    ]);
    expect(e.fields).toMatchObject({
      product_description: 'Kitchen cabinet installation (invoice 1042)',
      customer_name: 'Acme Renovations',
      customer_email_address: 'ap@acme.test',
      service_date: 'May 20, 2026',
    });
    expect(Object.values(e.fields).every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
  });

  it('summarises the invoice, the partial payment, the response and the documents', () => {
    const text = e.fields.uncategorized_text ?? '';
    expect(text).toContain('invoiced $2,400.00 on May 1, 2026 (invoice 1042) for: Kitchen cabinet installation');
    expect(text).toContain('paid $1,500.00 towards the invoice');
    expect(text).toContain("responded in writing to the cardholder's concerns on Thursday, June 4, 2026");
    expect(text).toContain('Estimate 311 signed.pdf (Signed estimate)');
  });

  it('keeps the customer-communication summary for upload as a file, since that Stripe field takes a file id', () => {
    expect(e.fields).not.toHaveProperty('customer_communication');
    expect(e.customerCommunication).toContain(
      '- Wednesday, June 3, 2026: Client objected to the invoice\n- Thursday, June 4, 2026: We sent a written response',
    );
  });

  it('maps each document to the Stripe file field it belongs in', () => {
    expect(e.attachments.map((a) => [a.documentId, a.field])).toEqual([
      ['doc-1', 'service_documentation'],
      ['doc-2', 'customer_communication'],
      ['doc-3', 'service_documentation'],
    ]);
  });

  // The business moved from New York to Auckland after the case opened; the case keeps each letter's zone and lists its
  // first response before the client's objections. The card network reads one submission: one zone, named, by time.
  const moved = (correspondence: DisputeEvidenceFacts['correspondence']) =>
    draftDisputeEvidence({ ...evidenceFacts, org: { ...evidenceFacts.org, zone: 'Pacific/Auckland' }, correspondence });

  it('dates the objection and our answer in the current zone, named once, and lists them by time', () => {
    // 13:00Z on June 4 is 1 AM Friday in Auckland; our answer at 02:30Z on June 5 was 10:30 PM Thursday in New York.
    const e = moved([
      { kind: 'first_response', at: '2026-06-05T02:30:00Z', zone: 'America/New_York' },
      { kind: 'client_objection', at: '2026-06-04T13:00:00Z' },
    ]);
    expect(e.customerCommunication).toBe(
      'Correspondence with Acme Renovations about invoice 1042 (dates in the Pacific/Auckland time zone):\n\n' +
        '- Friday, June 5, 2026: Client objected to the invoice\n' +
        '- Friday, June 5, 2026: We sent a written response and supporting documents\n',
    );
    const text = e.fields.uncategorized_text ?? '';
    expect(text).toContain("responded in writing to the cardholder's concerns on Friday, June 5, 2026 and provided");
    expect(text).toContain('Dates of correspondence are in the Pacific/Auckland time zone.');
    expect(`${text}\n${e.customerCommunication}`).not.toMatch(/June 4|New_York/);
  });

  it('never dates our answer before the objection it answers when they fall either side of midnight', () => {
    // The objection at 11:30 PM Thursday in Auckland, our answer an hour later: Friday there, still Thursday in New York.
    const e = moved([
      { kind: 'first_response', at: '2026-06-04T12:30:00Z', zone: 'America/New_York' },
      { kind: 'client_objection', at: '2026-06-04T11:30:00Z' },
    ]);
    expect(e.customerCommunication).toContain(
      '- Thursday, June 4, 2026: Client objected to the invoice\n- Friday, June 5, 2026: We sent a written response',
    );
    expect(e.fields.uncategorized_text).toContain('concerns on Friday, June 5, 2026 and provided');
  });

  it('tells no correspondence when there was none: no empty section to upload', () => {
    const none = draftDisputeEvidence({ ...evidenceFacts, correspondence: [] });
    expect(none).not.toHaveProperty('customerCommunication');
  });

  it('reads to the owner in words, each field that holds something under its heading, in a fixed order', () => {
    const text = evidenceForOwner({
      uncategorized_text: 'The cardholder was invoiced $2,400.00.',
      customer_name: 'Acme Renovations',
      product_description: 'Kitchen cabinet installation (invoice 1042)',
      customer_communication: '  ',
    });
    expect(text).toBe(
      'What was sold:\nKitchen cabinet installation (invoice 1042)\n\nCustomer:\nAcme Renovations\n\n' +
        'Our account of the charge:\nThe cardholder was invoiced $2,400.00.',
    );
    expect(text).not.toMatch(/product_description|customer_name|uncategorized_text|Correspondence/);
  });

  it('claims no written response that was never sent', () => {
    const early = draftDisputeEvidence({ ...evidenceFacts, correspondence: [], payments: [] });
    expect(early.fields.uncategorized_text).not.toMatch(/responded|paid/);
    expect(early.fields.uncategorized_text).not.toContain('legal advice');
  });

  it('claims no date of service the books do not hold: says so, and leaves the service date empty', () => {
    const { service: _s, ...undated } = evidenceFacts;
    const e = draftDisputeEvidence(undated);
    expect(e.fields).not.toHaveProperty('service_date');
    const text = e.fields.uncategorized_text ?? '';
    expect(text).toContain(
      'for: Kitchen cabinet installation. The date it was delivered is not recorded in our books (the date above is when it was invoiced).',
    );
    expect(text).not.toMatch(/provided on/);
  });

  it('gives a service that ran over several days as the days it ran, and the first as the service date', () => {
    const e = draftDisputeEvidence({ ...evidenceFacts, service: { from: '2026-05-18', to: '2026-05-22' } });
    expect(e.fields.service_date).toBe('May 18, 2026');
    expect(e.fields.uncategorized_text).toContain('The service was provided from May 18, 2026 to May 22, 2026.');
  });

  describe("answers the dispute's reason with what the books and the case hold", () => {
    const account = (reason: string, more: Partial<DisputeEvidenceFacts> = {}) =>
      draftDisputeEvidence({ ...evidenceFacts, reason, ...more }).fields.uncategorized_text ?? '';

    it('product not received: what was delivered, when, and the proof of delivery attached', () => {
      const text = account('product_not_received');
      expect(text).toContain(
        'The cardholder says they did not receive what they paid for (reason: product not received). What we provided: Kitchen cabinet installation (invoice 1042), provided on May 20, 2026.',
      );
      expect(text).toContain('Proof of delivery is attached: Kitchen finished.jpg.');
      const { service: _s, ...undated } = evidenceFacts;
      const bare = draftDisputeEvidence({ ...undated, reason: 'product_not_received', documents: [] }).fields
        .uncategorized_text!;
      expect(bare).toContain('What we provided: Kitchen cabinet installation (invoice 1042).');
      expect(bare).not.toMatch(/Proof of delivery|provided on/);
    });

    it('fraudulent: the invoice the charge paid and who it was issued to', () => {
      expect(account('fraudulent')).toContain(
        'The cardholder says they did not authorise this charge (reason: fraudulent). The charge paid invoice 1042, which we issued to Acme Renovations (ap@acme.test) for Kitchen cabinet installation.',
      );
    });

    it('fraudulent: says the cardholder corresponded with us only when they did, not for our own letters', () => {
      const corresponded = 'The cardholder corresponded with us about this invoice';
      expect(account('fraudulent')).toContain(corresponded); // their objection is on the case
      const ours = { correspondence: [{ kind: 'first_response' as const, at: '2026-06-04T15:00:00Z' }] };
      expect(account('fraudulent', ours)).not.toContain(corresponded);
      expect(account('fraudulent', { correspondence: [] })).not.toContain(corresponded);
      const replied = { ...ours, replies: [{ at: '2026-06-05T09:00:00Z', subject: 'Re: invoice 1042' }] };
      expect(account('fraudulent', replied)).toContain(corresponded);
    });

    it('credit not processed: says a credit came before the charge only when its date says so', () => {
      const credit = (at: string) => ({ credits: [{ number: 'CN-7', amount: usd(10_000), at }] });
      expect(account('credit_not_processed', { ...credit('2026-05-10T12:00:00Z'), chargedOn: '2026-06-02' })).toContain(
        'The credits given on invoice 1042 are credit note CN-7 for $100.00 on May 10, 2026; they were taken off what the cardholder owed before this charge, made on June 2, 2026.',
      );
      const after = account('credit_not_processed', { ...credit('2026-06-10T12:00:00Z'), chargedOn: '2026-06-02' });
      expect(after).toContain(
        'The credits given on invoice 1042 are credit note CN-7 for $100.00 on June 10, 2026; they were taken off what the cardholder owed. This charge was made on June 2, 2026.',
      );
      expect(after).not.toContain('before this charge');
      // The charge's day unknown, or the credit undated: no claim of which came first.
      expect(account('credit_not_processed', credit('2026-05-10T12:00:00Z'))).not.toContain('before this charge');
      expect(
        account('credit_not_processed', {
          credits: [{ number: 'CN-7', amount: usd(10_000) }],
          chargedOn: '2026-06-02',
        }),
      ).not.toContain('before this charge');
    });

    it('subscription cancelled: claims no cancellation record the books never keep; names the objection when there is one', () => {
      expect(account('subscription_canceled')).not.toMatch(/cancellation/i);
      expect(account('subscription_canceled')).toContain(
        "The cardholder's objection to us is listed with this evidence.",
      );
      expect(account('subscription_canceled', { correspondence: [] })).not.toContain('objection');
    });

    it('duplicate: every payment on the invoice, and that together they do not pay it twice', () => {
      expect(account('duplicate')).toContain(
        "The payments recorded against invoice 1042 are: $1,500.00 on June 2, 2026. Together they come to $1,500.00 of the invoice's $2,400.00: the invoice was not paid twice.",
      );
    });

    it('product unacceptable: the objection and our written answer, or that none is recorded', () => {
      expect(account('product_unacceptable')).toContain(
        'The cardholder objected to us and we answered in writing; the correspondence is listed with this evidence.',
      );
      expect(account('product_unacceptable', { correspondence: [] })).toContain(
        'No objection from the cardholder about this invoice is recorded with us.',
      );
    });

    it('subscription cancelled, credit not processed and general each say what they are answered with', () => {
      expect(account('subscription_canceled')).toContain(
        'The charge pays invoice 1042, issued on May 1, 2026 for Kitchen cabinet installation.',
      );
      expect(account('credit_not_processed')).toContain('No refund or credit note is recorded for invoice 1042.');
      expect(account('credit_not_processed', { credits: [{ number: 'CN-7', amount: usd(10_000) }] })).toContain(
        'The credits given on invoice 1042 are credit note CN-7 for $100.00;',
      );
      expect(account('general')).toContain("The cardholder's bank gives no specific reason (reason: general)");
      expect(account('bank_cannot_process')).toContain(
        "The cardholder's bank gives the reason as the bank cannot process it.",
      );
    });
  });
});
