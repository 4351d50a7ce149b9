// The arrangement form: instalments must add up exactly to what is still owed, dates are YYYY-MM-DD calendar days.
import { describe, expect, it } from 'vitest';
import {
  arrangementNote,
  isCalendarDay,
  parseArrangement,
  todayIn,
} from '../../../../src/app/http/arrangements/plan-form.js';

const owed = { minor: 60_000, currency: 'USD' };
const today = '2026-06-10';
const plan = (dueOn: string[], amount: string[]) => parseArrangement({ kind: 'plan', dueOn, amount }, owed, today);

describe('parseArrangement', () => {
  it('reads a plan in minor units, sorted by date, ignoring empty rows', () => {
    expect(plan(['2026-08-01', '', '2026-07-01'], ['300', '', '300.00'])).toEqual({
      ok: true,
      value: {
        kind: 'plan',
        instalments: [
          { dueOn: '2026-07-01', amountMinor: 30_000 },
          { dueOn: '2026-08-01', amountMinor: 30_000 },
        ],
      },
    });
  });

  it('reads a deposit without instalments', () => {
    expect(parseArrangement({ kind: 'deposit', dueOn: ['junk'], amount: [] }, owed, today)).toEqual({
      ok: true,
      value: { kind: 'deposit' },
    });
  });

  it('says by how much instalments that do not add up are off', () => {
    expect(plan(['2026-07-01', '2026-08-01'], ['300', '299.99'])).toEqual({
      ok: false,
      errors: ['The instalments add up to $599.99, but $600.00 is still owed: they must add up exactly ($0.01 short).'],
    });
    expect(plan(['2026-07-01'], ['700'])).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('($100.00 too much)')],
    });
  });

  it('names each instalment that is wrong', () => {
    const r = plan(
      ['2026-02-30', '07/01/2026', '2026-06-01', '2026-07-01', '2026-07-01', '2026-09-01', ''],
      ['100', '100', '100', '1.234', '100', '0', '50'],
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        'Instalment 1: "2026-02-30" is not a date. Write it as YYYY-MM-DD, such as 2026-03-31.',
        'Instalment 2: "07/01/2026" is not a date. Write it as YYYY-MM-DD, such as 2026-03-31.',
        'Instalment 3: 2026-06-01 is in the past. A plan covers what is still owed, so every instalment falls on 2026-06-10 or later.',
        'Instalment 4: "1.234" is not an amount in USD. Write it like 250.00, without a currency sign or thousands separators.',
        'Instalment 5: 2026-07-01 appears twice. Put both amounts into one instalment.',
        'Instalment 6: the amount must be more than zero.',
        'Instalment 7: enter both the date and the amount.',
      ],
    });
  });

  it('asks for a kind, at least one instalment, and something owed', () => {
    expect(parseArrangement({ kind: '', dueOn: [], amount: [] }, owed, today)).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^Choose whether/)],
    });
    expect(plan([''], [''])).toEqual({
      ok: false,
      errors: ['Enter at least one instalment: the date it is due and the amount.'],
    });
    expect(
      parseArrangement({ kind: 'plan', dueOn: ['2026-07-01'], amount: ['1'] }, { minor: 0, currency: 'USD' }, today),
    ).toMatchObject({ ok: false });
  });

  it('parses amounts in the currency of the invoice: no decimals for yen', () => {
    const yen = { minor: 30_000, currency: 'JPY' };
    expect(parseArrangement({ kind: 'plan', dueOn: ['2026-07-01'], amount: ['30000'] }, yen, today)).toMatchObject({
      ok: true,
      value: { instalments: [{ amountMinor: 30_000 }] },
    });
    expect(parseArrangement({ kind: 'plan', dueOn: ['2026-07-01'], amount: ['30000.5'] }, yen, today)).toMatchObject({
      ok: false,
    });
  });
});

describe('dates and notes', () => {
  it('knows calendar days and today in a time zone', () => {
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2027-02-29')).toBe(false);
    expect(todayIn('Pacific/Auckland', Date.parse('2026-06-10T20:00:00Z'))).toBe('2026-06-11');
    expect(todayIn('America/New_York', Date.parse('2026-06-10T02:00:00Z'))).toBe('2026-06-09');
  });

  it('words what the closed case keeps', () => {
    expect(arrangementNote({ kind: 'deposit' }, 'USD')).toBe('deposit');
    expect(
      arrangementNote(
        {
          kind: 'plan',
          instalments: [
            { dueOn: '2026-07-01', amountMinor: 30_000 },
            { dueOn: '2026-08-01', amountMinor: 30_000 },
          ],
        },
        'USD',
      ),
    ).toBe('agreed payment plan: 2 instalments ($300.00 on 2026-07-01, $300.00 on 2026-08-01)');
  });
});
