// A Stripe chargeback as its owner reads it: the emails about the evidence name Shortfall's approval date and
// Stripe's own deadline apart, and say the chargeback is lost only when it is.
import { expect } from 'vitest';
import { scenario } from './harness/index.js';

scenario(
  "the owner who lets Shortfall's approval date pass is told Stripe still takes the evidence, and is told of a loss only when Stripe decides it",
  async (s) => {
    const cb = await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    const alert = await s.ownerReceived(/^Chargeback of \$2,500\.00: approve the evidence by/);
    expect(alert.text).toMatch(/Shortfall's date for your approval, 2 days before Stripe's own deadline \(/);
    // The approval request names the evidence's dates, not the written response's (no letter goes to the client).
    const approval = await s.ownerReceived(/^Approve: Evidence for the chargeback/);
    expect(approval.text).toMatch(
      /it is submitted to Stripe, which passes it to the card network; nothing goes to the client/,
    );
    expect(approval.text).toMatch(
      /Approve it by .*Shortfall's date for your approval, 2 days before Stripe's own deadline/,
    );
    expect(approval.text).not.toMatch(/It should go out by/);

    await s.skipDays(5);
    const reminder = await s.ownerReceived(/^Chargeback evidence is waiting for your approval/);
    expect(reminder.text).toMatch(
      /Approve it by .*Shortfall's date for your approval, 2 days before Stripe's deadline/,
    );
    const late = await s.ownerReceived(/^Approve the chargeback evidence now: Stripe's deadline is /);
    expect(late.text).toMatch(/Shortfall's date for your approval \(.*\) has passed\. Stripe still accepts/);
    // Stripe still has two days: nothing the owner reads says its deadline passed or the chargeback is lost.
    expect(s.ownerMails(/Stripe's evidence deadline has passed/)).toHaveLength(0);
    expect(s.ownerMails(/lost/)).toHaveLength(0);

    await s.stripe.closeDispute(cb.disputeId, 'lost');
    await s.sync();
    await s.caseEnds('written_off');
    await s.ownerReceived(/^Chargeback lost/);
  },
);

scenario(
  'the owner approves chargeback evidence that reads in words and is submitted to Stripe, not sent to the client',
  async (s) => {
    const cb = await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    await s.until('the evidence drafted', (v) => v.drafts.at(-1)?.kind === 'stripe_evidence');
    const page = await s.casePage();
    expect(page.text).toContain('Evidence for Stripe');
    expect(page.text).toContain('Approve and submit to Stripe');
    expect(page.text).not.toContain('Current letter');

    const drafted = await s.view();
    const approveBy = drafted.deadlines.find((d) => d.name === 'stripe_submit')!.at;
    const { shown, done } = await s.approveOnPage('stripe_evidence');
    expect(shown.text).toContain('Approve the chargeback evidence');
    // Both dates, labelled as the case page labels them: Shortfall's date for the approval, and Stripe's deadline.
    expect(shown.text).toMatch(
      /Approve the evidence by \(2 days before Stripe's deadline\) .+ Stripe's deadline for the evidence /,
    );
    expect(shown.html).toContain(`datetime="${approveBy}"`);
    expect(shown.html).toContain(`datetime="${new Date(cb.dueBy * 1000).toISOString()}"`);
    // The owner reads the invoice and client, not Stripe's ids, which stay in one line for the books.
    expect(shown.text).toContain(`For your records: Stripe dispute ${cb.disputeId}.`);
    expect(shown.text).not.toContain(cb.chargeId);
    // Product not received, and nothing proves delivery: the owner is told before approving (not the card network).
    expect(shown.text).toContain(
      'The cardholder says they did not receive what they paid for, and nothing on the case proves delivery yet.',
    );
    const request = await s.ownerReceived(/^Approve: Evidence for the chargeback/);
    expect(request.subject).toMatch(/^Approve: Evidence for the chargeback on invoice \S+ \(Contoso Ltd\)$/);
    expect(`${request.subject}\n${request.text}`).not.toMatch(/\b(ch|dp)_[A-Za-z0-9]+/);
    expect(shown.text).toMatch(
      /Evidence for the chargeback on invoice \S+ \(Contoso Ltd\), version 1\. Once you approve it, Shortfall submits it to Stripe, which passes it to the card network to decide the chargeback; nothing is sent to Contoso Ltd\./,
    );
    expect(shown.text).not.toMatch(/Stripe evidence to|A written response is strongest|Approve and send/);
    // What the owner approves reads in words; an empty correspondence section is left out.
    expect(shown.text).toContain('What was sold: Annual retainer');
    expect(shown.text).toContain('Customer: Contoso Ltd');
    expect(shown.text).not.toMatch(/product_description|customer_name|uncategorized_text|customer_communication/);
    expect(shown.text).not.toMatch(/Correspondence with/);
    expect(done.text).toContain('Shortfall is submitting the evidence to Stripe now');
    expect(done.text).not.toContain('sending the letter to the client');

    await s.until('evidence submitted', (v) => v.status === 'stripe_submitted');
    // The case page after submission says where the evidence went, in words: no internal names, no bare ids.
    const after = await s.casePage();
    expect(after.text).toMatch(/Evidence for the chargeback, version 1: submitted to Stripe, approved by \S+ on /);
    expect(after.text).toContain('evidence for the chargeback submitted to Stripe'); // the audit trail
    expect(after.text).toContain('Evidence for the chargeback (v1) submitted to Stripe');
    expect(after.text).toContain('Draft v1 of the evidence for the chargeback ready for approval');
    expect(after.text).toMatch(
      /Chargeback on invoice \S+: Contoso Ltd disputed the card payment and Stripe withdrew \$2,500\.00 \(reason: product not received\); Stripe's status: .*; evidence submitted to Stripe\./,
    );
    expect(after.text).not.toMatch(/stripe evidence|Stripe evidence|\) sent\b/);
    // Stripe's ids appear once, on the line kept for the books.
    expect(after.text.split(cb.disputeId)).toHaveLength(2);
    expect(after.text).toContain(`For your records: Stripe dispute ${cb.disputeId}, charge ${cb.chargeId}.`);
    expect(after.text.split(cb.chargeId)).toHaveLength(2);
    const dispute = (await s.stripe.state()).disputes.find((d) => d.id === cb.disputeId)!;
    const evidence = dispute.evidence as Record<string, unknown>;
    // Stripe's fields stay Stripe's in what is submitted, without an empty correspondence section.
    expect(evidence.product_description).toMatch(/^Annual retainer \(invoice /);
    expect(evidence.customer_name).toBe('Contoso Ltd');
    expect(String(evidence.uncategorized_text)).not.toMatch(/Correspondence with/);
    // Stripe's books hold no delivery date: the evidence says so and leaves Stripe's service date empty, rather than
    // giving the invoice's date as the day of service; and it answers the reason the cardholder gave.
    expect(evidence.service_date ?? '').toBe('');
    expect(shown.text).not.toContain('Date of service');
    expect(String(evidence.uncategorized_text)).toContain(
      'The date it was delivered is not recorded in our books (the date above is when it was invoiced).',
    );
    expect(String(evidence.uncategorized_text)).toMatch(
      /The cardholder says they did not receive what they paid for \(reason: product not received\)\. What we provided: Annual retainer \(invoice \S+\)\./,
    );
    expect(await s.caseMails()).toHaveLength(0);
  },
);

scenario(
  "a chargeback's money reads the same on the case page, the case list and /invoices, with only the deadlines that apply",
  async (s) => {
    const cb = await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    const v = await s.until('the evidence drafted', (x) => x.drafts.at(-1)?.kind === 'stripe_evidence');
    const invoice = (await s.cases())[0]!;
    // The invoice was paid by card; the cardholder disputed the charge and Stripe holds it: paid, held, nothing owed.
    const page = await s.casePage();
    expect(page.text).toContain(
      'Invoice total$2,500.00 Paid$2,500.00 Held by Stripe (disputed by the cardholder)$2,500.00 Still owed$0.00',
    );
    expect(v.drafts.at(-1)!.content.text).toContain('The cardholder paid $2,500.00 towards the invoice.');
    // No letter goes to the client: no written-response deadline, only the evidence's.
    expect(page.text).toContain("Approve the evidence by (2 days before Stripe's deadline)");
    expect(page.text).not.toMatch(/Written response due|Latest date for a written response/);
    const approveBy = v.deadlines.find((d) => d.name === 'stripe_submit')!.at;

    // The case list: the same figures, the row marked as a chargeback, its next deadline the evidence's.
    await expect
      .poll(async () => (await s.ownerPage('/cases')).text, { timeout: 30_000 })
      .toMatch(
        /Contoso Ltd Invoice \S+ · Stripe Chargeback .*\$2,500\.00 \$2,500\.00 held by Stripe \$0\.00 Approve the evidence by \(Shortfall's date\) Due /,
      );
    const list = await s.ownerPage('/cases');
    expect(list.html).toContain(`datetime="${new Date(approveBy).toISOString()}"`);
    // The deadline shown is Shortfall's date for the owner's approval, and says so; Stripe's own is beside it.
    expect(list.text).toMatch(/Approve the evidence by \(Shortfall's date\) Due in .+ Stripe's deadline: /);
    expect(list.html).toContain(`datetime="${new Date(cb.dueBy * 1000).toISOString()}"`);

    // /invoices lists the charged-back invoice (the ledger calls it paid) with the same figures.
    const invoices = await s.ownerPage('/invoices');
    expect(invoices.text).toMatch(/\$2,500\.00 \$0\.00 \$2,500\.00 held by Stripe Chargeback case open/);
    expect(invoices.html).toContain(`href="/cases/${invoice.id}"`);
  },
);

scenario(
  "the owner is told the chargeback is lost when Stripe's own deadline passes with no evidence submitted",
  async (s) => {
    await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    await s.ownerReceived(/^Chargeback of \$2,500\.00/);
    await s.skipDays(6);
    await s.ownerReceived(/^Approve the chargeback evidence now/);
    expect(s.ownerMails(/lost/)).toHaveLength(0);
    await s.skipDays(2);
    const lost = await s.ownerReceived(/^Stripe's evidence deadline has passed: the chargeback is lost/);
    expect(lost.text).toMatch(/passed with no evidence submitted/);
  },
);

scenario("the owner's edit of the evidence is what Stripe receives", async (s) => {
  const cb = await s.stripe.chargeback({ dueInDays: 7 });
  await s.sync();
  const v = await s.until('the evidence drafted', (x) => x.drafts.at(-1)?.state === 'pending');
  const text = v.drafts
    .at(-1)!
    .content.text.replace(
      /Our account of the charge:\n[\s\S]*$/,
      'Our account of the charge:\nThe cardholder signed off the retainer work on the day it was delivered.',
    );
  await s.editLatest({ subject: v.drafts.at(-1)!.content.subject, text }, 'stripe_evidence');
  await s.until('evidence submitted', (x) => x.status === 'stripe_submitted');
  const dispute = (await s.stripe.state()).disputes.find((d) => d.id === cb.disputeId)!;
  const evidence = dispute.evidence as Record<string, unknown>;
  expect(evidence.uncategorized_text).toBe('The cardholder signed off the retainer work on the day it was delivered.');
  expect(evidence.customer_name).toBe('Contoso Ltd');
});

scenario(
  'an evidence edit Shortfall cannot read is refused on the approval page with the reason; the corrected edit reaches Stripe whole',
  async (s) => {
    const cb = await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    const v = await s.until('the evidence drafted', (x) => x.drafts.at(-1)?.state === 'pending');
    const draft = v.drafts.at(-1)!.content;
    const page = await s.approvalPage('stripe_evidence');
    expect(page.text).toMatch(/is one of Stripe's evidence fields: keep the headings and write under them/);
    // The owner wipes the headings and writes an account of their own: which of Stripe's fields is it?
    const refused = await page.post({
      decision: 'edit_and_approve',
      subject: draft.subject,
      text: 'The cardholder signed off the retainer work on the day it was delivered.',
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/That was not done The edited evidence has none of its headings left/);
    expect(refused.text).toContain('The cardholder signed off the retainer work on the day it was delivered.'); // kept
    expect((await s.until('still pending', (x) => x.drafts.at(-1)?.state === 'pending')).status).toBe(
      'awaiting_approval',
    );

    // Then a note above the headings, the customer on the heading's line, and a heading typed without its colon.
    const text = `The cardholder used the retainer all year.\n\n${draft.text
      .replace(/Customer:\nContoso Ltd/, 'customer: Contoso Holdings Ltd')
      .replace(/Customer's email:/, "Customer's email")}`;
    const done = await page.post({ decision: 'edit_and_approve', subject: draft.subject, text });
    expect(done.status).toBe(200);
    await s.until('evidence submitted', (x) => x.status === 'stripe_submitted');
    const evidence = (await s.stripe.state()).disputes.find((d) => d.id === cb.disputeId)!.evidence as Record<
      string,
      unknown
    >;
    expect(evidence.customer_name).toBe('Contoso Holdings Ltd');
    expect(evidence.uncategorized_text).toMatch(/^The cardholder used the retainer all year\.\n\nThe cardholder was/);
    expect(evidence.customer_email_address).toBe(draft.evidence!.customer_email_address);
    expect(evidence.product_description).toBe(draft.evidence!.product_description);
  },
);

scenario(
  'the dashboard and the CSV count what Stripe holds as paid, not owed, and a lost chargeback is written off, not held',
  async (s) => {
    const cb = await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    await s.until('the evidence drafted', (x) => x.drafts.at(-1)?.kind === 'stripe_evidence');
    // The dashboard's Still owed and the list it links to: nothing is owed while Stripe holds the charge.
    await expect
      .poll(async () => (await s.ownerPage('/')).text, { timeout: 30_000 })
      .toMatch(/Still owed \$0\.00 0 open cases/);
    const csv = (await s.ownerPage('/cases.csv')).html.trim().split('\n');
    expect(csv[0]).toMatch(/Invoice total,Paid,Still owed,In dispute,/);
    // Paid 2,500.00 (Stripe holds it), nothing owed, and all of it in dispute: the cardholder disputes it.
    expect(csv[1]).toMatch(/,USD,2500\.00,2500\.00,0\.00,2500\.00,/);

    await s.stripe.closeDispute(cb.disputeId, 'lost');
    await s.sync();
    await s.caseEnds('written_off');
    // The money went back to the cardholder: not paid, not held, written off once.
    const page = await s.casePage();
    expect(page.text).toContain('Invoice total$2,500.00 Paid$0.00 Written off$2,500.00 Still owed$0.00');
    expect(page.text).not.toContain('Held by Stripe');
  },
);

scenario(
  'with a short payment and a chargeback open together, the In dispute tile, the month, the case list and the CSV add up',
  async (s) => {
    await s.stripe.partialPayment(); // 1,000.00 of 1,180.00 paid: 180.00 short
    await s.stripe.chargeback({ dueInDays: 7 }); // 2,500.00 paid by card, disputed: Stripe holds it
    await s.sync();
    await expect
      .poll(async () => (await s.ownerPage('/')).text, { timeout: 30_000 })
      .toMatch(/In dispute \$2,680\.00 2 open cases incl\. \$2,500\.00 held by Stripe \(chargebacks\)/);
    const home = (await s.ownerPage('/')).text;
    // Still owed is what the client owes; in dispute adds what Stripe holds; the month's Disputed is the same money.
    expect(home).toMatch(/Still owed \$180\.00 1 open case/);
    // The week's deadlines say which date the chargeback's is.
    expect(home).toMatch(/Contoso Ltd, invoice \S+ Shortfall's date to approve the evidence: /);
    expect(home).toMatch(/Disputed: .* \w{3} \d{4} \$2,680\.00 \$0\.00/);

    // The CSV's rows add up to the tile, and the tile's link lists both cases.
    const csv = (await s.ownerPage('/cases.csv')).html.trim().split('\n');
    const column = csv[0]!.split(',').indexOf('In dispute');
    const inDispute = csv.slice(1).map((row) => Number(row.split(',')[column]));
    expect(inDispute.sort((a, b) => a - b)).toEqual([180, 2500]);
    const listed = await s.ownerPage('/cases?currency=USD&figure=in_dispute');
    expect(listed.text).toMatch(/Contoso Ltd/);
    expect(listed.html.match(/href="\/cases\/[0-9a-f-]{36}"/g)).toHaveLength(2);
  },
);

scenario(
  'a chargeback case offers none of the short-payment tools, and the server refuses them if asked anyway',
  async (s) => {
    await s.stripe.chargeback({ dueInDays: 7 });
    await s.sync();
    await s.until('the evidence drafted', (x) => x.drafts.at(-1)?.kind === 'stripe_evidence');
    const page = await s.casePage();
    // No client reply to register, no $0.00 to write off, no small-claims pack about a final notice.
    expect(page.text).not.toMatch(
      /Register the client's reply|Write off|Small-claims|final notice|Decide the objection/,
    );
    expect(page.text).toContain('Close the case'); // it can still be closed as resolved
    expect(page.html).toContain('value="resolved"');

    const before = (await s.view()).timeline.length;
    const objection = await s.postOnCasePage('/objection', { kind: 'vague', summary: 'Not happy' });
    expect(objection.status).toBe(422);
    expect(objection.text).toContain(
      'This case is a chargeback: the cardholder disputed the card payment with their bank, so there is no client reply to register.',
    );
    const writeOff = await s.postOnCasePage('/close', { kind: 'write_off', confirm: 'yes' });
    expect(writeOff.status).toBe(422);
    expect(writeOff.text).toContain('Nothing is owed on this chargeback');
    const pack = await s.postOnCasePage('/evidence-pack', {});
    expect(pack.status).toBe(422);
    expect(pack.text).toContain('The small-claims pack is for a client who still refuses to pay');
    // Nothing changed on the case.
    const v = await s.view();
    expect(v.status).toBe('awaiting_approval');
    expect(v.objection).toBeUndefined();
    expect(v.timeline).toHaveLength(before);
  },
);

scenario(
  "a chargeback that arrives with a day left: the approval page and the case page say Shortfall's date is ahead of Stripe's deadline, not 2 days before it",
  async (s) => {
    await s.stripe.chargeback({ dueInDays: 1 });
    await s.sync();
    const alert = await s.ownerReceived(/^Chargeback of \$2,500\.00: approve the evidence by/);
    expect(alert.text).toMatch(/Shortfall's date for your approval, ahead of Stripe's own deadline/);
    await s.until('the evidence drafted', (x) => x.drafts.at(-1)?.state === 'pending');
    const page = await s.approvalPage('stripe_evidence');
    expect(page.text).toContain("Approve the evidence by (ahead of Stripe's deadline)");
    expect(page.text).not.toContain("2 days before Stripe's deadline");
    const casePage = await s.casePage();
    expect(casePage.text).toContain("Approve the evidence by (ahead of Stripe's deadline)");
    expect(casePage.text).not.toContain("2 days before Stripe's deadline");
  },
);
