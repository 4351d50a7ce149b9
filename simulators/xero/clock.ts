// The simulator's notion of now. Tests pass a manual clock to move token expiry, refresh grace windows,
// rate-limit windows and UpdatedDateUTC forward without waiting.
export type Clock = () => number;

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(at: number | string): void;
}

export function manualClock(start: number | string = '2026-05-01T09:00:00.000Z'): ManualClock {
  let now = typeof start === 'string' ? Date.parse(start) : start;
  const clock = (() => now) as ManualClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.set = (at) => {
    now = typeof at === 'string' ? Date.parse(at) : at;
  };
  return clock;
}

export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const msDate = (ms: number): string => `/Date(${ms}+0000)/`;
/** A calendar day as Xero writes it back: midnight UTC in Microsoft JSON form. */
export const msDay = (day: string): string => msDate(Date.parse(`${day}T00:00:00Z`));
