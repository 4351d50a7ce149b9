// What owners do in practice: memo wording, writing a case off or closing it, extending a deadline, the reminders
// and notices a clock sends, editing a concession, and chargebacks answered through Stripe.
import { expect } from 'vitest';
import { scenario, type Scenario } from './harness/index.js';
import { responded, shortPaid as openShortPaid } from './harness/stories.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const usd = (minor: number) => ({ minor, currency: 'USD' });

/** Invoice $1,000 (Design $600, Travel $400), paid $600 (with a memo when given), receipt sent. */
const shortPaid = async (s: Scenario, memo?: string) =>
  (await openShortPaid(s, memo === undefined ? {} : { memo })).inv;

const respondedShortPayment = async (s: Scenario) => (await responded(s)).inv;

for (const memo of ['Paid in full', 'pd in ful', 'final pymt - settled in full', 'Accepted as full payment of inv']) {
  scenario(`the memo "${memo}" alerts the owner the same day as a full-and-final payment`, async (s) => {
    await shortPaid(s, memo);
    const alert = await s.ownerReceived(/^Urgent: /);
    expect(alert.text).toMatch(/Object in writing today/);
    expect(Date.parse((await s.deadline('response'))!) - s.now()).toBeLessThan(4 * DAY);
  });
}

for (const memo of ['partial payment, not in full', 'balance to follow', 'part payment - rest next month']) {
  scenario(`the memo "${memo}" is a partial payment: receipt and approval request, no urgent alert`, async (s) => {
    await shortPaid(s, memo);
    await s.ownerReceived(/^Approve:/);
    expect(s.ownerMails(/^Urgent/)).toHaveLength(0);
    expect(Date.parse((await s.deadline('response'))!) - s.now()).toBeGreaterThan(2 * DAY);
  });
}

scenario(
  'the owner writes the case off: what was still owed is written off and the figures add up',
  async (s) => {
    const inv = await respondedShortPayment(s);
    await s.closeCase('write_off', 'not worth chasing');
    const v = await s.caseEnds('written_off');
    expect(v.account).toMatchObject({
      total: usd(100_000),
      paid: usd(60_000),
      writtenOff: usd(40_000),
      stillOwed: usd(0),
    });
    const a = v.account;
    expect(a.paid.minor + a.credited.minor + a.writtenOff.minor + a.stillOwed.minor).toBe(a.total.minor);
    expect(v.deadlines).toHaveLength(0);
    await s.skipDays(30);
    expect(s.clientMails()).toHaveLength(2); // receipt and response, no final notice after a write-off
    expect(s.ledger.creditMemos()).toHaveLength(0);
    expect(s.ledger.invoice(inv)?.Balance).toBe(400);
  },
  45_000,
);

scenario(
  'the owner closes the case as resolved by hand: no further letter, nothing written off',
  async (s) => {
    await respondedShortPayment(s);
    await s.closeCase('resolved', 'agreed by phone');
    const v = await s.caseEnds('resolved');
    expect(v.account.writtenOff).toEqual(usd(0));
    await s.skipDays(30);
    expect(s.clientMails()).toHaveLength(2);
    expect(s.ownerMails(/Approve: Final notice/)).toHaveLength(0);
  },
  45_000,
);

scenario('the owner withdraws the case before the response: the pending draft never goes out', async (s) => {
  await shortPaid(s);
  await s.closeCase('withdraw', 'opened by mistake');
  const v = await s.caseEnds('withdrawn');
  expect(v.drafts.map((d) => d.state)).not.toContain('sent');
  await s.skipDays(10);
  expect(s.clientMails()).toHaveLength(1);
  expect(s.ownerMails(/due today|window has closed/i)).toHaveLength(0);
});

scenario('the owner extends the response deadline by three days', async (s) => {
  await shortPaid(s);
  const due = Date.parse((await s.deadline('response'))!);
  const moved = await s.extend('response', 3);
  expect(Date.parse(moved.at)).toBeGreaterThan(due);
  const v = await s.view();
  expect(Date.parse(v.deadlines.find((d) => d.name === 'response')!.at)).toBe(Date.parse(moved.at));
});

scenario('a reminder reaches the owner before the response is due, then "due today"', async (s) => {
  await shortPaid(s);
  const due = Date.parse((await s.deadline('response'))!);
  await s.skip(due - s.now() - 12 * HOUR);
  await s.ownerReceived(/A written response is waiting for your approval/);
  await s.skip(13 * HOUR);
  await s.ownerReceived(/The written response is due today/);
  expect(s.clientMails()).toHaveLength(1); // nothing goes out without the owner
});

