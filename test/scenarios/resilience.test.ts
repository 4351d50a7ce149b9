// Time passing and things going wrong: no payment after the deadline, a broken ledger connection, the owner
// rejecting a draft, and a client who pays before the response goes out.
import { expect } from 'vitest';
import { scenario, type Scenario } from './harness/index.js';
import { responded } from './harness/stories.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const respondedShortPayment = async (s: Scenario) => (await responded(s)).inv;

scenario(
  'no payment after the deadline: a final notice, then the small-claims evidence pack',
  async (s) => {
    await respondedShortPayment(s);
    const due = Date.parse((await s.deadline('payment'))!);
    await s.skip(due - s.now() + HOUR);

    await s.ownerReceived(/^Approve: Final notice/);
    await s.approveLatest('final_notice');
    const notice = await s.clientReceived(/^Final notice: invoice .+, \$400\.00 outstanding/);
    expect(notice.text).toMatch(/small claims court/);
    expect(notice.text).toMatch(/You paid \$600\.00, which we accepted as partial payment only/);
    const v = await s.until(
      'the final notice clock',
      (x) => x.status === 'final_notice' && x.deadlines.some((d) => d.name === 'final_notice'),
    );
    const finalDue = Date.parse(v.deadlines.find((d) => d.name === 'final_notice')!.at);
    expect(finalDue - s.now()).toBeGreaterThan(6 * DAY);
    expect(finalDue - s.now()).toBeLessThan(11 * DAY);

    await s.skip(finalDue - s.now() + HOUR);
    await s.ownerReceived(/Evidence pack ready for small claims/);
    const escalated = await s.until('the case to escalate', (x) => x.status === 'escalated');
    expect(escalated.timeline.map((t) => t.kind)).toContain('escalated');
    const docs = await s.services.documents.listForCase((await s.case()).id);
    expect(docs.filter((d) => d.kind === 'evidence_pack')).toHaveLength(1);
    expect(s.clientMails()).toHaveLength(3); // receipt, response, final notice: the pack is for the owner
  },
  45_000,
);

scenario(
  'a broken ledger connection pauses the payment clock; reconnecting resumes it with the time it had left',
  async (s) => {
    await respondedShortPayment(s);
    const due = Date.parse((await s.deadline('payment'))!);
    await s.skipDays(2);
    await s.breakConnection('refresh token revoked');
    await s.ownerReceived(/Reconnect your ledger/);
    expect(await s.connectionStatus()).toBe('needs_reconnect');
    await s.until('the case to pause', (v) => !v.ledgerConnected);

    await s.skipDays(20); // well past the original payment deadline
    expect((await s.view()).drafts.map((d) => d.kind)).not.toContain('final_notice');
    await s.restoreConnection();
    const v = await s.until(
      'the clock to resume',
      (x) => x.ledgerConnected && Date.parse(x.deadlines.find((d) => d.name === 'payment')!.at) > due,
    );
    const moved = Date.parse(v.deadlines.find((d) => d.name === 'payment')!.at) - due;
    expect(moved).toBeGreaterThan(19 * DAY);
    expect(moved).toBeLessThan(21 * DAY);
    expect(s.clientMails(/final notice/i)).toHaveLength(0);
  },
  45_000,
);

scenario(
  'the owner rejects the first draft and edits the next one: the client gets the edited letter only',
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
    await s.clientReceived(/partial payment/i);

    const rejected = await s.rejectLatest('too formal', 'first_response');
    const redraft = await s.until('a new draft', (v) => v.drafts.length === 2 && v.drafts[1]!.state === 'pending');
    expect(redraft.drafts[0]).toMatchObject({ version: rejected.version, state: 'rejected' });
    await s.editLatest({
      subject: `About invoice ${inv.number}`,
      text: 'Dear Harbor Cafe,\n\nThank you for the $600.00. We accept it as partial payment only; $400.00 remains due.\n\nAna',
    });
    const letter = await s.clientReceived(`About invoice ${inv.number}`);
    expect(letter.text).toMatch(/partial payment only; \$400\.00 remains due/);
    await s.letterSent('first_response');
    expect(s.clientMails(rejected.content.subject)).toHaveLength(0);
    expect(s.ownerMails(/^Approve:/)).toHaveLength(2);
  },
);

scenario(
  'the client pays the rest before the owner approves: the case resolves and the stale response never goes out',
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
    await s.clientReceived(/partial payment/i);
    await s.until('the first response to wait', (v) => v.drafts.at(-1)?.state === 'pending');

    await s.skipDays(1);
    s.qb.pay(inv, 400);
    await s.sync();
    const v = await s.caseEnds('resolved');
    expect(v.drafts.map((d) => d.state)).not.toContain('sent');
    expect(s.clientMails()).toHaveLength(1); // the receipt only
  },
);

scenario('the owner extends the payment deadline by a week', async (s) => {
  await respondedShortPayment(s);
  const due = Date.parse((await s.deadline('payment'))!);
  const moved = await s.extend('payment', 7);
  expect(Date.parse(moved.at) - due).toBe(7 * DAY);
  await s.skip(due - s.now() + HOUR); // the old deadline passes: nothing happens
  const v = await s.view();
  expect(v.drafts.map((d) => d.kind)).not.toContain('final_notice');
  expect(v.status).toBe('awaiting_payment');
});
