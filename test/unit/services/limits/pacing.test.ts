// The shared limiter's pacer: a sync pass after a quiet spell starts its requests at once, and however requests
// arrive, no window of the provider's length ever sees more than the budget (the published rate less headroom).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextSlot, pacing } from '../../../../src/services/limits/shared-limiter.js';

/** Runs requests arriving at `arrivals` (ms, ascending) through the pacer; returns when each one started. */
function run(arrivals: readonly number[], p: ReturnType<typeof pacing>): number[] {
  let next = 0;
  const starts: number[] = [];
  for (const arrival of arrivals) {
    let now = arrival;
    for (;;) {
      const slot = nextSlot(next, now, p);
      if (slot.kind === 'go') {
        next = slot.nextMs;
        starts.push(now);
        break;
      }
      now += slot.ms;
    }
  }
  return starts;
}

const mostInAnyWindow = (starts: readonly number[], windowMs: number) =>
  Math.max(0, ...starts.map((s) => starts.filter((t) => t >= s && t < s + windowMs).length));

describe('provider request pacing', () => {
  it("lets a Stripe test-mode sync pass of seven reads start at once, then paces a backfill under Stripe's 25 a second", () => {
    const p = pacing({ requests: 25, perMs: 1000 }, 0.9);
    expect(p.burst).toBe(7);
    expect(run([0, 0, 0, 0, 0, 0, 0], p)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const backfill = run(
      Array.from({ length: 200 }, () => 0),
      p,
    );
    expect(mostInAnyWindow(backfill, 1000)).toBeLessThanOrEqual(22);
  });

  it('never lets more than the budget start in any window, whatever the limits and arrivals', () => {
    fc.assert(
      fc.property(
        fc.record({ requests: fc.integer({ min: 1, max: 600 }), perMs: fc.constantFrom(1000, 60_000, 2000) }),
        fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 1, maxLength: 300 }),
        (limits, times) => {
          const p = pacing(limits, 0.9);
          const starts = run(
            [...times].sort((a, b) => a - b),
            p,
          );
          expect(mostInAnyWindow(starts, limits.perMs)).toBeLessThanOrEqual(
            Math.max(1, Math.floor(limits.requests * 0.9)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
