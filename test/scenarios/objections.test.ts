// The client objects after the written response: vaguely (ask for specifics), or naming a line the owner
// concedes (credit note in the ledger) or upholds.
import { expect } from 'vitest';
import { scenario, type Scenario } from './harness/index.js';
import { responded } from './harness/stories.js';

/** Invoice $1,000 (Design $700, Travel $300), paid $600, response approved and sent. */
const respondedShortPayment = async (s: Scenario) =>
  (
    await responded(s, {
      lines: [
        ['Design', 700],
        ['Travel', 300],
      ],
    })
  ).inv;

scenario('a vague reply ("not happy with the work") gets a letter asking which line and why', async (s) => {
  await respondedShortPayment(s);
  const reply = await s.clientReplies("I'm not happy with the work, I won't pay the rest.", { subject: 'Re: invoice' });
  expect(reply.status).toBe(202);
  await s.until('the reply on the case timeline', (v) => v.timeline.some((t) => t.kind === 'client_reply'));

  await s.objection.vague('Not happy with the work');
  await s.approveLatest('ask_specifics');
  const letter = await s.clientReceived(/please tell us specifically what you dispute/i);
  expect(letter.text).toMatch(/cannot investigate a general objection/);
  expect(letter.text).toMatch(/Design/);
  expect(letter.text).toMatch(/\$600\.00 has been accepted as partial payment only/);
  const v = await s.letterSent('ask_specifics');
  expect(v.objection).toBeUndefined();
  expect(s.ledger.creditMemos()).toHaveLength(0);
});

scenario(
  'a specific objection on one line, conceded: concession letter and exactly one credit memo in QuickBooks',
  async (s) => {
    const inv = await respondedShortPayment(s);
    await s.clientReplies('Travel was never agreed, we will not pay it.');
    await s.objection.specific('Travel was never agreed', ['Travel']);
    await s.ownerReceived(/The client named a disputed line/);
    expect((await s.view()).objection).toMatchObject({ kind: 'specific', summary: 'Travel was never agreed' });

    await s.concede({ Travel: 300 });
    await s.approveLatest('concession');
    const letter = await s.clientReceived(/our response to the points you raised/i);
    expect(letter.text).toMatch(/Travel \(\$300\.00\): you are right on this point/);
    expect(letter.text).toMatch(/not an admission that any other part of the invoice is wrong/);
    expect(letter.text).toMatch(/The remaining balance is \$100\.00/);
    const v = await s.letterSent('concession');
    expect(v.timeline.filter((t) => t.kind === 'credit_note')).toHaveLength(1);

    const memos = s.ledger.creditMemos();
    expect(memos).toHaveLength(1);
    expect(memos[0]!.TotalAmt).toBe(300);
    expect(s.ledger.invoice(inv)?.Balance).toBe(100);
    // The credit memo comes back through the next sync (QuickBooks links it through a $0 payment): still one credit,
    // never a payment, and the figures still add up to the ledger's balance.
    await s.sync();
    const after = await s.view();
    expect(after.account).toMatchObject({
      paid: { minor: 60_000 },
      credited: { minor: 30_000 },
      stillOwed: { minor: 10_000 },
    });
    expect(after.account.credits.map((c) => c.number)).toEqual([memos[0]!.DocNumber]);
    expect(after.timeline.filter((t) => t.kind === 'payment')).toHaveLength(0);
    expect(s.ledger.creditMemos()).toHaveLength(1);
    expect(s.clientMails()).toHaveLength(3);
  },
);

scenario(
  'a specific objection the owner upholds: the uphold letter stands by the invoice and asks for the balance',
  async (s) => {
    await respondedShortPayment(s);
    await s.objection.specific('Design took longer than quoted', ['Design']);
    await s.ownerReceived(/The client named a disputed line/);
    await s.uphold();
    await s.approveLatest('uphold');
    const letter = await s.clientReceived(/our response to the points you raised/i);
    expect(letter.text).toMatch(/Design \(\$700\.00\): our documents support this charge as invoiced, and it stands/);
    expect(letter.text).toMatch(/The remaining balance is \$400\.00\. Please pay it by/);
    const v = await s.letterSent('uphold');
    expect(v.deadlines.map((d) => d.name)).toContain('payment');
    expect(s.ledger.creditMemos()).toHaveLength(0);
  },
);

scenario('the same reply email delivered twice is kept once', async (s) => {
  await respondedShortPayment(s);
  const first = await s.clientReplies('Which hours are these?', { messageId: '<dup-1@clients.example>' });
  const again = await s.clientReplies('Which hours are these?', { messageId: '<dup-1@clients.example>' });
  expect(first.body.duplicate).toBe(false);
  expect(again.body).toMatchObject({ duplicate: true, caseId: first.body.caseId });
  const v = await s.until('the reply on the timeline', (x) => x.timeline.some((t) => t.kind === 'client_reply'));
  expect(v.timeline.filter((t) => t.kind === 'client_reply')).toHaveLength(1);
});
