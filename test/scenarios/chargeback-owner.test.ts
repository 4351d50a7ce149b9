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
