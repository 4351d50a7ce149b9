// The case reducer without a server: money narrows, deadlines move, validators explain themselves.
import { describe, expect, it } from 'vitest';
import * as st from '../../../../workflows/dispute-case/state.js';
import { shortPaymentInput } from '../../../helpers/case-fixtures.js';

const at = '2026-12-04T15:00:00.000Z'; // Friday 10:00 New York
const usd = (minor: number) => ({ minor, currency: 'USD' });
const fresh = () => st.scheduleResponse(st.initialState(shortPaymentInput({ learnedAt: at }), at), at, at);
const draft = { subject: 's', text: 't', html: 'h', attachments: [] };

describe('case state', () => {
  it('opens with the paid part and narrows the dispute to the unpaid remainder', () => {
    const s = fresh();
    expect(st.account(s)).toMatchObject({
      total: usd(100_000),
      paid: usd(60_000),
      credited: usd(0),
      stillOwed: usd(40_000),
      inDispute: usd(40_000),
      settled: false,
    });
    expect(st.view(s).deadlines.map((d) => d.name)).toEqual(['response', 'response_limit']);
    expect(s.timers.filter((t) => t.kind === 'reminder').map((t) => t.key)).toEqual(
      expect.arrayContaining(['response:day_before', 'response:morning_of']),
    );
  });

  it('shows the latest reply, its text bounded, until the owner registers an objection after it', () => {
    const later = '2026-12-05T15:00:00.000Z';
    let s = st.applyReply(
      fresh(),
      { receivedAt: at, from: 'marta@harbor.example', subject: 'Re: 1001', text: 'Menu design was quoted at $150.' },
      at,
    );
    expect(st.view(s).latestReply).toEqual({
      at,
      from: 'marta@harbor.example',
      subject: 'Re: 1001',
      text: 'Menu design was quoted at $150.',
    });
    s = st.applyObjection(s, { kind: 'specific', by: 'ana', summary: 'Menu design', lineIds: ['l2'] }, later);
    expect(st.view(s).latestReply).toBeUndefined();
    s = st.applyReply(
      s,
      {
        receivedAt: '2026-12-06T15:00:00.000Z',
        from: 'marta@harbor.example',
        subject: 'Re: Re: 1001',
        text: 'x'.repeat(st.REPLY_TEXT_LIMIT + 50),
      },
      later,
    );
    expect(st.view(s).latestReply?.text).toHaveLength(st.REPLY_TEXT_LIMIT);
  });

  it('walks a draft through approval and sending, and refuses to decide it twice', () => {
    let s = st.addDraft(fresh(), 'first_response', draft, at, st.dueByFor(fresh(), 'first_response', at));
    s = st.applyDraftDecision(s, { kind: 'approve', version: 1, by: 'ana' }, at);
    expect(() => st.assertDecidable(s, { kind: 'reject', version: 1, by: 'bo' })).toThrow(
      'Draft v1 was already approved by ana.',
    );
    s = st.markSent(s, 1, at);
    expect(s.firstResponseSent).toBe(true);
    expect(st.latestDraft(s)).toMatchObject({ state: 'sent', sentAt: at });
    expect(st.latestDraft(s)).not.toHaveProperty('sentZone'); // sent before the case kept it
  });

  it('refuses an evidence edit it cannot read back into the fields, and replays one approved before it refused them', () => {
    const evidence = { product_description: 'Retainer', uncategorized_text: 'Invoiced $2,500.00.' };
    const s = st.addDraft(fresh(), 'stripe_evidence', { ...draft, evidence }, at);
    const edit = { kind: 'edit_and_approve', version: 1, by: 'ana', subject: 's', text: 'We delivered.' } as const;
    expect(st.editsEvidence(s, edit)).toBe(true);
    expect(() => st.assertDecidable(s, edit)).toThrow(/none of its headings left/);
    // Recorded before the patch: the edit was approved and read as it was then, so the case replays the same.
    const replayed = st.applyDraftDecision(s, edit, at, false);
    expect(st.latestDraft(replayed)).toMatchObject({
      state: 'approved',
      content: { evidence: { product_description: 'Retainer', uncategorized_text: 'We delivered.' } },
    });
    const read = st.applyDraftDecision(
      s,
      { ...edit, text: 'What was sold: Retainer\nOur account of the charge\nWe delivered.' },
      at,
    );
    expect(st.latestDraft(read)?.content.evidence).toEqual({
      product_description: 'Retainer',
      uncategorized_text: 'We delivered.',
    });
  });

  it('keeps the zone a letter went out in, which a later change of Settings leaves as it was', () => {
    let s = st.addDraft(fresh(), 'first_response', draft, at, st.dueByFor(fresh(), 'first_response', at));
    s = st.applyDraftDecision(s, { kind: 'approve', version: 1, by: 'ana' }, at);
    s = st.markSent(s, 1, at, 'America/New_York');
    expect(st.view(s).drafts[0]).toMatchObject({ state: 'sent', sentAt: at, sentZone: 'America/New_York' });
    const moved = st.applySettings(
      st.receiveSettings(s, {
        revision: 1,
        organisation: { ...s.input.organisation, timeZone: 'Pacific/Auckland' },
      }),
      at,
    );
    expect(moved.input.organisation.timeZone).toBe('Pacific/Auckland');
    expect(st.view(moved).drafts[0]!.sentZone).toBe('America/New_York');
  });

  it('gives a letter sent before the case kept zones the zone it went out in, just before Settings change that zone', () => {
    // Sent in New York by a release that kept no zone; the owner now moves the business to Auckland.
    let s = st.addDraft(fresh(), 'first_response', draft, at, st.dueByFor(fresh(), 'first_response', at));
    s = st.applyDraftDecision(s, { kind: 'approve', version: 1, by: 'ana' }, at);
    s = st.markSent(s, 1, at);
    const later = '2026-12-08T15:00:00.000Z';
    const toAuckland = (c: st.CaseState, revision: number) =>
      st.receiveSettings(c, {
        revision,
        organisation: { ...c.input.organisation, timeZone: 'Pacific/Auckland' },
      });
    expect(st.sentWithoutZone(s)).toEqual([1]);
    const moved = st.applySettings(toAuckland(s, 1), later, true);
    expect(moved.input.organisation.timeZone).toBe('Pacific/Auckland');
    expect(st.view(moved).drafts[0]).toMatchObject({ sentAt: at, sentZone: 'America/New_York' });
    expect(st.sentWithoutZone(moved)).toEqual([]);
    // Replaying a case recorded before the patch: the letter stays without a zone, as it was.
    expect(st.view(st.applySettings(toAuckland(s, 1), later, false)).drafts[0]).not.toHaveProperty('sentZone');
  });

  it('leaves a letter without a zone when an earlier Settings change since it was sent may have changed the zone', () => {
    let s = st.addDraft(fresh(), 'first_response', draft, at, st.dueByFor(fresh(), 'first_response', at));
    s = st.applyDraftDecision(s, { kind: 'approve', version: 1, by: 'ana' }, at);
    s = st.markSent(s, 1, at);
    // Chicago was applied before the release that fixes zones on Settings changes; the letter went out in New York.
    const chicago = st.applySettings(
      st.receiveSettings(s, { revision: 1, organisation: { ...s.input.organisation, timeZone: 'America/Chicago' } }),
      '2026-12-05T15:00:00.000Z',
      false,
    );
    expect(st.sentWithoutZone(chicago)).toEqual([]);
    const auckland = st.applySettings(
      st.receiveSettings(chicago, {
        revision: 2,
        organisation: { ...chicago.input.organisation, timeZone: 'Pacific/Auckland' },
      }),
      '2026-12-08T15:00:00.000Z',
      true,
    );
    expect(auckland.input.organisation.timeZone).toBe('Pacific/Auckland');
    expect(st.view(auckland).drafts[0]).not.toHaveProperty('sentZone');
  });

  it('states the payment deadline 14 days out on a business day, and 7 days for a final notice', () => {
    const s = fresh();
    const payment = st.dueByFor(s, 'first_response', at)!;
    const final = st.dueByFor(s, 'final_notice', at)!;
    expect(Date.parse(payment) - Date.parse(at)).toBeGreaterThanOrEqual(14 * 86_400_000);
    expect(Date.parse(final) - Date.parse(at)).toBeLessThan(Date.parse(payment) - Date.parse(at));
    expect(st.dueByFor(s, 'receipt', at)).toBeUndefined();
  });

  it('counts a credit note once, as a credit and never as a payment, named by the ledger number', () => {
    let s = st.applyCreditNote(fresh(), 'cm-1', usd(15_000), at, '1042');
    s = st.applyCreditNote(s, 'cm-1', usd(15_000), at, '1042');
    // The ledger then reports the same credit through the sync: confirmed, not counted again.
    s = st.applyLedgerEvent(
      s,
      {
        kind: 'credit_note_seen',
        ref: { provider: 'quickbooks', accountId: 'realm-1', id: 'cm-1' },
        amount: usd(15_000),
        number: '1042',
      },
      at,
    );
    expect(st.account(s)).toMatchObject({ paid: usd(60_000), credited: usd(15_000), stillOwed: usd(25_000) });
    expect(st.view(s).conceded).toEqual(usd(15_000));
    expect(s.timeline.filter((t) => /payment/i.test(t.summary) && /received/.test(t.summary))).toEqual([]);
    expect(s.timeline.at(-1)!.summary).toMatch(
      /^Credit note 1042 for \$150\.00 posted to the ledger; still owed \$250\.00$/,
    );
  });

  it('keeps a credit note the sync read back before its posting reached the case as the case own, with its number', () => {
    // Under load the ledger's webhook and sync can report the new credit memo before the activity that posted it
    // returns: the case must still know it as its own, so the concession letter names it by the ledger number.
    let s = st.applyLedgerEvent(
      fresh(),
      {
        kind: 'credit_note_seen',
        ref: { provider: 'quickbooks', accountId: 'realm-1', id: 'cm-7' },
        amount: usd(10_000),
        number: '1043',
      },
      '2026-12-01T00:00:00.000Z',
    );
    s = st.applyCreditNote(s, 'cm-7', usd(10_000), at);
    expect(s.credits).toEqual([
      { ref: 'cm-7', amount: usd(10_000), at: '2026-12-01T00:00:00.000Z', ours: true, number: '1043' },
    ]);
    expect(s.creditNotesPosted).toEqual(['cm-7']);
    expect(st.account(s)).toMatchObject({ credited: usd(10_000), stillOwed: usd(30_000) });
  });

  it('narrows what is in dispute to the lines the client names, less what was credited on them', () => {
    let s = st.applyObjection(
      fresh(),
      { kind: 'specific', by: 'ana', summary: 'Signage was never installed', lineIds: ['l3'] },
      at,
    );
    expect(st.account(s).inDispute).toEqual(usd(15_000));
    s = st.applyObjectionDecision(s, { kind: 'concede', by: 'ana', lines: [{ lineId: 'l3', amount: usd(5_000) }] }, at);
    s = st.markFired(st.applyCreditNote(s, 'cm-9', usd(5_000), at, '77'), `credit:${s.objections[0]!.at}`);
    expect(st.account(s)).toMatchObject({ stillOwed: usd(35_000), inDispute: usd(10_000) });
  });

  it('counts a payment the ledger reversed as unpaid again, and a write-off as written off', () => {
    const ref = { provider: 'quickbooks' as const, accountId: 'realm-1', id: 'pay-1' };
    let s = st.applyLedgerEvent(fresh(), { kind: 'payment_reversed', ref, balance: usd(100_000) }, at);
    expect(st.account(s)).toMatchObject({ paid: usd(0), stillOwed: usd(100_000) });
    s = st.applyClose(s, { kind: 'write_off', by: 'ana' }, at);
    const a = st.account(s);
    expect(a).toMatchObject({ writtenOff: usd(100_000), stillOwed: usd(0), settled: true });
    expect(a.paid.minor + a.credited.minor + a.writtenOff.minor + a.stillOwed.minor).toBe(a.total.minor);
  });

  it('withdraws nothing by itself but knows a pending draft is out of date once a payment arrives', () => {
    const s = st.addDraft(fresh(), 'first_response', draft, at, st.dueByFor(fresh(), 'first_response', at));
    const d = st.latestDraft(s)!;
    expect(st.draftBasis(s)).toBe(d.basis);
    const paid = st.applyLedgerEvent(
      s,
      {
        kind: 'payment_applied',
        payment: {
          ref: { provider: 'quickbooks', accountId: 'realm-1', id: 'pay-2' },
          amount: usd(10_000),
          date: '2026-12-05',
        },
        balance: usd(30_000),
      },
      at,
    );
    expect(st.draftBasis(paid)).not.toBe(d.basis);
    expect(st.whyOutOfDate(paid, d)).toBe('a payment changed');
    const withdrawn = st.withdrawDraft(paid, d.version, at, 'a payment changed');
    expect(() => st.assertDecidable(withdrawn, { kind: 'approve', version: 1, by: 'ana' })).toThrow(
      'Draft v1 was withdrawn: a payment changed. A new draft replaces it.',
    );
  });

  it('treats a voided invoice as nothing left to collect', () => {
    const s = st.applyLedgerEvent(
      fresh(),
      { kind: 'invoice_changed', balance: usd(40_000), total: usd(100_000), status: 'void' },
      at,
    );
    expect(st.balanceCleared(s)).toBe(true);
  });

  it('gives every clock back the business time it had left when the connection broke', () => {
    let s = st.schedulePayment(fresh(), at, at, 'payment');
    expect(s.deadlines.response).toBe('2026-12-09T22:00:00.000Z'); // Wednesday 17:00 New York
    expect(s.deadlines.payment).toBe('2026-12-19T04:59:59.999Z'); // end of Friday 18 December, New York
    // Broken Friday 10:00, restored Monday 10:00: one business day (Friday's rest and Monday's start) went by.
    s = st.applyLedgerEvent(s, { kind: 'connection_broken', reason: 'invalid_grant' }, at);
    expect(st.nextDeadline(s, at)).toBeUndefined();
    s = st.applyLedgerEvent(s, { kind: 'connection_restored' }, '2026-12-07T15:00:00.000Z');
    expect(s.deadlines.response).toBe('2026-12-10T22:00:00.000Z');
    expect(s.deadlines.response_limit).toBe('2026-12-14T22:00:00.000Z');
    expect(s.deadlines.payment).toBe('2026-12-22T04:59:59.999Z'); // the weekend does not count down
  });

  it('adds an uploaded document once, for later letters and the evidence pack', () => {
    const doc = { id: 'd-photo', kind: 'photo' as const, name: 'Installed signage.jpg' };
    const s = st.addDocument(st.addDocument(fresh(), doc, at), doc, at);
    expect(s.documents.filter((d) => d.id === 'd-photo')).toHaveLength(1);
    expect(s.timeline.at(-1)!.summary).toBe('Document added: Installed signage.jpg');
  });

  it('closes once and ignores status changes after closing', () => {
    const s = st.applyClose(fresh(), { kind: 'write_off', by: 'ana' }, at);
    expect(s.status).toBe('written_off');
    expect(st.withStatus(s, 'awaiting_payment').status).toBe('written_off');
    expect(() => st.assertClose(s, { kind: 'resolved', by: 'ana' })).toThrow('already closed');
  });
});

