// Things arriving twice, late, early or undone: duplicate webhooks and clicks, payments after the final notice or
// the escalation, a payment voided in QuickBooks, a reply after the response, a second invoice.
import { expect } from 'vitest';
import { scenario, type Scenario } from './harness/index.js';
import { responded, shortPaid } from './harness/stories.js';

const HOUR = 3_600_000;
const usd = (minor: number) => ({ minor, currency: 'USD' });

/** Invoice $1,000 (Design $600, Travel $400), paid $600, receipt sent. */

/** ... and the first response approved and sent: the payment clock runs. */

/** ... and the payment deadline passed with nothing paid: the final notice approved and sent. */
async function finalNoticeSent(s: Scenario) {
  const r = await responded(s);
  await s.skip(Date.parse((await s.deadline('payment'))!) - s.now() + HOUR);
  await s.approveLatest('final_notice');
  await s.clientReceived(/^Final notice/);
  await s.until(
    'the final notice clock',
    (v) => v.status === 'final_notice' && v.deadlines.some((d) => d.name === 'final_notice'),
  );
  return r;
}

scenario(
  'the remaining payment synced twice resolves the case once: one "settled" mail, no letter to the client',
  async (s) => {
    const { inv } = await responded(s);
    s.qb.pay(inv, 400);
    await s.sync();
    await s.sync();
    const v = await s.caseEnds('resolved');
    await s.sync();
    expect(v.account).toMatchObject({ paid: usd(100_000), stillOwed: usd(0) });
    expect(v.timeline.filter((t) => t.kind === 'payment')).toHaveLength(1);
    await s.ownerReceived(/is settled/);
    expect(s.ownerMails(/is settled/)).toHaveLength(1);
    expect(s.clientMails()).toHaveLength(2); // the receipt and the response
    expect(await s.cases()).toHaveLength(1);
  },
);

scenario('the approval link clicked twice sends the letter once', async (s) => {
  await shortPaid(s);
  const draft = await s.approveLatest('first_response');
  await s.letterSent('first_response');
  await s.approveDraft(draft.version); // the owner clicks the same emailed link again
  const v = await s.until('the payment clock to run', (x) => x.status === 'awaiting_payment');
  expect(v.drafts.map((d) => [d.kind, d.state])).toEqual([['first_response', 'sent']]);
  expect(s.clientMails(draft.content.subject)).toHaveLength(1);
});

scenario(
  'the client pays the rest after the final notice went out: the case resolves and no evidence pack is built',
  async (s) => {
    const { inv } = await finalNoticeSent(s);
    await s.skipDays(2);
    s.qb.pay(inv, 400);
    await s.sync();
    const v = await s.caseEnds('resolved');
    expect(v.account).toMatchObject({ paid: usd(100_000), stillOwed: usd(0) });
    expect(v.evidencePack.builtAt).toBeUndefined();
    await s.skipDays(14); // the final-notice deadline passes: nothing more happens
    expect(s.ownerMails(/Evidence pack/)).toHaveLength(0);
    expect(s.clientMails()).toHaveLength(3); // receipt, response, final notice
    expect(
      (await s.services.documents.listForCase((await s.case()).id)).filter((d) => d.kind === 'evidence_pack'),
    ).toHaveLength(0);
  },
  45_000,
);

scenario(
  'the client pays the rest after the case escalated to small claims: the case resolves',
  async (s) => {
    const { inv } = await finalNoticeSent(s);
    await s.skip(Date.parse((await s.deadline('final_notice'))!) - s.now() + HOUR);
    await s.until('the case to escalate', (v) => v.status === 'escalated');
    await s.ownerReceived(/Evidence pack ready for small claims/);
    s.qb.pay(inv, 400);
    await s.sync();
    const v = await s.caseEnds('resolved');
    expect(v.account).toMatchObject({ paid: usd(100_000), stillOwed: usd(0) });
    expect(s.clientMails()).toHaveLength(3);
    expect(s.ledger.invoice(inv)?.Balance).toBe(0);
  },
  45_000,
);

