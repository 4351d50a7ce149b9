import { describe, expect, it } from 'vitest';
import {
  draftFinalNotice,
  draftFirstResponse,
  draftLineItemResponse,
  draftOwnerAlert,
  draftPartialPaymentReceipt,
  draftVagueObjectionReply,
  type Draft,
} from '../../../../src/services/letters/index.js';
import { documents, facts, org, payment, usd } from './letter-fixtures.js';

const dueBy = '2026-06-19T03:59:59.999Z'; // end of Thursday 18 June in New York
const oneLine = (s: string) => s.replace(/\s+/g, ' ');

function expectSignedClientLetter(d: Draft) {
  for (const body of [d.text, d.html]) {
    expect(body).toContain('Dear Acme Renovations,');
    expect(body).toContain('Harbour Joinery LLC');
    expect(body).toContain('Sam Lee');
    expect(body).not.toMatch(/legal advice/i);
  }
  expect(d.html).toMatch(/^<!DOCTYPE html>/);
  expect(d.subject).not.toMatch(/\n/);
}

describe('(a) partial-payment receipt', () => {
  const d = draftPartialPaymentReceipt({ ...facts, payment });

  it('states amount, date, invoice, remaining balance and "accepted as partial payment only"', () => {
    expect(d.kind).toBe('partial_payment_receipt');
    expect(d.subject).toBe('Payment received for invoice 1042: $1,500.00');
    expect(d.text).toContain('$1,500.00, received on June 2, 2026, towards invoice 1042');
    expect(d.text).toContain('accepted as partial payment only');
    expect(d.text).toContain('remaining balance of $900.00');
    expect(d.attachments).toEqual([]);
    expectSignedClientLetter(d);
  });
});

describe('(b) first written response', () => {
  const plain = draftFirstResponse({
    ...facts,
    payment: { ...payment, memo: 'Inv 1042' },
    fullAndFinal: false,
    remainderDueBy: dueBy,
  });
  const firm = draftFirstResponse({ ...facts, payment, fullAndFinal: true, remainderDueBy: dueBy });

  it('acknowledges the payment as partial payment only, not settlement', () => {
    expect(plain.text).toContain('Thank you for your payment of $1,500.00, received on June 2, 2026');
    expect(plain.text).toContain('accepted this payment as partial payment only, and not as settlement');
    expect(plain.text).not.toMatch(/accord and satisfaction/);
    expectSignedClientLetter(plain);
  });

  it('asks which line item or deliverable is disputed, why, and what was expected versus received', () => {
    expect(plain.text).toContain('- which line item or deliverable you are disputing, and why;');
    expect(plain.text).toContain('- what you expected, and what you received instead.');
    expect(plain.text).toContain('- Cabinet installation (16 h at $95): $1,520.00');
  });

  it('lists and attaches the case documents', () => {
    expect(plain.text).toContain(
      '- Estimate 311 signed.pdf (Signed estimate)\n- Email confirming $95 hourly rate.eml (Rate confirmation)\n- Kitchen finished.jpg (Completion photo)',
    );
    expect(plain.html).toContain('<li>Estimate 311 signed.pdf (Signed estimate)</li>');
    expect(plain.attachments).toEqual(documents.map((d) => ({ documentId: d.id, name: d.name })));
  });

  it('sets the deadline for the remainder', () => {
    expect(plain.text).toContain('pay the remaining balance of $900.00 by Thursday, June 18, 2026');
  });

  it('rejects accord and satisfaction explicitly when the memo said full and final', () => {
    expect(oneLine(firm.text)).toContain(
      'Your payment carried the note "Full & final pmt". We do not accept this payment in full and final settlement of invoice 1042, and we expressly reject any accord and satisfaction.',
    );
    expect(firm.text).toContain('accepted the payment as partial payment only, and not as settlement');
    expect(firm.html).toContain('"Full &amp; final pmt"');
    expectSignedClientLetter(firm);
  });

  it('still rejects settlement when the flag came from a field other than the memo', () => {
    const d = draftFirstResponse({
      ...facts,
      payment: { amount: usd(150_000), date: '2026-06-02' },
      fullAndFinal: true,
      remainderDueBy: dueBy,
    });
    expect(d.text).toContain('Your payment was marked as payment in full. We do not accept');
  });

  it('answers a dispute raised before any payment without thanking for one', () => {
    const d = draftFirstResponse({
      ...facts,
      payments: [],
      balance: usd(240_000),
      fullAndFinal: false,
      remainderDueBy: dueBy,
    });
    expect(d.text).not.toContain('Thank you for your payment');
    expect(d.subject).toBe('Invoice 1042: your concerns and the balance of $2,400.00');
    expect(d.text).toContain('which line item or deliverable');
  });
});

