import { describe, expect, it } from 'vitest';
import { CalendarError } from '../../../src/domain/calendar.js';
import {
  balanceSchedule,
  deadlineAt,
  defaultPolicy,
  msUntil,
  policyFor,
  responseSchedule,
  type Schedule,
} from '../../../src/domain/deadlines.js';

const sydney = policyFor({ zone: 'Australia/Sydney' });
const names = (s: Schedule) => s.entries.map((e) => `${e.name}@${e.at}`);

describe('responseSchedule', () => {
  // Friday 2 October 2026, 16:00 in Sydney; daylight saving starts on Sunday 4 October.
  const fridayAfternoon = '2026-10-02T16:00:00+10:00';

  it('answers a full-and-final payment within one business day across the weekend and DST change, and alerts at once', () => {
    const s = responseSchedule({ now: fridayAfternoon, learnedAt: fridayAfternoon, fullAndFinal: true }, sydney);
    expect(names(s)).toEqual([
      'owner_alert@2026-10-02T06:00:00.000Z',
      'written_response.morning_of@2026-10-04T22:00:00.000Z', // Monday 09:00 AEDT; Friday 09:00 already passed
      'written_response@2026-10-05T06:00:00.000Z', // Monday 17:00 AEDT
      'written_response_hard_limit.day_before@2026-10-07T22:00:00.000Z',
      'written_response_hard_limit.morning_of@2026-10-08T22:00:00.000Z',
      'written_response_hard_limit@2026-10-09T06:00:00.000Z',
    ]);
    expect(s.entries.find((e) => e.name === 'written_response')?.inMs).toBe(72 * 3_600_000);
    expect(s.entries.find((e) => e.name === 'owner_alert')?.inMs).toBe(0);
  });

  it('skips a holiday (NSW Labour Day)', () => {
    const withHoliday = policyFor({ zone: 'Australia/Sydney', holidays: ['2026-10-05'] });
    const s = responseSchedule({ now: fridayAfternoon, learnedAt: fridayAfternoon, fullAndFinal: true }, withHoliday);
    expect(deadlineAt(s, 'written_response')).toBe('2026-10-06T06:00:00.000Z');
    expect(deadlineAt(s, 'written_response_hard_limit')).toBe('2026-10-12T06:00:00.000Z');
  });

  it('gives three business days by default', () => {
    const s = responseSchedule({ now: fridayAfternoon, learnedAt: fridayAfternoon }, sydney);
    expect(deadlineAt(s, 'written_response')).toBe('2026-10-07T06:00:00.000Z');
    expect(deadlineAt(s, 'owner_alert')).toBeUndefined();
  });

  it.each([
    [
      'New York across the March DST change',
      'America/New_York',
      '2026-03-06T16:00:00-05:00',
      [],
      '2026-03-11T21:00:00.000Z',
    ],
    [
      'UTC over Christmas holidays',
      'UTC',
      '2026-12-24T10:00:00Z',
      ['2026-12-25', '2026-12-28'],
      '2026-12-31T17:00:00.000Z',
    ],
    ['learning on a Saturday', 'UTC', '2026-06-06T11:00:00Z', [], '2026-06-10T17:00:00.000Z'],
    ['learning after hours on a Monday', 'Europe/London', '2026-06-01T22:30:00+01:00', [], '2026-06-04T16:00:00.000Z'],
    [
      'a zone east of UTC where the UTC date is still yesterday',
      'Pacific/Auckland',
      '2026-06-07T20:00:00Z',
      [],
      '2026-06-11T05:00:00.000Z',
    ],
  ])('%s', (_name, zone, learnedAt, holidays, due) => {
    const s = responseSchedule({ now: learnedAt, learnedAt }, policyFor({ zone, holidays }));
    expect(deadlineAt(s, 'written_response')).toBe(due);
  });

  it('takes configured windows and reminders', () => {
    const policy = policyFor(
      { zone: 'UTC' },
      { responseBusinessDays: 2, reminders: { businessDayBefore: false, morningOf: false } },
    );
    const s = responseSchedule({ now: '2026-06-01T08:00:00Z', learnedAt: '2026-06-01T08:00:00Z' }, policy);
    expect(names(s)).toEqual([
      'written_response@2026-06-03T17:00:00.000Z',
      'written_response_hard_limit@2026-06-08T17:00:00.000Z',
    ]);
  });

  it('never sets the written response after the hard limit', () => {
    const s = responseSchedule(
      { now: '2026-06-01T08:00:00Z', learnedAt: '2026-06-01T08:00:00Z' },
      policyFor({ zone: 'UTC' }, { responseBusinessDays: 9 }),
    );
    expect(deadlineAt(s, 'written_response')).toBe(deadlineAt(s, 'written_response_hard_limit'));
  });

  it('keeps overdue deadlines with a zero wait when the case was detected late', () => {
    const s = responseSchedule({ now: '2026-06-20T08:00:00Z', learnedAt: '2026-06-01T08:00:00Z' }, defaultPolicy);
    expect(s.entries.map((e) => [e.kind, e.inMs])).toEqual([
      ['deadline', 0],
      ['deadline', 0],
    ]);
  });

  describe('Stripe evidence', () => {
    const now = '2026-06-05T12:00:00Z';

    it("is due the safety margin before Stripe's due_by", () => {
      const s = responseSchedule({ now, learnedAt: now, evidenceDueBy: '2026-06-20T23:59:59Z' }, defaultPolicy);
      expect(deadlineAt(s, 'dispute_evidence')).toBe('2026-06-18T23:59:59.000Z');
      expect(s.entries.filter((e) => e.kind === 'reminder' && e.for === 'dispute_evidence').map((e) => e.at)).toEqual([
        '2026-06-17T09:00:00.000Z',
        '2026-06-18T09:00:00.000Z',
      ]);
    });

    it('takes a configured margin', () => {
      const s = responseSchedule(
        { now, learnedAt: now, evidenceDueBy: '2026-06-20T23:59:59Z' },
        policyFor({ zone: 'UTC' }, { evidenceSafetyMarginHours: 6 }),
      );
      expect(deadlineAt(s, 'dispute_evidence')).toBe('2026-06-20T17:59:59.000Z');
    });

    it('is never earlier than now', () => {
      const late = '2026-06-19T10:00:00Z';
      const s = responseSchedule({ now: late, learnedAt: late, evidenceDueBy: '2026-06-20T23:59:59Z' }, defaultPolicy);
      expect(s.entries.find((e) => e.name === 'dispute_evidence')).toMatchObject({
        at: '2026-06-19T10:00:00.000Z',
        inMs: 0,
      });
    });
  });

  it.each([
    ['an unknown zone', policyFor({ zone: 'Mars/Olympus_Mons' })],
    ['a malformed holiday', policyFor({ zone: 'UTC', holidays: ['25/12/2026'] })],
    ['an impossible holiday', policyFor({ zone: 'UTC', holidays: ['2026-13-01'] })],
    ['no business days at all', policyFor({ zone: 'UTC', weekend: [1, 2, 3, 4, 5, 6, 7] })],
  ])('rejects %s', (_name, policy) => {
    expect(() => responseSchedule({ now: '2026-06-01T08:00:00Z', learnedAt: '2026-06-01T08:00:00Z' }, policy)).toThrow(
      CalendarError,
    );
  });
});

