// Xero's limits per app and tenant: requests in flight, per rolling minute and per rolling day, plus the
// app-wide minute. Every answer carries the remaining counts; a 429 says which limit and when to retry.
import { xeroLimits } from '../../integrations/xero/limits.js';
import type { Clock } from './clock.js';

export interface SimRateLimits {
  readonly concurrent: number;
  readonly perMinute: number;
  readonly perDay: number;
  readonly appPerMinute: number;
}

export const defaultRateLimits: SimRateLimits = { ...xeroLimits.rateLimit, appPerMinute: xeroLimits.appPerMinute };

export type Admission =
  | { readonly ok: true; readonly headers: Record<string, string>; release(): void }
  | {
      readonly ok: false;
      readonly headers: Record<string, string>;
      readonly problem: 'concurrent' | 'minute' | 'day' | 'appminute';
    };

const minuteMs = 60_000;
const dayMs = 24 * 3600_000;

class Window {
  private readonly hits: number[] = [];
  constructor(private readonly spanMs: number) {}
  count(now: number): number {
    while (this.hits.length && (this.hits[0] ?? 0) <= now - this.spanMs) this.hits.shift();
    return this.hits.length;
  }
  add(now: number): void {
    this.hits.push(now);
  }
  /** Seconds until the oldest hit leaves the window. */
  retryAfter(now: number): number {
    return Math.max(1, Math.ceil(((this.hits[0] ?? now) + this.spanMs - now) / 1000));
  }
}

interface TenantUsage {
  readonly minute: Window;
  readonly day: Window;
  inFlight: number;
  maxInFlight: number;
}

export class RateLimiter {
  private readonly tenants = new Map<string, TenantUsage>();
  private readonly app = new Window(minuteMs);

  constructor(
    public limits: SimRateLimits,
    private readonly clock: Clock,
  ) {}

  admit(tenantId: string): Admission {
    const now = this.clock();
    const usage = this.usage(tenantId);
    const remaining = () => ({
      'x-minlimit-remaining': String(Math.max(0, this.limits.perMinute - usage.minute.count(now))),
      'x-daylimit-remaining': String(Math.max(0, this.limits.perDay - usage.day.count(now))),
      'x-appminlimit-remaining': String(Math.max(0, this.limits.appPerMinute - this.app.count(now))),
    });
    const refuse = (problem: Extract<Admission, { ok: false }>['problem'], retryAfter: number): Admission => ({
      ok: false,
      problem,
      headers: { ...remaining(), 'retry-after': String(retryAfter), 'x-rate-limit-problem': problem },
    });
    if (usage.day.count(now) >= this.limits.perDay) return refuse('day', usage.day.retryAfter(now));
    if (usage.minute.count(now) >= this.limits.perMinute) return refuse('minute', usage.minute.retryAfter(now));
    if (this.app.count(now) >= this.limits.appPerMinute) return refuse('appminute', this.app.retryAfter(now));
    if (usage.inFlight >= this.limits.concurrent) return refuse('concurrent', 1);
    usage.minute.add(now);
    usage.day.add(now);
    this.app.add(now);
    usage.inFlight += 1;
    usage.maxInFlight = Math.max(usage.maxInFlight, usage.inFlight);
    let released = false;
    return {
      ok: true,
      headers: remaining(),
      release: () => {
        if (!released) usage.inFlight -= 1;
        released = true;
      },
    };
  }

  /** Most requests one tenant ever had in flight at once. */
  maxInFlight(tenantId: string): number {
    return this.tenants.get(tenantId)?.maxInFlight ?? 0;
  }

  private usage(tenantId: string): TenantUsage {
    let usage = this.tenants.get(tenantId);
    if (!usage) {
      usage = { minute: new Window(minuteMs), day: new Window(dayMs), inFlight: 0, maxInFlight: 0 };
      this.tenants.set(tenantId, usage);
    }
    return usage;
  }
}
