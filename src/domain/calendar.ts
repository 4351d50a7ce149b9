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
  // IANAZone.create keeps one zone per name (and whether Intl knows it); isValidZone builds a new Intl formatter on
  // every call, and every schedule a case computes, at start and on each replay, asked it again.
  if (!IANAZone.create(cal.zone).isValid) throw new CalendarError(`Unknown time zone: ${cal.zone}`);
  const bad = cal.holidays.find((h) => !/^\d{4}-\d{2}-\d{2}$/.test(h) || !DateTime.fromISO(h).isValid);
  if (bad !== undefined) throw new CalendarError(`Holidays must be YYYY-MM-DD, got ${JSON.stringify(bad)}`);
}

export function inZone(iso: string, cal: BusinessCalendar): DateTime {
  const dt = DateTime.fromISO(iso, { setZone: true }).setZone(cal.zone);
  if (!dt.isValid)
    throw new CalendarError(
      `Invalid timestamp or zone: ${iso} in ${cal.zone} (${dt.invalidExplanation ?? dt.invalidReason})`,
    );
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
    if (scanned > maxDaysScanned * Math.max(1, n))
      throw new CalendarError('No business days found; check the holiday list');
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

/** Calls `each` with every part of [from, to) that falls on one calendar day in the zone, with that day. */
function forEachDaySegment(
  fromIso: string,
  toIso: string,
  cal: BusinessCalendar,
  each: (day: DateTime, ms: number) => void,
): void {
  let cursor = inZone(fromIso, cal);
  const end = inZone(toIso, cal);
  for (let scanned = 0; cursor < end; scanned++) {
    if (scanned > maxDaysScanned * 10) throw new CalendarError('A business-time span longer than ten years');
    const nextDay = cursor.startOf('day').plus({ days: 1 });
    const segmentEnd = nextDay < end ? nextDay : end;
    each(cursor, segmentEnd.diff(cursor).toMillis());
    cursor = segmentEnd;
  }
}

/** Time between two instants that falls on business days (whole days in the zone; weekends and holidays skipped). */
export function businessMsBetween(fromIso: string, toIso: string, cal: BusinessCalendar): number {
  let total = 0;
  forEachDaySegment(fromIso, toIso, cal, (day, ms) => {
    if (isBusinessDay(day, cal)) total += ms;
  });
  return total;
}

/**
 * The instant that lies `ms` of business time after `fromIso`: a clock that stopped with that much business time
 * left resumes here. Weekends and holidays do not count down; zero gives `fromIso` itself.
 */
export function addBusinessMs(fromIso: string, ms: number, cal: BusinessCalendar): string {
  if (!Number.isFinite(ms) || ms < 0)
    throw new CalendarError(`Business time must be a non-negative number of ms, got ${ms}`);
  let cursor = inZone(fromIso, cal);
  let left = ms;
  for (let scanned = 0; left > 0; scanned++) {
    if (scanned > maxDaysScanned * 10) throw new CalendarError('No business days found; check the holiday list');
    const nextDay = cursor.startOf('day').plus({ days: 1 });
    if (isBusinessDay(cursor, cal)) {
      const available = nextDay.diff(cursor).toMillis();
      if (left <= available) return cursor.plus({ milliseconds: left }).toUTC().toISO() ?? '';
      left -= available;
    }
    cursor = nextDay;
  }
  return cursor.toUTC().toISO() ?? '';
}