describe('(c) reply to a vague objection', () => {
  const d = draftVagueObjectionReply({
    ...facts,
    objectionReceivedAt: '2026-06-03T14:00:00Z',
    replyBy: '2026-06-10T21:00:00Z',
  });

  it('asks again for the specific item, the reason, and expected versus received, by a date', () => {
    expect(d.text).toContain('your message of Wednesday, June 3, 2026 about invoice 1042');
    expect(d.text).toContain('cannot investigate a general objection');
    expect(d.text).toContain('in writing by Wednesday, June 10, 2026');
    expect(d.text).toContain('- which line item or deliverable you are disputing, and why;');
    expect(d.text).toContain('- what you expected, and what you received instead.');
    expect(d.text).toContain('$1,500.00 has been accepted as partial payment only');
    expectSignedClientLetter(d);
  });
});

describe('(d) reply to a specific line-item objection', () => {
  const base = { ...facts, remainderDueBy: dueBy };

  it('says plainly when the documents support the invoice, and restates the deadline', () => {
    const d = draftLineItemResponse({
      ...base,
      findings: [{ description: 'Cabinet installation', amount: usd(152_000) }],
    });
    expect(d.text).toContain(
      'Cabinet installation ($1,520.00): our documents support this charge as invoiced, and it stands.',
    );
    expect(d.text).toContain('The remaining balance is $900.00. Please pay it by Thursday, June 18, 2026.');
    expect(d.text).not.toMatch(/credit/i);
    expect(d.attachments).toHaveLength(3);
    expectSignedClientLetter(d);
  });

  it('concedes a line with merit, announces the credit note, and says it is no admission about the rest', () => {
    const d = draftLineItemResponse({
      ...base,
      balance: usd(70_000),
      findings: [
        { description: 'Cabinet installation', amount: usd(152_000) },
        { description: 'Site clean-up', amount: usd(20_000), credit: usd(20_000) },
      ],
      creditNote: { number: 'CN-7', total: usd(20_000) },
    });
    expect(d.text).toContain(
      'Site clean-up ($200.00): you are right on this point. We will issue a credit note for $200.00.',
    );
    expect(d.text).toContain('Credit note CN-7 for $200.00 will be applied to invoice 1042.');
    expect(d.text).toContain('It is not an admission that any other part of the invoice is wrong');
    expect(d.text).toContain('our documents support this charge');
    expect(d.text).toContain('The remaining balance is $700.00. Please pay it by Thursday, June 18, 2026.');
  });

  it('refuses to concede without a credit note', () => {
    expect(() =>
      draftLineItemResponse({
        ...base,
        findings: [{ description: 'Site clean-up', amount: usd(20_000), credit: usd(20_000) }],
      }),
    ).toThrow(/credit note/);
  });
});

describe('(e) final notice before small claims', () => {
  const d = draftFinalNotice({ ...facts, respondedAt: '2026-06-04T15:00:00Z', payBy: '2026-07-01T03:59:59.999Z' });

  it('states the history, the balance, the deadline and the small-claims step', () => {
    expect(d.subject).toBe('Final notice: invoice 1042, $900.00 outstanding');
    expect(d.text).toContain('You paid $1,500.00, which we accepted as partial payment only.');
    expect(d.text).toContain('We wrote to you on Thursday, June 4, 2026');
    expect(d.text).toContain('Please pay $900.00 by Tuesday, June 30, 2026.');
    expect(d.text).toContain('small claims court');
    expect(d.text).toContain('- Estimate 311 signed.pdf (Signed estimate)');
    expect(d.attachments).toHaveLength(3);
    expectSignedClientLetter(d);
  });

  it('cites the first response by the date it carried in the zone it went out in, not in the zone since chosen', () => {
    // 22:30 on Thursday June 4 in New York is already Friday June 5 in Auckland, where the business now is.
    const respondedAt = '2026-06-05T02:30:00Z';
    const moved = { ...facts, org: { ...facts.org, zone: 'Pacific/Auckland' } };
    const payBy = '2026-07-01T03:59:59.999Z';
    const cited = draftFinalNotice({ ...moved, respondedAt, respondedZone: 'America/New_York', payBy });
    expect(cited.text).toContain('We wrote to you on Thursday, June 4, 2026 asking you');
    expect(cited.text).not.toContain('June 5, 2026');
    // A response sent before the case kept its zone is dated in the current one, as before.
    expect(draftFinalNotice({ ...moved, respondedAt, payBy }).text).toContain(
      'We wrote to you on Friday, June 5, 2026',
    );
  });
});