scenario('paid in two parts before the first sync: the invoice is paid, no case and no mail', async (s) => {
  const inv = s.qb.invoice({
    customer: 'Harbor Cafe',
    lines: [
      ['Design', 600],
      ['Travel', 400],
    ],
  });
  s.qb.pay(inv, 600);
  s.qb.pay(inv, 400);
  await s.sync();
  await s.sync();
  expect(await s.cases()).toHaveLength(0);
  expect(s.clientMails()).toHaveLength(0);
  expect(s.ownerMails()).toHaveLength(0);
  expect(s.ledger.invoice(inv)?.Balance).toBe(0);
});

scenario(
  'the short payment voided in QuickBooks after the response: nothing counts as paid, the final notice asks for $1,000.00',
  async (s) => {
    const { payment } = await responded(s);
    s.qb.voidPayment(payment.Id);
    await s.sync();
    const v = await s.until('the payment reversed', (x) => x.account.paid.minor === 0);
    expect(v.account).toMatchObject({ total: usd(100_000), paid: usd(0), stillOwed: usd(100_000) });
    expect(v.timeline.some((t) => t.kind === 'payment_reversed')).toBe(true);
    await s.skip(Date.parse((await s.deadline('payment'))!) - s.now() + HOUR);
    await s.approveLatest('final_notice');
    const notice = await s.clientReceived(/^Final notice/);
    expect(notice.subject).toMatch(/\$1,000\.00 outstanding/);
    expect(notice.text).not.toMatch(/\$400\.00 outstanding/);
    expect(s.ledger.creditMemos()).toHaveLength(0);
  },
  45_000,
);

scenario('a client reply after the written response puts the case with the owner', async (s) => {
  await responded(s);
  await s.clientReplies('We are looking into it, but Travel looks high to us.');
  const v = await s.until('the owner to decide', (x) => x.status === 'awaiting_owner');
  expect(v.timeline.filter((t) => t.kind === 'client_reply')).toHaveLength(1);
  expect(s.clientMails()).toHaveLength(2); // nothing goes to the client without the owner
});

scenario('a vague objection before the first response: the first response asks which line and why', async (s) => {
  await shortPaid(s);
  await s.clientReplies("I'm not happy with the work.");
  await s.objection.vague('Not happy with the work');
  await s.until(
    'v1 withdrawn and v2 drafted',
    (v) => v.drafts.length === 2 && v.drafts[0]!.state === 'withdrawn' && v.drafts[1]!.state === 'pending',
  );
  await s.approveLatest('first_response');
  const v = await s.letterSent('first_response');
  const letter = v.drafts.filter((d) => d.state === 'sent').at(-1)!;
  expect(letter.content.text).toMatch(/Thank you for your message/);
  expect(letter.content.text).toMatch(/specific/i);
  expect(s.clientMails()).toHaveLength(2); // the receipt and one answer
});

scenario(
  'two short-paid invoices of the same client open two cases, each with its own receipt and response',
  async (s) => {
    const a = s.qb.invoice({
      customer: 'Harbor Cafe',
      lines: [
        ['Design', 600],
        ['Travel', 400],
      ],
    });
    const b = s.qb.invoice({ customer: 'Harbor Cafe', lines: [['Photography', 500]] });
    s.qb.pay(a, 600);
    s.qb.pay(b, 200);
    await s.sync();
    await s.case(a);
    await s.case(b);
    expect(await s.cases()).toHaveLength(2);
    await s.clientReceived(a.number);
    await s.clientReceived(b.number);
    await s.approveLatest('first_response', a);
    await s.approveLatest('first_response', b);
    await s.letterSent('first_response', a);
    await s.letterSent('first_response', b);
    expect((await s.view(a)).account.stillOwed).toEqual(usd(40_000));
    expect((await s.view(b)).account.stillOwed).toEqual(usd(30_000));
    expect(s.clientMails()).toHaveLength(4);
    expect(s.clientMails(/\$300\.00/).length).toBeGreaterThan(0);
  },
);

