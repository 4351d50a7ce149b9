// Short payments as the owner lives them: the receipt, the "full and final" memo, the written response, and
// the client paying in the end.
import { expect } from 'vitest';
import { scenario } from './harness/index.js';

scenario(
  'a short payment gets a partial-payment receipt at once, and a first response waits for the owner',
  async (s) => {
    const inv = s.qb.invoice({
      customer: 'Harbor Cafe',
      lines: [
        ['Design', 600],
        ['Travel', 400],
      ],
    });
    s.qb.pay(inv, 600);
    await s.sync();

    const receipt = await s.clientReceived(/partial payment/i);
    expect(receipt.text).toContain('$600.00');
    expect(receipt.replyTo).toMatch(/^case\+[0-9a-f-]+@replies\.shortfall\.test$/);
    const approval = await s.ownerReceived(/^Approve:/);
    expect(approval.text).toMatch(/Nothing is sent until you approve it/);
    const v = await s.until('the first response to wait for approval', (x) => x.status === 'awaiting_approval');
    expect(v.drafts.map((d) => [d.kind, d.state])).toEqual([['first_response', 'pending']]);
    expect(v.paid).toEqual({ minor: 60_000, currency: 'USD' });
    expect(v.disputed).toEqual({ minor: 40_000, currency: 'USD' });
    // Respond in writing within 3-5 business days of learning about it.
    const response = Date.parse((await s.deadline('response'))!);
    const limit = Date.parse((await s.deadline('response_limit'))!);
    expect(response - s.now()).toBeGreaterThan(2 * 86_400_000);
    expect(response - s.now()).toBeLessThan(6 * 86_400_000);
    expect(limit).toBeGreaterThanOrEqual(response);
    expect(limit - s.now()).toBeLessThan(8 * 86_400_000);
    expect(s.ownerMails(/full and final/i)).toHaveLength(0);
  },
);

scenario(
  'a "full and final" memo alerts the owner the same day, and the approved response objects in writing',
  async (s) => {
    const inv = s.qb.invoice({
      customer: 'Harbor Cafe',
      lines: [
        ['Design', 600],
        ['Travel', 400],
      ],
    });
    s.qb.pay(inv, 600, { memo: 'full and final payment' });
    await s.sync();

    await s.clientReceived(/partial payment only/i);
    const alert = await s.ownerReceived(/^Urgent: "full and final/i);
    expect(alert.text).toMatch(/Object in writing today/);
    // One business day for a full-and-final memo, not the usual three.
    const response = Date.parse((await s.deadline('response'))!);
    expect(response - s.now()).toBeLessThan(4 * 86_400_000);

    const draft = await s.approveLatest('first_response');
    const letter = await s.clientReceived(draft.content.subject);
    expect(letter.text).toMatch(/not .*(settlement|full and final)/i);
    expect(letter.attachments).toEqual(expect.arrayContaining([expect.stringMatching(/^Invoice .+\.pdf$/)]));
    const v = await s.letterSent('first_response');
    expect(v.drafts.at(-1)).toMatchObject({ kind: 'first_response', state: 'sent' });
  },
);

scenario('a negated memo ("this is NOT full and final") gets a receipt but no urgent alert', async (s) => {
  const inv = s.qb.invoice({
    customer: 'Harbor Cafe',
    lines: [
      ['Design', 600],
      ['Travel', 400],
    ],
  });
  s.qb.pay(inv, 600, { memo: 'this is NOT full and final, rest next month' });
  await s.sync();

  await s.clientReceived(/partial payment/i);
  await s.ownerReceived(/^Approve:/);
  expect(s.ownerMails(/urgent|full and final/i)).toHaveLength(0);
  // The ordinary window, not the one-day full-and-final one.
  const response = Date.parse((await s.deadline('response'))!);
  expect(response - s.now()).toBeGreaterThan(2 * 86_400_000);
});

scenario('the approved response goes to the client with a payment deadline about two weeks out', async (s) => {
  const inv = s.qb.invoice({
    customer: 'Harbor Cafe',
    lines: [
      ['Design', 600],
      ['Travel', 400],
    ],
  });
  s.qb.pay(inv, 600);
  await s.sync();
  await s.clientReceived(/partial payment/i);

  const draft = await s.approveLatest('first_response');
  const letter = await s.clientReceived(draft.content.subject);
  expect(letter.text).toContain('$400.00');
  const v = await s.until('the payment clock to run', (x) => x.status === 'awaiting_payment');
  const payment = Date.parse(v.deadlines.find((d) => d.name === 'payment')!.at);
  expect(payment - s.now()).toBeGreaterThan(13 * 86_400_000);
  expect(payment - s.now()).toBeLessThan(18 * 86_400_000);
  expect(v.deadlines.map((d) => d.name)).not.toContain('response');
});

scenario('paid in full three days after the response: the case resolves and no further letter goes out', async (s) => {
  const inv = s.qb.invoice({
    customer: 'Harbor Cafe',
    lines: [
      ['Design', 600],
      ['Travel', 400],
    ],
  });
  s.qb.pay(inv, 600, { memo: 'full and final payment' });
  await s.sync();
  await s.clientReceived(/partial payment only/i);
  const draft = await s.approveLatest('first_response');
  expect((await s.clientReceived(draft.content.subject)).text).toMatch(/not .*(settlement|full and final)/i);
  await s.until('the payment clock to run', (x) => x.status === 'awaiting_payment');

  await s.skipDays(3);
  s.qb.pay(inv, 400);
  await s.sync();
  const v = await s.caseEnds('resolved');
  expect(v.disputed.minor).toBe(0);
  expect(v.timeline.map((t) => t.kind)).toContain('payment');
  expect(s.clientMails()).toHaveLength(2); // the receipt and the response, nothing after the payment
  expect(s.ledger.creditMemos()).toHaveLength(0);
  expect(s.ledger.invoice(inv)?.Balance).toBe(0);
});

scenario('the same sync delivered twice sends one receipt and opens one case', async (s) => {
  const inv = s.qb.invoice({
    customer: 'Harbor Cafe',
    lines: [
      ['Design', 600],
      ['Travel', 400],
    ],
  });
  s.qb.pay(inv, 600);
  await s.sync();
  await s.sync();
  await s.clientReceived(/partial payment/i);
  await s.ownerReceived(/^Approve:/);
  await s.sync();

  expect(await s.cases()).toHaveLength(1);
  await s.until('the first response draft', (x) => x.drafts.length === 1);
  expect(s.clientMails(/partial payment/i)).toHaveLength(1);
  expect(s.ownerMails(/^Approve:/)).toHaveLength(1);
});

scenario(
  'a client who lost $35 to a SWIFT intermediary bank gets no letter; an owner who wants every cent can say so',
  async (s) => {
    const inv = s.qb.invoice({ customer: 'Harbor Cafe', lines: [['Design', 1000]] });
    s.qb.pay(inv, 965);
    await s.sync();
    expect(await s.cases()).toHaveLength(0);
    expect(s.clientMails()).toHaveLength(0);
    // The owner sets a strict tolerance for dollars; the next short payment beyond it opens a case.
    await s.setTolerance('USD', 10, 0);
    const second = s.qb.invoice({ customer: 'Harbor Cafe', lines: [['Design', 1000]] });
    s.qb.pay(second, 965);
    await s.sync();
    await s.clientReceived(/Payment received for invoice/);
    expect((await s.cases()).map((c) => c.invoiceId)).toContain(second.id);
  },
);
