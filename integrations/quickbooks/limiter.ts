// Client-side pacing per realm, so a backfill or a burst of credit notes stays under Intuit's throttle
// instead of collecting 429s.
import Bottleneck from 'bottleneck';
import { quickbooksLimits, type RateLimit } from './limits.js';

// Even spacing (minTime) rather than a reservoir refilled every minute: Intuit does not say how its window
// is aligned, and two full reservoirs can straddle a refill; evenly spaced requests stay under the limit in
// any window. The 10% headroom absorbs network jitter between our clock and Intuit's.
export function createRealmLimiter(limit: RateLimit = quickbooksLimits.rateLimit): Bottleneck {
  const budget = Math.max(1, Math.floor(limit.requests * 0.9));
  return new Bottleneck({ maxConcurrent: limit.concurrent, minTime: Math.ceil(limit.perMs / budget) });
}

/** One limiter per realm, shared by every connector in the process that talks to that realm. */
export class RealmLimiters {
  private readonly byRealm = new Map<string, Bottleneck>();

  constructor(private readonly limit: RateLimit = quickbooksLimits.rateLimit) {}

  forRealm(realmId: string): Bottleneck {
    let limiter = this.byRealm.get(realmId);
    if (!limiter) {
      limiter = createRealmLimiter(this.limit);
      this.byRealm.set(realmId, limiter);
    }
    return limiter;
  }
}
