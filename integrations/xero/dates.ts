// Xero sends dates two ways: Microsoft JSON (`/Date(1700000000000+0000)/`, epoch milliseconds plus the
// zone the value was shown in) and ISO 8601, often without a zone even though the value is UTC.
export class XeroDateError extends Error {
  override readonly name = 'XeroDateError';
}

const msJson = /^\/Date\((-?\d+)([+-])?(\d{2})?(\d{2})?\)\/$/;
const isoNoZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const isoDay = /^\d{4}-\d{2}-\d{2}$/;

interface MsDate {
  readonly epochMs: number;
  readonly offsetMs: number;
}

function readMsDate(text: string): MsDate | undefined {
  const m = msJson.exec(text);
  if (!m) return undefined;
  const [, ms = '', sign, hh = '00', mm = '00'] = m;
  const offsetMs = sign ? (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm)) * 60_000 : 0;
  return { epochMs: Number(ms), offsetMs };
}

function checked(ms: number, text: string): Date {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new XeroDateError(`Not a Xero date: ${JSON.stringify(text)}`);
  return d;
}

/** A timestamp such as UpdatedDateUTC, as an ISO string in UTC. */
export function xeroInstant(text: string): string {
  const ms = readMsDate(text);
  if (ms) return checked(ms.epochMs, text).toISOString();
  const zoned = isoNoZone.test(text) ? `${text}Z` : text;
  return checked(isoDay.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(zoned), text).toISOString();
}

/** A calendar day such as Date or DueDate, as YYYY-MM-DD in the organisation's own calendar. */
export function xeroDay(text: string): string {
  const ms = readMsDate(text);
  // The epoch value is an instant; the offset says which calendar it was meant in.
  if (ms)
    return checked(ms.epochMs + ms.offsetMs, text)
      .toISOString()
      .slice(0, 10);
  // An ISO value is already written in the organisation's calendar, whatever zone follows it.
  const day = text.slice(0, 10);
  if (
    !isoDay.test(day) ||
    checked(Date.parse(`${day}T00:00:00Z`), text)
      .toISOString()
      .slice(0, 10) !== day
  ) {
    throw new XeroDateError(`Not a Xero date: ${JSON.stringify(text)}`);
  }
  return day;
}

/** The wire form Xero documents for dates it reads back, e.g. in the simulator and in fixtures. */
export const toMsDate = (epochMs: number): string => `/Date(${epochMs}+0000)/`;
