// Intuit's per-realm throttle: a request is refused with 429 when the realm already had `requests` in the
// last `perMs`, or has `concurrent` in flight. The window slides, the strictest reading of "500 a minute".
import type { RateLimit } from '../../integrations/quickbooks/limits.js';

export interface ThrottleStats {
  readonly accepted: number;
  readonly throttled: number;
  readonly maxInFlight: number;
}

interface RealmTraffic {
  recent: number[];
  inFlight: number;
  accepted: number;
  throttled: number;
  maxInFlight: number;
}

export class Throttle {
  private readonly realms = new Map<string, RealmTraffic>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number,
  ) {}

  /** A release function when the request may proceed, or undefined when it must get a 429. */
  enter(realmId: string): (() => void) | undefined {
    const t = this.traffic(realmId);
    const now = this.clock();
    t.recent = t.recent.filter((at) => at > now - this.limit.perMs);
    if (t.recent.length >= this.limit.requests || t.inFlight >= this.limit.concurrent) {
      t.throttled += 1;
      return undefined;
    }
    t.recent.push(now);
    t.accepted += 1;
    t.inFlight += 1;
    t.maxInFlight = Math.max(t.maxInFlight, t.inFlight);
    let released = false;
    return () => {
      if (!released) t.inFlight -= 1;
      released = true;
    };
  }

  stats(realmId: string): ThrottleStats {
    const { accepted, throttled, maxInFlight } = this.traffic(realmId);
    return { accepted, throttled, maxInFlight };
  }

  private traffic(realmId: string): RealmTraffic {
    let t = this.realms.get(realmId);
    if (!t) {
      t = { recent: [], inFlight: 0, accepted: 0, throttled: 0, maxInFlight: 0 };
      this.realms.set(realmId, t);
    }
    return t;
  }
}
