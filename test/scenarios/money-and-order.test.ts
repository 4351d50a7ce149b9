// Issue 12 and 13 as the owner meets them: the figures add up, a letter never asks for nothing, a broken ledger
// stops every clock, a chargeback is answered, and a letter waiting for approval never goes out stale.
import { expect } from 'vitest';
import { scenario, type Scenario } from './harness/index.js';
import { shortPaid as openShortPaid } from './harness/stories.js';

const usd = (minor: number) => ({ minor, currency: 'USD' });

/** Invoice $1,000 (Design $700, Travel $300), paid $600, receipt sent, first response waiting for approval. */
const shortPaid = async (
  s: Scenario,
  lines: [string, number][] = [
    ['Design', 700],
    ['Travel', 300],
  ],
) => (await openShortPaid(s, { lines })).inv;

scenario(
  'a conceded line: the credit note is named by its ledger number everywhere and never counted as a payment',
  async (s) => {
    const inv = await shortPaid(s);
    await s.approveLatest('first_response');
    await s.letterSent('first_response');
    await s.objection.specific('Travel was never agreed', ['Travel']);
    await s.concede({ Travel: 100 });
    await s.approveLatest('concession');
    const letter = await s.clientReceived(/our response to the points you raised/i);
    const memo = s.ledger.creditMemos()[0]!;
    expect(letter.text).toContain(`Credit note ${memo.DocNumber} for $100.00`);
    expect(letter.text).not.toMatch(/SF-[0-9A-F]{8}/);
    // The case keeps the letter as it was sent, ledger number included.
    expect((await s.view()).drafts.find((d) => d.kind === 'concession')!.content.text).toContain(
      `Credit note ${memo.DocNumber} for $100.00`,
    );
    expect(letter.text).toMatch(/The remaining balance is \$300\.00\. Please pay it by/);
    // The next sync reads the credit memo back (QuickBooks links it through a $0 payment): the ledger agrees with the
    // case, so nothing changes and nothing is counted twice.
    await s.sync();
    const v = await s.view();
    expect(s.ledger.invoice(inv)?.Balance).toBe(300);
    expect(v.account).toMatchObject({
      total: usd(100_000),
      paid: usd(60_000),
      credited: usd(10_000),
      writtenOff: usd(0),
      stillOwed: usd(30_000),
    });
    const a = v.account;
    expect(a.paid.minor + a.credited.minor + a.writtenOff.minor + a.stillOwed.minor).toBe(a.total.minor);
    expect(v.timeline.map((t) => t.summary).join('\n')).not.toMatch(
      /Payment of \$100\.00|\$0\.00|still owed \$400\.00/,
    );
    expect(
      v.timeline
        .filter((t) => /credit note/i.test(t.summary))
        .every(
          (t) =>
            t.summary.includes(`credit note ${memo.DocNumber}`) || t.summary.includes(`Credit note ${memo.DocNumber}`),
        ),
    ).toBe(true);
  },
);

scenario(
  'conceding the whole remainder settles the invoice in writing, never asks for $0.00, and resolves',
  async (s) => {
    await shortPaid(s, [
      ['Design', 600],
      ['Travel', 400],
    ]);
    await s.approveLatest('first_response');
    await s.letterSent('first_response');
    await s.objection.specific('Travel was never agreed', ['Travel']);
    await s.concede({ Travel: 400 });
    await s.approveLatest('concession');
    const letter = await s.clientReceived(/settled in full/i);
    expect(letter.text).not.toMatch(/\$0\.00|Please pay/);
    expect(letter.text).toContain(`credit note ${s.ledger.creditMemos()[0]!.DocNumber}`);
    await s.ownerReceived(/Invoice \S+ is settled/);
    const v = await s.caseEnds('resolved');
    expect(v.account).toMatchObject({ paid: usd(60_000), credited: usd(40_000), stillOwed: usd(0), settled: true });
    expect(s.ledger.creditMemos()).toHaveLength(1);
  },
);

scenario(
  'a connection broken before the response is approved stops every clock and sends no deadline notice',
  async (s) => {
    await shortPaid(s);
    const due = Date.parse((await s.deadline('response'))!);
    await s.breakConnection();
    await s.ownerReceived(/Reconnect your ledger/);
    const paused = await s.until('paused', (x) => Boolean(x.pausedSince));
    expect(paused.timeline.at(-1)!.summary).toMatch(/every deadline of the case is paused/);
    await s.skipDays(8);
    expect(s.ownerMails(/due today|window has closed|reminder|coming up/i)).toHaveLength(0);
    await s.restoreConnection();
    const v = await s.until('the response clock to resume', (x) => x.ledgerConnected && !x.pausedSince);
    expect(Date.parse(v.deadlines.find((d) => d.name === 'response')!.at)).toBeGreaterThan(due + 7 * 86_400_000);
    // Once resumed, the response still goes out on approval.
    await s.approveLatest('first_response');
    await s.letterSent('first_response');
  },
);

scenario(
  'a payment that arrives while the first response waits for approval withdraws it and redrafts for the new balance',
  async (s) => {
    const inv = await shortPaid(s);
    s.qb.pay(inv, 100);
    await s.sync();
    const v = await s.until(
      'v1 withdrawn and v2 drafted',
      (x) => x.drafts.length === 2 && x.drafts[0]!.state === 'withdrawn',
    );
    expect(v.drafts[0]!.withdrawn?.because).toMatch(/a payment changed/);
    expect(v.drafts[1]!.content.text).toMatch(/remaining balance of \$300\.00/);
    expect(v.account).toMatchObject({ paid: usd(70_000), stillOwed: usd(30_000) });
    // The stale link no longer approves anything.
    const refused = await s.approveDraft(1).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: Error },
    );
    expect(refused?.cause?.message).toMatch(/Draft v1 was withdrawn: a payment changed/);
    await s.approveLatest('first_response');
    const sent = await s.clientReceived(/remaining balance of \$300\.00/);
    expect(sent.text).not.toMatch(/\$400\.00/);
    expect(s.clientMails().filter((m) => /your payment and the remaining balance/.test(m.subject))).toHaveLength(1);
  },
);

