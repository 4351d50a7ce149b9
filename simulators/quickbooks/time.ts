// QBO writes times in the company's zone with an offset, to the second on entities ("…T09:30:00-07:00") and
// to the millisecond on a response's `time`.
const pad = (n: number) => String(Math.trunc(n)).padStart(2, '0');

function offsetText(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${pad(abs / 60)}:${pad(abs % 60)}`;
}

const wallClock = (ms: number, offsetMinutes: number) => new Date(ms + offsetMinutes * 60_000).toISOString();

export const qboTime = (ms: number, offsetMinutes: number): string =>
  wallClock(ms, offsetMinutes).slice(0, 19) + offsetText(offsetMinutes);

export const qboResponseTime = (ms: number, offsetMinutes: number): string =>
  wallClock(ms, offsetMinutes).slice(0, 23) + offsetText(offsetMinutes);

export const qboDate = (ms: number, offsetMinutes: number): string => wallClock(ms, offsetMinutes).slice(0, 10);

/** Entities are stamped to the second, so comparisons against changedSince happen at that precision. */
export const wholeSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;