describe('case standing (what the dashboard adds up)', () => {
  it('reads what the case opened for, recovered and conceded off its account', () => {
    let s = fresh();
    expect(st.standing(s, at)).toMatchObject({
      openedOn: '2026-12-04',
      openedFor: usd(40_000),
      outstanding: usd(40_000),
      recovered: usd(0),
      recoveries: [],
    });
    const ref = { provider: 'quickbooks' as const, accountId: 'realm-1', id: 'pay-2' };
    s = st.applyLedgerEvent(
      s,
      { kind: 'payment_applied', payment: { ref, amount: usd(15_000), date: '2026-12-10' }, balance: usd(25_000) },
      at,
    );
    s = st.applyCreditNote(s, 'cm-1', usd(5_000), at, '1042');
    const now = st.standing(s, '2026-12-11T09:00:00.000Z');
    expect(now).toMatchObject({
      openedFor: usd(40_000),
      outstanding: usd(20_000),
      recovered: usd(15_000),
      conceded: usd(5_000),
      recoveries: [{ date: '2026-12-10', amount: usd(15_000) }],
    });
    expect(now.outstanding.minor).toBe(st.owed(s).minor);
  });

  describe('a chargeback that reaches the running case (the 600 paid by card, disputed in January)', () => {
    const arrived = '2027-01-05T15:00:00.000Z';
    const dueBy = '2027-01-15T23:59:59.000Z';
    // As today's workflow runs a case: the processor's own deadline timed, the notices following the dispute.
    const running = (): st.CaseState => ({ ...fresh(), noticeProcessorDeadline: true, noticesFollowDispute: true });
    const chargeback = (s: st.CaseState, flagged: boolean) => {
      const s2 = st.applyChargebackStatus(
        s,
        {
          status: 'needs_response',
          dispute: {
            dispute: { provider: 'stripe', accountId: 'acct_1', id: 'dp_9' },
            chargeId: 'ch_9',
            dueBy,
            amount: usd(60_000),
            reason: 'product_not_received',
          },
        },
        arrived,
      );
      return flagged ? { ...s2, chargebackOnRunningCase: true } : s2;
    };

    it("counts in what the case opened for, in the case's month, so the month's Disputed is the tile's In dispute", () => {
      const s = chargeback(running(), true);
      const now = st.standing(s, arrived);
      expect(now).toMatchObject({
        openedOn: '2026-12-04',
        openedFor: usd(100_000),
        outstanding: usd(40_000),
        inDispute: usd(40_000),
        held: usd(60_000),
        recovered: usd(0),
      });
      expect(now.inDispute.minor + now.held!.minor).toBe(now.openedFor.minor);
      // A run that received it before the patch keeps what it projected: the 400 short alone.
      expect(st.standing(chargeback(running(), false), arrived).openedFor).toEqual(usd(40_000));
    });

    it("sets Shortfall's approval date 2 days before Stripe's due_by, and drops it once Stripe decides", () => {
      const before = chargeback(running(), true);
      let s = st.scheduleChargeback(before, arrived);
      expect(Date.parse(dueBy) - Date.parse(s.deadlines.stripe_submit!)).toBe(48 * 3_600_000);
      // The short payment's written response keeps its window (counted from the short payment, not the chargeback).
      expect(s.deadlines.response).toBe(before.deadlines.response);
      expect(s.timers.filter((t) => t.for === 'stripe_submit').map((t) => t.key)).toEqual(
        expect.arrayContaining(['stripe_submit:day_before', 'stripe_submit:processor_deadline']),
      );
      // Before the patch the case read due_by from its input only: no approval date.
      expect(st.scheduleChargeback(chargeback(running(), false), arrived).deadlines.stripe_submit).toBeUndefined();

      s = st.applyChargebackStatus(s, { status: 'won' }, '2027-02-20T15:00:00.000Z');
      expect(s.deadlines.stripe_submit).toBeUndefined();
      expect(s.timers.filter((t) => t.for === 'stripe_submit')).toEqual([]);
      // Won: the 600 comes back, recovered the day the case saw it; what the case opened for stays.
      expect(st.standing(s, '2027-02-20T15:00:00.000Z')).toMatchObject({
        openedFor: usd(100_000),
        outstanding: usd(40_000),
        recovered: usd(60_000),
        recoveries: [{ date: '2027-02-20', amount: usd(60_000) }],
      });
    });

    it('lost: everything it opened for is written off when the case closes', () => {
      let s = st.applyChargebackStatus(chargeback(running(), true), { status: 'lost' }, arrived);
      s = st.applyClose(s, { kind: 'write_off', by: 'stripe', note: 'chargeback lost' }, arrived);
      expect(st.standing(s, arrived)).toMatchObject({ openedFor: usd(100_000), writtenOff: usd(100_000) });
    });
  });
});

