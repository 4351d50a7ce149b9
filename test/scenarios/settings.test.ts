// The owner changes Settings while cases are open. Saving signals every open case: the letters they draft and the
// deadlines they set from then on use the new signature, time zone, holidays and windows. Letters already sent and
// deadlines already set stay as they were. The next short payment's case opens with the new settings.
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { pdfText } from '../helpers/pdf-text.js';
import { eventually } from '../helpers/eventually.js';
import { scenario } from './harness/index.js';

/** A date as the client's letter states it, in a zone (the organisation's locale is en-US). */
const letterDate = (iso: string, zone: string) =>
  new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeZone: zone }).format(Date.parse(iso));
const dayIn = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toISODate()!;
const weekday = (d: DateTime) => d.weekday <= 5;
/** The first weekday on or after `d`. */
const firstWeekday = (d: DateTime) => {
  let day = d;
  while (!weekday(day)) day = day.plus({ days: 1 });
  return day;
};

scenario(
  'a case waiting for the client takes the new signature, time zone and holiday in its next letter and deadline',
  async (s) => {
    const inv = s.qb.invoice({ customer: 'Harbor Cafe', lines: [['Design', 1000]] });
    s.qb.pay(inv, 600);
    await s.sync();
    const receipt = await s.clientReceived(/partial payment/i);
    await s.until('the first response to wait for approval', (v) => v.status === 'awaiting_approval', inv);

    // The owner approves the first response late in the evening in New York, when it is already the next day in
    // Auckland, where the business then moves: the date the next letter gives for it shows which zone dates it.
    const oldZone = 'America/New_York';
    const newZone = 'Pacific/Auckland';
    while (DateTime.fromMillis(s.now(), { zone: oldZone }).hour < 21) await s.skip(60 * 60_000);
    await s.approveLatest('first_response', inv);
    const firstSent = await s.letterSent('first_response', inv);
    const first = firstSent.drafts.find((d) => d.kind === 'first_response')!;
    const firstLetter = await s.clientReceived(first.content.subject);
    expect(dayIn(first.sentAt!, newZone)).not.toBe(dayIn(first.sentAt!, oldZone));
    const payment = (await s.deadline('payment', inv))!;

    // The final notice will be drafted when the payment deadline passes, and would be due 7 days later (on a
    // weekday) in the new zone: the owner closes the business that day.
    const holiday = firstWeekday(DateTime.fromISO(payment, { zone: newZone }).startOf('day').plus({ days: 7 }));
    const notice = await s.saveSettings({
      signature: 'Ana Ruiz\nFounder, Brightside Studio',
      timeZone: newZone,
      holidays: [holiday.toISODate()!],
    });
    expect(notice).toBe('/settings?notice=settings_saved');
    const changed = await s.until(
      'the case to take the new settings',
      (v) => v.timeline.some((t) => t.kind === 'settings'),
      inv,
    );
    // A deadline already set stays as it is, and so does the letter already sent.
    expect(await s.deadline('payment', inv)).toBe(payment);
    expect(changed.status).toBe('awaiting_payment'); // still waiting for the client to pay
    expect(changed.drafts.find((d) => d.kind === 'first_response')!.content).toEqual(first.content);

    // The client does not pay: the final notice is drafted in the new settings.
    await s.skip(Date.parse(payment) - s.now() + 60 * 60_000);
    const drafted = await s.until(
      'the final notice to wait for approval',
      (v) => v.drafts.some((d) => d.kind === 'final_notice'),
      inv,
    );
    const draftedAt = drafted.drafts.find((d) => d.kind === 'final_notice')!.draftedAt;
    expect(dayIn(draftedAt, newZone)).toBe(dayIn(payment, newZone));
    await s.approveLatest('final_notice', inv);
    await s.letterSent('final_notice', inv);
    const finalNotice = (await s.deadline('final_notice', inv))!;
    // Seven days would end on the holiday; the deadline moves to the next business day, counted in the new zone.
    expect(dayIn(finalNotice, newZone)).toBe(firstWeekday(holiday.plus({ days: 1 })).toISODate());
    expect(DateTime.fromISO(finalNotice, { zone: newZone }).hour).toBe(23); // the end of that day there

    const letter = await s.clientReceived(/^Final notice/i);
    expect(letter.text).toContain('Founder, Brightside Studio');
    expect(letter.text).toContain(`by ${letterDate(finalNotice, newZone)}`);
    // The first response is cited by the date it carried when it went out from New York, the date on the letter the
    // client holds, not by the next day, which it already was in Auckland.
    expect(letter.text).toContain(`We wrote to you on ${letterDate(first.sentAt!, oldZone)} asking you`);
    expect(letter.text).not.toContain(letterDate(first.sentAt!, newZone));

    // The small-claims pack names each letter by the date it carried, naming New York's zone for the first response
    // and the chronology's day beside it; its chronology is in the organisation's zone now, which it names.
    await s.buildEvidencePack(inv);
    const packed = await s.until('the evidence pack', (v) => Boolean(v.evidencePack.documentId), inv);
    const pack = pdfText((await s.services.documents.load(packed.evidencePack.documentId!)).content);
    expect(pack).toContain(`Times are in the ${newZone} time zone.`);
    // (pdfText keeps each printed line; a heading may wrap after its first words. The dash is WinAnsi's, one byte.)
    const carried = `${dayIn(first.sentAt!, oldZone)} (${oldZone}; ${dayIn(first.sentAt!, newZone)} in the chronology)`;
    expect(pack).toContain(`${carried} \x97 Invoice ${inv.number}`);
    expect(pack).toContain(`The written response of ${carried} set out`);
    const noticeSent = packed.drafts.find((d) => d.kind === 'final_notice')!;
    expect(pack).toContain(`${dayIn(noticeSent.sentAt!, newZone)} \x97 Final notice`);

    // What went out before the change is as it was.
    for (const before of [receipt, firstLetter]) expect(before.text).not.toContain('Founder, Brightside Studio');
  },
);