scenario(
  'an objection while the first response waits for approval: one letter answers both, the stale draft never goes',
  async (s) => {
    await shortPaid(s);
    await s.clientReplies('Travel was never agreed.');
    await s.objection.specific('Travel was never agreed', ['Travel']);
    const v = await s.until('v1 withdrawn', (x) => x.drafts[0]!.state === 'withdrawn');
    expect(v.drafts[0]!.state).toBe('withdrawn');
    await s.uphold();
    await s.approveLatest('uphold');
    const letter = await s.clientReceived(/our response to the points you raised/i);
    expect(letter.text).toMatch(/Thank you for your message of/);
    expect(letter.text).toMatch(/Travel \(\$300\.00\): our documents support this charge/);
    expect(letter.text).toMatch(/acknowledges that the \$600\.00 you paid was owed/);
    await s.until('the payment clock', (x) => x.deadlines.some((d) => d.name === 'payment'));
    expect(s.clientMails()).toHaveLength(2); // the receipt and one answer, never the stale first response
  },
);

scenario(
  'a full-and-final payment answered through an upheld objection still rejects the settlement in writing',
  async (s) => {
    const inv = s.qb.invoice({
      customer: 'Harbor Cafe',
      lines: [
        ['Design', 700],
        ['Travel', 300],
      ],
    });
    s.qb.pay(inv, 600, { memo: 'full and final payment' });
    await s.sync();
    await s.ownerReceived(/full and final/i);
    await s.objection.specific('Travel was never agreed', ['Travel']);
    await s.uphold();
    await s.approveLatest('uphold');
    const letter = await s.clientReceived(/our response to the points you raised/i);
    expect(letter.text).toMatch(/We do not accept it in full and final settlement/);
    expect(letter.text).toMatch(/reject any accord and satisfaction/);
  },
);

scenario(
  'the receipt says what the partial payment means: the part paid is acknowledged, only the remainder is open',
  async (s) => {
    await shortPaid(s);
    const receipt = await s.clientReceived(/Payment received for invoice/);
    expect(receipt.text).toMatch(/accepted as partial payment only, not as settlement/);
    expect(receipt.text).toMatch(
      /acknowledges that the \$600\.00 you paid was owed\. Only the unpaid remainder of \$400\.00 is open between us/,
    );
  },
);

scenario('the owner builds the small-claims pack on demand, before any final notice', async (s) => {
  await shortPaid(s);
  await s.approveLatest('first_response');
  await s.letterSent('first_response');
  const before = await s.view();
  expect(before.evidencePack.builtAt).toBeUndefined();
  await s.buildEvidencePack();
  const v = await s.until('the pack built', (x) => Boolean(x.evidencePack.builtAt));
  expect(v.evidencePack.name).toMatch(/^Evidence pack/);
  await s.ownerReceived(/Evidence pack ready/);
  expect(v.status).not.toBe('escalated'); // the case carries on: the pack is a document, not an ending
});

scenario('a signed SOW added while the first response waits: the draft is redrafted with it attached', async (s) => {
  await shortPaid(s);
  await s.addDocument('Signed SOW - Harbor Cafe.pdf', 'sow');
  const v = await s.until(
    'v1 withdrawn and v2 drafted',
    (x) => x.drafts.length === 2 && x.drafts[0]!.state === 'withdrawn',
  );
  expect(v.drafts[0]!.withdrawn?.because).toBe('a document was added');
  expect(v.drafts[1]!.content.attachments.map((a) => a.name)).toContain('Signed SOW - Harbor Cafe.pdf');
  await s.approveLatest('first_response');
  const letter = await s.clientReceived(/your payment and the remaining balance/);
  expect(letter.text).toMatch(/Signed SOW - Harbor Cafe\.pdf \(Statement of work\)/);
  expect(letter.attachments).toContain('Signed SOW - Harbor Cafe.pdf');
});

scenario(
  'an agency and its client read the same QuickBooks company: one case both can see, one set of letters',
  async (s) => {
    const agency = await s.agencyConnectsSameCompany();
    const inv = s.qb.invoice({
      customer: 'Harbor Cafe',
      lines: [
        ['Design', 700],
        ['Travel', 300],
      ],
    });
    s.qb.pay(inv, 600);
    await s.sync(); // both organisations' connections read the payment
    await s.clientReceived(/Payment received for invoice/);
    await s.sync(); // and again: still one case
    const mine = await s.cases();
    expect(mine).toHaveLength(1);
    const seen = await agency.visibleCases();
    expect(seen.map((c) => c.id)).toEqual([mine[0]!.id]); // the agency sees the owner's case, never silently nothing
    expect(seen[0]!.organisationId).not.toBe(agency.organisationId);
    expect(s.clientMails(/Payment received for invoice/)).toHaveLength(1); // one receipt, never two
    expect(agency.mails()).toHaveLength(0); // letters and approvals stay with the owning organisation
    await s.approveLatest('first_response');
    await s.letterSent('first_response');
    expect(s.clientMails()).toHaveLength(2);
  },
);
