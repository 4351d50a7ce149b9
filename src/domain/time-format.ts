// How an instant reads for the organisation: in its locale and its time zone, with the zone's short name
// ("Tue, Dec 1, 2026, 9:00 AM EST"). The pages and the evidence pack share it. Intl only: no clock.
import { DateTime } from 'luxon';

/** A formatter of instants (ISO strings or Dates) in the organisation's locale and time zone. */
export function dateTimeFormatter(locale: string, timeZone: string): (at: string | Date) => string {
  const format = new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  });
  return (at) => format.format(new Date(at));
}

/**
 * A formatter of calendar days (YYYY-MM-DD, an invoice's due date) as the pages write dates ("Wed, Feb 4, 2026"): a
 * day is not an instant, so it is formatted in UTC to keep its date. Anything else is returned as it is.
 */
export function dayFormatter(locale: string): (day: string) => string {
  const format = new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
  return (day) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    return m ? format.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : day;
  };
}

/** The calendar day (YYYY-MM-DD) an instant falls on in the time zone. */
export function dayIn(at: string | Date, timeZone: string): string {
  const day = DateTime.fromJSDate(new Date(at)).setZone(timeZone).toISODate();
  if (!day) throw new RangeError(`Invalid instant or time zone: ${String(at)} in ${timeZone}`);
  return day;
}