scenario('the response window closes without approval: the owner is told, the client gets nothing more', async (s) => {
  await shortPaid(s);
  const limit = Date.parse((await s.deadline('response_limit'))!);
  await s.skip(limit - s.now() + HOUR);
  await s.ownerReceived(/The response window has closed/);
  expect(s.clientMails()).toHaveLength(1);
  expect((await s.view()).drafts.map((d) => d.state)).not.toContain('sent');
});

scenario(
  'the owner reminded before the payment deadline: "A payment deadline is coming up"',
  async (s) => {
    await respondedShortPayment(s);
    const due = Date.parse((await s.deadline('payment'))!);
    await s.skip(due - s.now() - 12 * HOUR);
    await s.ownerReceived(/A payment deadline is coming up/);
    expect(s.clientMails(/final notice/i)).toHaveLength(0);
  },
  45_000,
);

scenario(
  'the owner edits the concession letter: the client gets the edited text and one credit memo is posted',
  async (s) => {
    const inv = await respondedShortPayment(s);
    await s.objection.specific('Travel was never agreed', ['Travel']);
    await s.concede({ Travel: 400 });
    await s.editLatest(
      {
        subject: `Invoice ${inv.number}: Travel credited`,
        text: 'Dear Harbor Cafe,\n\nYou are right about Travel; we have credited it in full.\n\nAna',
      },
      'concession',
    );
    const letter = await s.clientReceived(`Invoice ${inv.number}: Travel credited`);
    expect(letter.text).toMatch(/credited it in full/);
    await s.caseEnds('resolved');
    expect(s.ledger.creditMemos()).toHaveLength(1);
    expect(s.ledger.creditMemos()[0]!.TotalAmt).toBe(400);
    expect(s.ledger.invoice(inv)?.Balance).toBe(0);
  },
);

scenario(
  'the owner rejects the concession letter: a new draft replaces it and no credit memo is posted until approval',
  async (s) => {
    await respondedShortPayment(s);
    await s.objection.specific('Travel was never agreed', ['Travel']);
    await s.concede({ Travel: 100 });
    await s.rejectLatest('say it more warmly', 'concession');
    await s.until(
      'a new concession draft',
      (v) => v.drafts.filter((d) => d.kind === 'concession').length === 2 && v.drafts.at(-1)!.state === 'pending',
    );
    expect(s.ledger.creditMemos()).toHaveLength(0);
    await s.approveLatest('concession');
    await s.letterSent('concession');
    expect(s.ledger.creditMemos()).toHaveLength(1);
    expect(s.clientMails(/points you raised/i)).toHaveLength(1);
  },
);

scenario(
  'a chargeback on a paid Stripe invoice: evidence approved by the owner reaches Stripe, no receipt, won resolves',
  async (s) => {
    const cb = await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    await s.ownerReceived(/^Chargeback of \$2,500\.00/);
    const draft = await s.approveLatest('stripe_evidence');
    expect(draft.kind).toBe('stripe_evidence');
    await s.until('evidence submitted', (v) => v.status === 'stripe_submitted');
    const dispute = (await s.stripe.state()).disputes.find((d) => d.id === cb.disputeId)!;
    expect(dispute.status).toBe('under_review');
    expect(await s.caseMails()).toHaveLength(0); // no partial-payment receipt to the cardholder, nor any other letter
    expect(s.ownerMails(/partial payment/i)).toHaveLength(0);
    await s.stripe.closeDispute(cb.disputeId, 'won');
    await s.sync();
    const v = await s.caseEnds('resolved');
    expect(v.chargeback?.amount).toEqual(usd(250_000));
  },
);

scenario('a chargeback lost: the case is written off and the owner is told', async (s) => {
  const cb = await s.stripe.chargeback({ dueInDays: 7 });
  await s.sync();
  await s.approveLatest('stripe_evidence');
  await s.until('evidence submitted', (v) => v.status === 'stripe_submitted');
  await s.stripe.closeDispute(cb.disputeId, 'lost');
  await s.sync();
  await s.caseEnds('written_off');
  await s.ownerReceived(/Chargeback lost/);
});

scenario(
  "a chargeback whose Stripe connection breaks: the case pauses, and the owner hears that Stripe's deadline still runs",
  async (s) => {
    await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    await s.ownerReceived(/^Chargeback of \$2,500\.00/);
    await s.breakConnection('refresh token revoked', 'stripe');
    await s.ownerReceived(/Reconnect your ledger: this case is paused/);
    const alert = await s.ownerReceived(/Stripe's evidence deadline still runs/);
    expect(alert.text).toMatch(/does not pause/);
    const v = await s.until('paused', (x) => Boolean(x.pausedSince));
    expect(v.status).not.toBe('stripe_submitted');
  },
);
