// Arrangements the owner agreed (README, "Arrangements"): a payment plan or a deposit opens no case; a missed
// instalment opens one for what is overdue; from the case page, agreeing a plan closes the case.
import { expect } from 'vitest';
import { cases, paymentPlans } from '../../src/services/db/schema.js';
import { eq } from 'drizzle-orm';
import { scenario } from './harness/index.js';

scenario(
  'an agreed plan opens no case at the first instalment; a missed instalment opens a case for the overdue amount',
  async (s) => {
    const inv = s.qb.invoice({ customer: 'Harbor Cafe', lines: [['Kitchen design', 3000]] });
    await s.sync();
    await s.agreeArrangement(inv, [
      [7, 1000],
      [37, 1000],
      [67, 1000],
    ]);
    await s.skipDays(7);
    s.qb.pay(inv, 1000);
    await s.sync();
    expect(await s.cases()).toHaveLength(0);
    expect(s.clientMails()).toHaveLength(0);
    // The second instalment (day 37) never comes; nothing changes in the books, and the next pass notices.
    await s.skipDays(31);
    await s.sync();
    const c = await s.case(inv);
    const [row] = await s.db.select().from(cases).where(eq(cases.id, c.id));
    expect(row).toMatchObject({ invoiceId: inv.id, kind: 'short_payment' });
    // The case pursues the missed instalment only: no receipt for the instalment paid on time, and one letter asking
    // for the overdue $1,000.00 while the later instalment stays due on its date.
    const v = await s.until('the first response drafted', (x) => x.drafts.some((d) => d.kind === 'first_response'));
    expect(v.account).toMatchObject({
      paid: { minor: 100_000 },
      stillOwed: { minor: 200_000 },
      inDispute: { minor: 100_000 },
    });
    await s.approveLatest('first_response');
    const letter = await s.clientReceived(/Invoice \S+:/);
    expect(letter.text).toMatch(/\$1,000\.00 is overdue/);
    expect(letter.text).toMatch(
      /Please pay the overdue \$1,000\.00 by .*\. The later instalments stay due on their agreed dates/,
    );
    expect(letter.text).not.toMatch(/\$2,000\.00|partial payment only/);
    expect(s.clientMails()).toHaveLength(1);
    // The client catches up: the case ends, back on the plan, and no final notice follows.
    s.qb.pay(inv, 1000);
    await s.sync();
    const ended = await s.caseEnds('resolved');
    expect(ended.timeline.map((t) => t.summary).join('\n')).toMatch(/back on the agreed payment plan/);
  },
);

scenario(
  'a plan kept to the letter, instalment after instalment, never opens a case',
  async (s) => {
    const inv = s.qb.invoice({
      customer: 'Harbor Cafe',
      lines: [
        ['Design', 1000],
        ['Build', 1000],
      ],
    });
    s.qb.pay(inv, 500);
    await s.sync(); // a short payment: the case opens at once, before anything was agreed
    await s.clientReceived(/partial payment only/i);
    await s.arrangeOnCasePage([
      [14, 500],
      [44, 500],
      [74, 500],
    ]);
    const ended = await s.caseEnds('resolved');
    expect(ended.timeline.map((t) => JSON.stringify(t)).join(' ')).toMatch(/agreed payment plan: 3 instalments/);
    expect(
      await s.db.select({ kind: paymentPlans.kind }).from(paymentPlans).where(eq(paymentPlans.createdBy, s.ownerEmail)),
    ).toEqual([{ kind: 'plan' }]);
    for (const day of [14, 30, 30]) {
      await s.skipDays(day);
      s.qb.pay(inv, 500);
      await s.sync();
    }
    await s.skipDays(10);
    await s.sync();
    expect((await s.cases()).length).toBe(1);
    const [row] = await s.db
      .select({ status: cases.status })
      .from(cases)
      .where(eq(cases.id, (await s.case(inv)).id));
    expect(row!.status).toBe('resolved');
    expect(s.clientMails(/partial payment only/i)).toHaveLength(1);
  },
  60_000,
);

scenario('an invoice marked as a deposit never opens a short-payment case', async (s) => {
  const inv = s.qb.invoice({ customer: 'Harbor Cafe', lines: [['Deposit for the renovation', 2000]] });
  await s.sync();
  await s.agreeArrangement(inv, 'deposit');
  s.qb.pay(inv, 800);
  await s.sync();
  await s.skipDays(40);
  await s.sync();
  expect(await s.cases()).toHaveLength(0);
  expect(s.clientMails()).toHaveLength(0);
});
