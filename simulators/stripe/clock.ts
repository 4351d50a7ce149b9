export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

/** A clock tests move by hand: event timestamps, due dates and webhook signatures all follow it. */
export function manualClock(startMs: number): ManualClock {
  let t = startMs;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

export const unixSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);