scenario(
  'a draft waiting for approval is drafted again with new settings; the next case opens with them',
  async (s) => {
    const before = s.qb.invoice({ customer: 'Harbor Cafe', lines: [['Design', 1000]] });
    s.qb.pay(before, 600);
    await s.sync();
    const receiptBefore = await s.clientReceived(/partial payment/i, 'Harbor Cafe');
    const opened = await s.until(
      'the first case to wait for approval',
      (v) => v.status === 'awaiting_approval',
      before,
    );
    const responseBefore = (await s.deadline('response', before))!;
    // The default: 3 business days, inside the 5-day limit.
    expect(Date.parse(responseBefore)).toBeLessThan(Date.parse((await s.deadline('response_limit', before))!));

    await s.saveSettings({
      responseBusinessDays: 5,
      balanceDueDays: 30,
      signature: 'Ana Ruiz\nFounder, Brightside Studio',
    });

    // The open case's draft still waiting for approval is withdrawn and drafted again, signed as the owner now signs.
    const redrafted = await s.until(
      'the waiting draft to be drafted again',
      (v) => v.drafts.length === 2 && v.drafts[1]!.state === 'pending',
      before,
    );
    expect(redrafted.drafts[0]).toMatchObject({
      state: 'withdrawn',
      withdrawn: { because: expect.stringMatching(/settings changed/) },
    });
    expect(redrafted.drafts[0]!.content).toEqual(opened.drafts[0]!.content);
    expect(redrafted.drafts[0]!.content.text).not.toContain('Founder, Brightside Studio');
    expect(redrafted.drafts[1]!.content.text).toContain('Founder, Brightside Studio');
    // Its response deadline was set when it opened, and stays.
    expect(await s.deadline('response', before)).toBe(responseBefore);
    expect(receiptBefore.text).not.toContain('Founder, Brightside Studio');

    const after = s.qb.invoice({ customer: 'Juniper Bakery', lines: [['Menu design', 800]] });
    s.qb.pay(after, 500);
    await s.sync();
    const receipt = await s.clientReceived(/partial payment/i, 'Juniper Bakery');
    expect(receipt.text).toContain('Founder, Brightside Studio');
    await s.until('the second case to wait for approval', (v) => v.status === 'awaiting_approval', after);
    // The Settings page says both cases have them: the open one was sent them, the new one started with them.
    await eventually(
      async () => (await s.settingsPage()).text,
      (t) => t.includes('All 2 open cases have these settings.'),
      'the Settings page to say every open case has them',
    );
    // The new case answers within 5 business days: its response deadline is the hard limit itself.
    expect(await s.deadline('response', after)).toBe(await s.deadline('response_limit', after));
    expect(Date.parse((await s.deadline('response', after))!)).toBeGreaterThan(Date.parse(responseBefore));

    // After approval, each case gives the client the new 30 days for the balance (rolled to a business day).
    for (const inv of [after, before]) {
      await s.approveLatest('first_response', inv);
      await s.letterSent('first_response', inv);
      const sentAt = s.now();
      const payment = Date.parse((await s.deadline('payment', inv))!);
      expect(payment - sentAt).toBeGreaterThan(29 * 86_400_000);
      expect(payment - sentAt).toBeLessThan(34 * 86_400_000);
    }
  },
);