describe('balanceSchedule', () => {
  it.each([
    ['14 days after a Monday', 'UTC', [], '2026-06-01T10:00:00Z', '2026-06-15T23:59:59.999Z'],
    ['rolled from a Sunday to Monday', 'UTC', [], '2026-06-07T10:00:00Z', '2026-06-22T23:59:59.999Z'],
    [
      'rolled past a Sydney holiday, after DST starts',
      'Australia/Sydney',
      ['2026-10-05'],
      '2026-09-21T10:00:00+10:00',
      '2026-10-06T12:59:59.999Z',
    ],
  ])('%s', (_name, zone, holidays, responseSentAt, due) => {
    const s = balanceSchedule({ now: responseSentAt, responseSentAt }, policyFor({ zone, holidays }));
    expect(deadlineAt(s, 'remaining_balance')).toBe(due);
  });

  it('takes a configured number of days and reminds the business day before and that morning', () => {
    const s = balanceSchedule(
      { now: '2026-06-01T10:00:00Z', responseSentAt: '2026-06-01T10:00:00Z' },
      policyFor({ zone: 'UTC' }, { balanceDueDays: 7 }),
    );
    expect(names(s)).toEqual([
      'remaining_balance.day_before@2026-06-05T09:00:00.000Z', // Friday, since the due date is a Monday
      'remaining_balance.morning_of@2026-06-08T09:00:00.000Z',
      'remaining_balance@2026-06-08T23:59:59.999Z',
    ]);
  });
});

describe('msUntil', () => {
  it('counts down and stops at zero', () => {
    expect(msUntil('2026-06-01T10:00:01Z', '2026-06-01T10:00:00Z')).toBe(1000);
    expect(msUntil('2026-06-01T09:00:00Z', '2026-06-01T10:00:00Z')).toBe(0);
  });
});
