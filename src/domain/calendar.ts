// Business-day arithmetic in the organisation's own time zone. luxon resolves IANA zones through Intl,
// so this stays deterministic inside the workflow sandbox as long as callers pass "now" in.
import { DateTime, IANAZone } from 'luxon';

export interface BusinessCalendar {
  /** IANA zone of the organisation, e.g. "Australia/Sydney". */
  readonly zone: string;
  /** Public holidays as YYYY-MM-DD in that zone. */
  readonly holidays: readonly string[];
  /** ISO weekdays that are not worked (1 = Monday … 7 = Sunday). */
  readonly weekend: readonly number[];
}

export class CalendarError extends Error {
  override readonly name = 'CalendarError';
}

// Guards against a holiday list that swallows every day.
const maxDaysScanned = 366;

export function assertCalendar(cal: BusinessCalendar): void {
  if (!IANAZone.isValidZone(cal.zone)) throw new CalendarError(`Unknown time zone: ${cal.zone}`);
  const bad = cal.holidays.find((h) => !/^\d{4}-\d{2}-\d{2}$/.test(h) || !DateTime.fromISO(h).isValid);
  if (bad !== undefined) throw new CalendarError(`Holidays must be YYYY-MM-DD, got ${JSON.stringify(bad)}`);
}

export function inZone(iso: string, cal: BusinessCalendar): DateTime {
  const dt = DateTime.fromISO(iso, { setZone: true }).setZone(cal.zone);
  if (!dt.isValid) throw new CalendarError(`Invalid timestamp or zone: ${iso} in ${cal.zone} (${dt.invalidExplanation ?? dt.invalidReason})`);
  return dt;
}

export function isBusinessDay(day: DateTime, cal: BusinessCalendar): boolean {
  return !cal.weekend.includes(day.weekday) && !cal.holidays.includes(day.toISODate() ?? '');
}

/** The n-th business day after `from`'s calendar day (n = 0 gives `from`'s day, or the next business day). */
export function addBusinessDays(from: DateTime, n: number, cal: BusinessCalendar): DateTime {
  if (!Number.isInteger(n) || n < 0) throw new CalendarError(`Business days must be a non-negative integer, got ${n}`);
  if (n === 0) return nextBusinessDay(from, cal);
  let day = from.startOf('day');
  for (let remaining = n, scanned = 0; remaining > 0; scanned++) {
    if (scanned > maxDaysScanned * Math.max(1, n)) throw new CalendarError('No business days found; check the holiday list');
    day = day.plus({ days: 1 });
    if (isBusinessDay(day, cal)) remaining--;
  }
  return day;
}

/** The same day if it is a business day, else the next one. */
export function nextBusinessDay(day: DateTime, cal: BusinessCalendar): DateTime {
  let d = day.startOf('day');
  for (let scanned = 0; !isBusinessDay(d, cal); scanned++) {
    if (scanned > maxDaysScanned) throw new CalendarError('No business days found; check the holiday list');
    d = d.plus({ days: 1 });
  }
  return d;
}

/** The business day before `day` (used for "one business day before" reminders). */
export function previousBusinessDay(day: DateTime, cal: BusinessCalendar): DateTime {
  let d = day.startOf('day').minus({ days: 1 });
  for (let scanned = 0; !isBusinessDay(d, cal); scanned++) {
    if (scanned > maxDaysScanned) throw new CalendarError('No business days found; check the holiday list');
    d = d.minus({ days: 1 });
  }
  return d;
}

/** Sets a wall-clock "HH:mm" on a day in the calendar's zone (luxon shifts times that fall in a DST gap). */
export function atTime(day: DateTime, hhmm: string): DateTime {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new CalendarError(`Expected HH:mm, got ${JSON.stringify(hhmm)}`);
  return day.set({ hour: Number(m[1]), minute: Number(m[2]), second: 0, millisecond: 0 });
}
