// A QuickBooks invoice paid by card through Stripe (a payment link), then charged back: Stripe holds the charge and
// no invoice, QuickBooks holds the invoice and a payment. The chargeback belongs to the invoice's case, one case,
// answered with evidence through the Stripe connection it came from.
import { expect } from 'vitest';
import { scenario, type Scenario } from './harness/index.js';
import type { QbInvoice } from './harness/books.js';
import { cases } from '../../src/services/db/schema.js';

const usd = (minor: number) => ({ minor, currency: 'USD' });

/** The client pays `amount` of `inv` by card through Stripe; the bookkeeper records it in QuickBooks the same day. */
async function paidByCard(s: Scenario, inv: QbInvoice, amount: number) {
  const { chargeId } = await s.stripe.cardPayment({
    amount,
    at: s.now(),
    email: inv.customer.email,
    name: inv.customer.name,
  });
  s.qb.pay(inv, amount, { memo: 'Card payment via Stripe payment link' });
  await s.sync();
  return chargeId;
}

scenario(
  'a QuickBooks invoice paid in full by card and charged back is one case on the invoice, answered through Stripe',
  async (s) => {
    const inv = s.qb.invoice({
      lines: [
        ['Brand workshop', 900],
        ['Travel', 300],
      ],
    });
    const chargeId = await paidByCard(s, inv, 1200);
    expect(await s.cases()).toHaveLength(0); // paid in full: nothing to pursue

    const { disputeId } = await s.stripe.disputeCharge(chargeId, { dueInDays: 7, reason: 'product_unacceptable' });
    await s.sync();
    const c = await s.case(inv);
    expect(await s.cases()).toHaveLength(1);
    expect(c.invoiceId).toBe(inv.id);
    await s.ownerReceived(/^Chargeback of \$1,200\.00/);
    const v = await s.view(inv);
    expect(v.chargeback).toMatchObject({ amount: usd(120_000) });
    expect(v.lines.map((l) => l.description)).toEqual(['Brand workshop', 'Travel']);
    expect(v.account.total).toEqual(usd(120_000));

    await s.approveLatest('stripe_evidence');
    await s.until('evidence submitted', (x) => x.status === 'stripe_submitted');
    const dispute = (await s.stripe.state()).disputes.find((d) => d.id === disputeId)!;
    expect(dispute.status).toBe('under_review');
    expect((dispute.evidence_details as { has_evidence: boolean }).has_evidence).toBe(true);
    expect(await s.caseMails()).toHaveLength(0); // the cardholder gets no partial-payment receipt
    expect(s.ledger.creditMemos()).toHaveLength(0);

    // A second read of the same dispute (a webhook delivered twice) changes nothing.
    await s.sync();
    expect(await s.cases()).toHaveLength(1);

    await s.stripe.closeDispute(disputeId, 'won');
    await s.sync();
    await s.caseEnds('resolved', inv);
  },
);

scenario(
  'a short-paid QuickBooks invoice whose card payment is then charged back: the open case learns of the chargeback',
  async (s) => {
    const inv = s.qb.invoice({
      lines: [
        ['Design', 600],
        ['Travel', 400],
      ],
    });
    const chargeId = await paidByCard(s, inv, 600);
    await s.clientReceived(/partial payment only/i);
    const before = await s.case(inv);

    const { disputeId } = await s.stripe.disputeCharge(chargeId, { dueInDays: 7 });
    await s.sync();
    const v = await s.until('the chargeback to reach the case', (x) => Boolean(x.chargeback), inv);
    expect((await s.case(inv)).id).toBe(before.id);
    expect(await s.cases()).toHaveLength(1);
    expect(v.chargeback).toMatchObject({ amount: usd(60_000) });
    // Nothing of the invoice is paid any more: the 400 short is what the client contests, the 600 Stripe holds.
    expect(v.account.stillOwed).toEqual(usd(100_000));
    expect(v.account.held).toEqual(usd(60_000));
    expect(v.account.inDispute).toEqual(usd(40_000));

    await s.approveLatest('stripe_evidence');
    await s.until(
      'evidence submitted',
      (x) => x.status === 'stripe_submitted' || x.disputeStatus === 'under_review',
      inv,
    );
    const dispute = (await s.stripe.state()).disputes.find((d) => d.id === disputeId)!;
    expect(dispute.status).toBe('under_review');
  },
);

