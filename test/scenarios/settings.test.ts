// The owner changes Settings while a case is open: the case opened before keeps the window and signature it opened
// with, and the next short payment's case counts the new window and signs with the new signature.
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { organisations, users } from '../../src/services/db/schema.js';
import { scenario } from './harness/index.js';

scenario('new settings reach the next case; the open case keeps its deadlines and letters', async (s) => {
  const before = s.qb.invoice({ customer: 'Harbor Cafe', lines: [['Design', 1000]] });
  s.qb.pay(before, 600);
  await s.sync();
  await s.clientReceived(/partial payment/i, 'Harbor Cafe');
  const opened = await s.until('the first case to wait for approval', (v) => v.status === 'awaiting_approval', before);
  const responseBefore = (await s.deadline('response', before))!;
  // The default: 3 business days, inside the 5-day limit.
  expect(Date.parse(responseBefore)).toBeLessThan(Date.parse((await s.deadline('response_limit', before))!));

  // What Settings saves (test/integration/web/settings.test.ts covers the form): 5 business days, a new signature.
  const [owner] = await s.db.select().from(users).where(eq(users.email, s.ownerEmail));
  await s.db
    .update(organisations)
    .set({ responseBusinessDays: 5, balanceDueDays: 30, signature: 'Ana Ruiz\nFounder, Brightside Studio' })
    .where(eq(organisations.id, owner!.organisationId));

  const after = s.qb.invoice({ customer: 'Juniper Bakery', lines: [['Menu design', 800]] });
  s.qb.pay(after, 500);
  await s.sync();
  const receipt = await s.clientReceived(/partial payment/i, 'Juniper Bakery');
  expect(receipt.text).toContain('Founder, Brightside Studio');
  await s.until('the second case to wait for approval', (v) => v.status === 'awaiting_approval', after);
  // The new case answers within 5 business days: its response deadline is the hard limit itself.
  expect(await s.deadline('response', after)).toBe(await s.deadline('response_limit', after));
  expect(Date.parse((await s.deadline('response', after))!)).toBeGreaterThan(Date.parse(responseBefore));

  // The case opened before is as it was: same deadline, its letters signed as they were.
  expect(await s.deadline('response', before)).toBe(responseBefore);
  const harborReceipt = s.clientMails(/partial payment/i, 'Harbor Cafe')[0]!;
  expect(harborReceipt.text).not.toContain('Founder, Brightside Studio');
  expect(opened.drafts[0]!.content.text).not.toContain('Founder, Brightside Studio');

  // After approval, the new case gives the client the new 30 days for the balance (rolled to a business day).
  await s.approveLatest('first_response', after);
  await s.letterSent('first_response', after);
  const sentAt = s.now();
  const payment = Date.parse((await s.deadline('payment', after))!);
  expect(payment - sentAt).toBeGreaterThan(29 * 86_400_000);
  expect(payment - sentAt).toBeLessThan(34 * 86_400_000);
});