describe("the ledger's own payment link in letters that ask for the balance", () => {
  const payOnline = 'https://invoice.stripe.com/i/acct_1/test_YWNjdF8x?s=ap';
  const findings = [{ description: 'Cabinet installation', amount: usd(152_000) }];
  const asking = [
    draftFirstResponse({ ...facts, payOnline, payment, fullAndFinal: false, remainderDueBy: dueBy }),
    draftLineItemResponse({ ...facts, payOnline, findings, remainderDueBy: dueBy }),
    draftFinalNotice({ ...facts, payOnline, respondedAt: '2026-06-04T15:00:00Z', payBy: '2026-07-01T03:59:59.999Z' }),
  ];

  it('names it after asking for the balance, escaped in the HTML', () => {
    for (const d of asking) {
      expect(d.text).toContain(`\nPay online: ${payOnline}\n`);
      expect(d.html).toContain(`Pay online: ${payOnline.replace('&', '&amp;')}`);
      expect(d.text.indexOf('Pay online')).toBeGreaterThan(d.text.indexOf('Please pay'));
      expectSignedClientLetter(d);
    }
  });

  it('leaves it out when nothing is owed, and when the ledger has none', () => {
    const settled = draftLineItemResponse({
      ...facts,
      payOnline,
      balance: usd(0),
      findings: [{ description: 'Site clean-up', amount: usd(90_000), credit: usd(90_000) }],
      creditNote: { number: 'CN-8', total: usd(90_000) },
      remainderDueBy: dueBy,
    });
    expect(settled.text).toContain('is now settled in full');
    expect(settled.text).not.toContain('Pay online');
    const without = draftFirstResponse({ ...facts, payment, fullAndFinal: false, remainderDueBy: dueBy });
    expect(without.text).not.toContain('Pay online');
  });
});

describe('(g) owner alert', () => {
  const alert = (over = {}) =>
    draftOwnerAlert({
      org,
      customerName: 'Acme Renovations',
      invoiceNumber: '1042',
      kind: 'short_payment',
      total: usd(240_000),
      paid: usd(150_000),
      disputed: usd(90_000),
      deadlines: [
        { kind: 'deadline', name: 'written_response', at: '2026-06-03T21:00:00.000Z' },
        { kind: 'reminder', name: 'written_response.morning_of', at: '2026-06-03T13:00:00.000Z' },
      ],
      ...over,
    });

  it('summarises the case and deadlines in the owner\'s zone, and carries "Not legal advice."', () => {
    const d = alert();
    expect(d.subject).toBe('Acme Renovations, invoice 1042: short payment of $900.00');
    expect(d.text).toContain(
      'Acme Renovations has paid part of invoice 1042 ($2,400.00). Paid so far: $1,500.00. Unpaid remainder: $900.00.',
    );
    expect(d.text).toContain('- Send the written response: Wednesday, June 3, 2026 at 5:00 PM (America/New_York)');
    expect(d.text).not.toContain('morning_of');
    expect(d.text).toContain('Not legal advice.');
    expect(d.html).toContain('Not legal advice.');
  });

  it('flags a full-and-final memo as urgent', () => {
    const d = alert({ fullAndFinalMemo: 'PIF', kind: 'both' });
    expect(d.subject).toMatch(/^Urgent: .*short payment and dispute of \$900\.00$/);
    expect(d.text).toContain('the payment is marked "PIF"');
    expect(d.text).toContain('may settle the whole invoice');
  });
});

describe('hostile and foreign input', () => {
  const hostile = { ...facts, customer: { name: '<script>alert(1)</script> & Co', locale: 'en-US' } };
  const drafts = [
    draftPartialPaymentReceipt({ ...hostile, payment }),
    draftFirstResponse({
      ...hostile,
      payment: { ...payment, memo: '<img src=x onerror=alert(1)> paid in full' },
      fullAndFinal: true,
      remainderDueBy: dueBy,
    }),
    draftVagueObjectionReply({ ...hostile, objectionReceivedAt: dueBy, replyBy: dueBy }),
    draftFinalNotice({ ...hostile, respondedAt: dueBy, payBy: dueBy }),
  ];

  it.each(drafts.map((d) => [d.kind, d] as const))('%s escapes HTML but keeps plain text as written', (_kind, d) => {
    expect(d.html).not.toContain('<script>');
    expect(d.html).not.toContain('<img');
    expect(d.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(d.text).toContain('Dear <script>alert(1)</script> & Co,');
  });

  it('escapes hostile line descriptions and document names too', () => {
    const d = draftFirstResponse({
      ...facts,
      fullAndFinal: false,
      remainderDueBy: dueBy,
      payment,
      invoice: { ...facts.invoice, lines: [{ id: 'x', description: '</li><script>x()</script>', amount: usd(1) }] },
      documents: [{ id: 'd', kind: 'other', name: '"><svg onload=x()>' }],
    });
    expect(d.html).not.toMatch(/<script|<svg/);
  });

  it('keeps a subject on one line even if data holds line breaks', () => {
    const d = draftPartialPaymentReceipt({
      ...facts,
      invoice: { ...facts.invoice, number: '1042\r\nBcc: victim@example.test' },
      payment,
    });
    expect(d.subject).toBe('Payment received for invoice 1042 Bcc: victim@example.test: $1,500.00');
  });

  it("formats amounts and dates for the client's locale", () => {
    const d = draftPartialPaymentReceipt({ ...facts, customer: { name: 'Müller GmbH', locale: 'de-DE' }, payment });
    expect(oneLine(d.text)).toContain('1.500,00 $, received on 2. Juni 2026');
    expect(oneLine(d.text)).toContain('remaining balance of 900,00 $');
  });
});