scenario(
  "a short payment whose card payment is charged back while the case runs: the owner gets Shortfall's approval date, Stripe's deadline and a reminder, and the dashboard adds up",
  async (s) => {
    const inv = s.qb.invoice({
      lines: [
        ['Design', 600],
        ['Travel', 400],
      ],
    });
    const chargeId = await paidByCard(s, inv, 600); // 400 short: the case opens and drafts the written response
    await s.ownerReceived(/^Approve: /);
    await s.stripe.disputeCharge(chargeId, { dueInDays: 10 });
    await s.sync();

    // The owner is told both dates apart: Shortfall's date for the approval, 2 days before Stripe's own deadline.
    const alert = await s.ownerReceived(/^Chargeback of \$600\.00: approve the evidence by \w{3} \d+, \d{4}$/);
    expect(alert.text).toMatch(/Shortfall's date for your approval, 2 days before Stripe's own deadline \(/);
    // The evidence draft is offered for approval, with the same two dates.
    const approval = await s.ownerReceived(/^Approve: Evidence for the chargeback/);
    expect(approval.text).toMatch(
      /Approve it by .*Shortfall's date for your approval, 2 days before Stripe's own deadline/,
    );
    const approveBy = (await s.deadline('stripe_submit', inv))!;

    // The dashboard: the tile's In dispute (400 short and 600 held by Stripe) is the month's Disputed.
    await expect
      .poll(async () => (await s.ownerPage('/')).text, { timeout: 30_000 })
      .toMatch(/In dispute \$1,000\.00 1 open case incl\. \$600\.00 held by Stripe \(chargebacks\)/);
    expect((await s.ownerPage('/')).text).toMatch(/Disputed: .* \w{3} \d{4} \$1,000\.00 \$0\.00/);

    // An hour before Shortfall's date with nothing approved, the owner has been reminded; nothing says it is lost.
    await s.skip(Date.parse(approveBy) - s.now() - 3_600_000);
    const reminder = await s.ownerReceived(/^Chargeback evidence is waiting for your approval/);
    expect(reminder.text).toMatch(
      /Approve it by .*Shortfall's date for your approval, 2 days before Stripe's deadline/,
    );
    expect(s.ownerMails(/lost|Approve the chargeback evidence now/)).toHaveLength(0);

    await s.approveLatest('stripe_evidence');
    await s.until(
      'evidence submitted',
      (x) => x.status === 'stripe_submitted' || x.disputeStatus === 'under_review',
      inv,
    );
  },
);

scenario(
  'a charge that fits two QuickBooks invoices is not guessed: the chargeback opens a case of its own',
  async (s) => {
    const a = s.qb.invoice({ lines: [['Retainer, May', 500]] });
    const b = s.qb.invoice({ lines: [['Retainer, June', 500]] });
    s.qb.pay(a, 500);
    s.qb.pay(b, 500);
    const { chargeId } = await s.stripe.cardPayment({ amount: 500, at: s.now(), email: a.customer.email });
    await s.sync();
    await s.stripe.disputeCharge(chargeId);
    await s.sync();
    await s.ownerReceived(/^Chargeback of \$500\.00/);
    const [only] = await s.cases();
    expect(await s.cases()).toHaveLength(1);
    expect(only!.invoiceId).toBeNull();
  },
);

scenario("the owner who has not approved the chargeback evidence is reminded before Stripe's deadline", async (s) => {
  const inv = s.qb.invoice({ lines: [['Brand workshop', 800]] });
  const chargeId = await paidByCard(s, inv, 800);
  await s.stripe.disputeCharge(chargeId, { dueInDays: 7 });
  await s.sync();
  await s.ownerReceived(/^Chargeback of \$800\.00/);
  await s.skipDays(6);
  const reminder = await s.ownerReceived(/^Chargeback evidence is waiting for your approval/);
  expect(reminder.text).toMatch(/Approve it by .*Shortfall's date for your approval, 2 days before Stripe's deadline/);
  expect(reminder.text).not.toMatch(/lost/);
  expect(await s.caseMails()).toHaveLength(0);
});

scenario(
  "the Stripe connection holding a QuickBooks invoice's chargeback breaks and comes back: the case pauses and resumes",
  async (s) => {
    const inv = s.qb.invoice({ lines: [['Brand workshop', 900]] });
    const chargeId = await paidByCard(s, inv, 900);
    await s.stripe.disputeCharge(chargeId, { dueInDays: 7 });
    await s.sync();
    await s.ownerReceived(/^Chargeback of \$900\.00/);
    await s.breakConnection('restricted key revoked', 'stripe');
    await s.until('paused', (x) => Boolean(x.pausedSince), inv);
    await s.restoreConnection('stripe');
    const v = await s.until('resumed', (x) => !x.pausedSince, inv);
    expect(v.chargeback).toMatchObject({ amount: usd(90_000) });
    await s.approveLatest('stripe_evidence');
    await s.until('evidence submitted', (x) => x.status === 'stripe_submitted', inv);
  },
);

scenario(
  'the bookkeeper books the chargeback by voiding the card payment in QuickBooks: the chargeback stays with its case to the end',
  async (s) => {
    const inv = s.qb.invoice({ lines: [['Brand workshop', 700]] });
    const { chargeId } = await s.stripe.cardPayment({ amount: 700, at: s.now(), email: inv.customer.email });
    const payment = s.qb.pay(inv, 700);
    await s.sync();
    const { disputeId } = await s.stripe.disputeCharge(chargeId, { dueInDays: 7 });
    await s.sync();
    const c = await s.case(inv);
    s.qb.voidPayment(payment.Id);
    await s.sync();
    await s.stripe.closeDispute(disputeId, 'won');
    await s.sync();
    await s.until('the outcome reached the case', (x) => x.disputeStatus === 'won', inv);
    const all = await s.cases();
    expect(all).toHaveLength(1);
    expect(all[0]!.id).toBe(c.id);
  },
);

scenario(
  'a chargeback on an invoice with a small balance left: the owner registers and decides the objection and writes the balance off',
  async (s) => {
    // 1,000.00, 990.00 paid by card: the 10.00 left is within the tolerance, so no case until the charge is disputed.
    await s.setTolerance('USD', 20, 0);
    const inv = s.qb.invoice({
      lines: [
        ['Design', 600],
        ['Travel', 400],
      ],
    });
    const chargeId = await paidByCard(s, inv, 990);
    expect(await s.cases()).toHaveLength(0);
    await s.stripe.disputeCharge(chargeId, { dueInDays: 7 });
    await s.sync();
    await s.ownerReceived(/^Chargeback of \$990\.00/);
    const [row] = await s.db.select({ kind: cases.kind }).from(cases);
    expect(row!.kind).toBe('dispute'); // a case opened by the chargeback

    // Stripe holds the 990.00, and the client still owes the 10.00: the case page offers the short-payment tools.
    const v0 = await s.until('the evidence drafted', (x) => x.drafts.at(-1)?.kind === 'stripe_evidence', inv);
    expect(v0.account.held).toEqual(usd(99_000));
    const owing = await s.casePage(inv);
    expect(owing.text).toContain('Still owed$10.00');
    expect(owing.text).toContain('Write off');

    // The client objects to the travel line: the owner registers it and decides it on the case page.
    const travel = v0.lines.find((l) => l.description === 'Travel')!;
    const registered = await s.postOnCasePage(
      '/objection',
      { kind: 'specific', summary: 'Travel was never agreed', lines: travel.id },
      inv,
    );
    expect(registered.status).toBe(303);
    await s.until('the objection registered', (x) => x.objection?.kind === 'specific', inv);
    expect((await s.casePage(inv)).text).toContain('Decide the objection');
    const decided = await s.postOnCasePage('/objection/decision', { decision: 'uphold' }, inv);
    expect(decided.status).toBe(303);
    await s.until('the objection upheld', (x) => x.objection?.decision?.kind === 'uphold' || !x.objection, inv);

    // The owner writes off what the client still owes: 10.00, not refused as "nothing owed on this chargeback".
    const writeOff = await s.postOnCasePage('/close', { kind: 'write_off', confirm: 'yes' }, inv);
    expect(writeOff.status).toBe(303);
    const v = await s.caseEnds('written_off', inv);
    expect(v.account.writtenOff).toEqual(usd(1_000));
  },
);

scenario(
  'a client who contests a line, then has their card payment charged back: the line stays in dispute beside what Stripe holds',
  async (s) => {
    // 1,000.00: 600.00 paid by card; the client contests Travel (300.00); then the 600.00 is charged back.
    const inv = s.qb.invoice({
      lines: [
        ['Design', 700],
        ['Travel', 300],
      ],
    });
    const chargeId = await paidByCard(s, inv, 600);
    await s.clientReceived(/partial payment only/i);
    await s.until('the case open', (x) => x.drafts.length > 0, inv);
    await s.objection.specific('Travel was never agreed', ['Travel'], inv);
    await s.until('the objection registered', (x) => x.objection?.kind === 'specific', inv);
    await s.stripe.disputeCharge(chargeId, { dueInDays: 7 });
    await s.sync();
    const v = await s.until('the chargeback to reach the case', (x) => x.account.held.minor === 60_000, inv);
    expect(v.account.inDispute).toEqual(usd(30_000)); // what the client contests of the 400.00 they owe

    // The case page: 400.00 owed by the client, 900.00 in dispute (the 300.00 line and the 600.00 Stripe holds).
    const page = await s.casePage(inv);
    expect(page.text).toContain(
      'Paid$600.00 Held by Stripe (disputed by the cardholder)$600.00 Still owed$400.00 In dispute$900.00',
    );
    // The CSV, the list's in-dispute filter and the dashboard read the same money from the projected standing.
    await expect
      .poll(async () => (await s.ownerPage('/')).text, { timeout: 30_000 })
      .toMatch(/In dispute \$900\.00 1 open case incl\. \$600\.00 held by Stripe/);
    const csv = (await s.ownerPage('/cases.csv')).html.trim().split('\n');
    const column = csv[0]!.split(',').indexOf('In dispute');
    expect(csv.slice(1).map((row) => row.split(',')[column])).toEqual(['900.00']);
    const listed = await s.ownerPage('/cases?currency=USD&figure=in_dispute');
    expect(listed.html.match(/href="\/cases\/[0-9a-f-]{36}"/g)).toHaveLength(1);
  },
);

scenario(
  'a fraud chargeback on a case where only Shortfall wrote: the evidence does not say the cardholder corresponded with us',
  async (s) => {
    const inv = s.qb.invoice({
      lines: [
        ['Design', 600],
        ['Travel', 400],
      ],
    });
    const chargeId = await paidByCard(s, inv, 600);
    await s.clientReceived(/partial payment only/i);
    await s.until('the first response drafted', (x) => x.drafts.some((d) => d.kind === 'first_response'), inv);
    await s.approveLatest('first_response', inv);
    await s.letterSent('first_response', inv);

    await s.stripe.disputeCharge(chargeId, { dueInDays: 7, reason: 'fraudulent' });
    await s.sync();
    await s.until('the evidence drafted', (x) => x.drafts.at(-1)?.kind === 'stripe_evidence', inv);
    const page = await s.approvalPage('stripe_evidence', inv);
    expect(page.text).toContain('The cardholder says they did not authorise this charge (reason: fraudulent).');
    expect(page.text).toContain('We sent a written response'); // our letter is listed as what it is
    expect(page.text).not.toContain('The cardholder corresponded with us');
  },
);