scenario(
  'the connection breaks while a concession is approved: the credit memo is posted once, after the reconnect',
  async (s) => {
    const { inv } = await responded(s);
    await s.objection.specific('Travel was never agreed', ['Travel']);
    await s.concede({ Travel: 100 });
    await s.until(
      'the concession draft',
      (v) => v.drafts.at(-1)?.kind === 'concession' && v.drafts.at(-1)?.state === 'pending',
    );
    await s.breakConnection();
    await s.until('the case to pause', (v) => !v.ledgerConnected);
    await s.approveLatest('concession');
    await s.ownerReceived(/Reconnect your ledger/);
    await s.skipDays(1);
    expect(s.ledger.creditMemos()).toHaveLength(0);
    expect(s.clientMails(/points you raised/i)).toHaveLength(0);
    await s.restoreConnection();
    await s.clientReceived(/points you raised/i);
    await s.letterSent('concession');
    await s.sync();
    expect(s.ledger.creditMemos()).toHaveLength(1);
    expect(s.ledger.invoice(inv)?.Balance).toBe(300);
    expect(s.clientMails(/points you raised/i)).toHaveLength(1);
  },
  45_000,
);

scenario('the same objection registered twice is refused the second time', async (s) => {
  await responded(s);
  await s.objection.specific('Travel was never agreed', ['Travel']);
  const again = await s.objection.specific('Travel was never agreed', ['Travel']).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(again).toBeInstanceOf(Error);
  const v = await s.view();
  expect(v.objection).toMatchObject({ kind: 'specific', summary: 'Travel was never agreed' });
  expect(s.ownerMails(/The client named a disputed line/).length).toBeLessThanOrEqual(1);
});

scenario('an approval right after a payment reversal is refused and the stale letter never goes', async (s) => {
  const inv = s.qb.invoice({
    customer: 'Harbor Cafe',
    lines: [
      ['Design', 600],
      ['Travel', 400],
    ],
  });
  const p = s.qb.pay(inv, 600);
  await s.sync();
  await s.clientReceived(/partial payment/i);
  await s.until('v1 pending', (v) => v.drafts.at(-1)?.state === 'pending');
  s.qb.voidPayment(p.Id);
  await s.sync();
  const refused = await s.approveDraft(1).then(
    () => undefined,
    (e: unknown) => e as Error & { cause?: Error },
  );
  expect(refused?.cause?.message).toMatch(/Draft v1 was withdrawn: a payment changed/);
  const v = await s.until('v2 drafted', (x) => x.drafts.length === 2);
  expect(v.drafts[1]!.content.text).toMatch(/\$1,000\.00/);
  expect(s.clientMails()).toHaveLength(1); // the receipt only
});

scenario(
  'the invoice voided in QuickBooks while the response waits: the case ends and no further letter goes out',
  async (s) => {
    const inv = s.qb.invoice({
      customer: 'Harbor Cafe',
      lines: [
        ['Design', 600],
        ['Travel', 400],
      ],
    });
    const payment = s.qb.pay(inv, 600);
    await s.sync();
    await s.clientReceived(/partial payment/i);
    await s.until('the first response to wait', (v) => v.status === 'awaiting_approval');
    s.qb.voidPayment(payment.Id);
    s.qb.voidInvoice(inv);
    await s.sync();
    const v = await s.until('the case to end', (x) => ['resolved', 'withdrawn', 'written_off'].includes(x.status));
    expect(v.drafts.map((d) => d.state)).not.toContain('sent');
    await s.skipDays(20);
    expect(s.clientMails()).toHaveLength(1); // the receipt only
    expect(s.ownerMails(/due today|window has closed/i)).toHaveLength(0);
  },
  45_000,
);