describe("times in the owner's emails", () => {
  it("read in the organisation's zone, named, never as ISO or UTC", () => {
    expect(st.whenFor(fresh(), '2026-12-09T22:00:00.000Z')).toBe(
      'Wednesday, December 9, 2026 at 5:00 PM (America/New_York)',
    );
    expect(st.dayFor(fresh(), '2026-12-10T03:00:00.000Z')).toBe('Dec 9, 2026');
  });

  describe('settings saved while the case is open', () => {
    const change = (revision: number, timeZone = 'Europe/Lisbon') => ({
      revision,
      organisation: {
        ...fresh().input.organisation,
        timeZone,
        signature: 'Ana Ruiz, Founder',
        holidays: ['2026-12-25'],
      },
    });

    it('takes a newer revision once, for what it does next; deadlines already set stay', () => {
      const before = fresh();
      let s = st.receiveSettings(before, change(1));
      expect(st.settingsDue(s)).toBe(true);
      s = st.applySettings(s, at);
      expect(s.input.organisation).toMatchObject({ timeZone: 'Europe/Lisbon', settingsRevision: 1 });
      expect(s.settings).toBeUndefined();
      expect(s.deadlines).toEqual(before.deadlines);
      expect(st.whenFor(s, '2026-12-09T22:00:00.000Z')).toBe('Wednesday, December 9, 2026 at 10:00 PM (Europe/Lisbon)');
      // Sent again, or overtaken by a newer save that arrived first: nothing changes.
      expect(st.receiveSettings(s, change(1, 'Asia/Tokyo'))).toBe(s);
      const newer = st.receiveSettings(before, change(3, 'Asia/Tokyo'));
      expect(st.receiveSettings(newer, change(2))).toBe(newer);
    });

    it('withdraws a draft waiting for approval, and waits while an approved letter goes out', () => {
      const drafted = st.addDraft(fresh(), 'first_response', draft, at, st.dueByFor(fresh(), 'first_response', at));
      const received = st.receiveSettings(drafted, change(1));
      expect(st.draftBasis(received)).not.toBe(st.latestDraft(received)!.basis);
      expect(st.whyOutOfDate(received, st.latestDraft(received)!)).toMatch(/settings changed/);

      const approved = st.applyDraftDecision(drafted, { kind: 'approve', version: 1, by: 'ana' }, at);
      const waiting = st.receiveSettings(approved, change(1));
      expect(st.settingsDue(waiting)).toBe(false);
      expect(st.applySettings(waiting, at)).toBe(waiting);
      const sent = st.markSent(waiting, 1, at);
      expect(st.applySettings(sent, at).input.organisation.timeZone).toBe('Europe/Lisbon');
    });

    it('withdraws a draft written while Settings arrived, and the redraft states the deadline the case then sets', () => {
      // The owner lengthens the balance window while the first response is being written.
      const longer = {
        ...change(1),
        organisation: { ...change(1).organisation, windows: { responseBusinessDays: 3, balanceDueDays: 30 } },
      };
      const before = fresh();
      const dueBy = st.dueByFor(before, 'first_response', at);
      const basis = st.draftBasis(before); // taken before the letter is written
      const landed = st.receiveSettings(before, longer); // the signal lands during draftLetter
      let s = st.addDraft(landed, 'first_response', draft, at, dueBy, basis);
      // The owner cannot approve the old letter, and the next step withdraws it, naming the Settings.
      expect(() => st.assertDecidable(s, { kind: 'approve', version: 1, by: 'ana' })).toThrow(
        'Draft v1 was withdrawn: the settings changed',
      );
      s = st.applySettings(s, at);
      expect(st.draftBasis(s)).not.toBe(st.latestDraft(s)!.basis);
      s = st.withdrawDraft(s, 1, at, st.whyOutOfDate(s, st.latestDraft(s)!));
      expect(st.latestDraft(s)).toMatchObject({ version: 1, state: 'withdrawn' });

      // The redraft is written from the applied Settings, its basis holds, and the payment deadline the case sets
      // once it is sent is the one it states.
      const redrafted = st.dueByFor(s, 'first_response', at)!;
      expect(redrafted).not.toBe(dueBy);
      s = st.addDraft(s, 'first_response', draft, at, redrafted, st.draftBasis(s));
      expect(st.latestDraft(s)).toMatchObject({ version: 2, state: 'pending', dueBy: redrafted });
      expect(st.latestDraft(s)!.basis).toBe(st.draftBasis(s));
      s = st.applyDraftDecision(s, { kind: 'approve', version: 2, by: 'ana' }, at);
      s = st.schedulePayment(st.markSent(s, 2, at), at, at, 'payment');
      expect(s.deadlines.payment).toBe(redrafted);
    });

    it('taken after drafting (histories before the patch), the basis would keep the stale letter and another deadline', () => {
      const longer = {
        ...change(1),
        organisation: { ...change(1).organisation, windows: { responseBusinessDays: 3, balanceDueDays: 30 } },
      };
      const before = fresh();
      const dueBy = st.dueByFor(before, 'first_response', at)!;
      let s = st.addDraft(st.receiveSettings(before, longer), 'first_response', draft, at, dueBy);
      s = st.applySettings(s, at);
      expect(st.latestDraft(s)!.basis).toBe(st.draftBasis(s)); // nothing would withdraw it
      s = st.schedulePayment(
        st.markSent(st.applyDraftDecision(s, { kind: 'approve', version: 1, by: 'ana' }, at), 1, at),
        at,
        at,
        'payment',
      );
      expect(s.deadlines.payment).not.toBe(dueBy); // the letter and the case disagree
    });

    it('is ignored by a closed case, and changes no basis of a case that never had one', () => {
      const closed = st.applyClose(fresh(), { kind: 'withdraw', by: 'ana' }, at);
      expect(st.receiveSettings(closed, change(1))).toBe(closed);
      expect(JSON.parse(st.draftBasis(fresh()))).toHaveLength(10);
    });
  });
});
