// Client-side pacing per tenant, so a backfill or a burst of credit notes stays under Xero's limits instead
// of collecting 429s. Xero's own counters (X-*Limit-Remaining) correct ours, since other processes of the
// app may share a tenant's quota.
import Bottleneck from 'bottleneck';
import { IntegrationError } from '../errors.js';
import { xeroLimits, type XeroRateLimit } from './limits.js';
import type { RequestScheduler, SharedRateLimiter } from '../types.js';

const dayMs = 24 * 3600_000;

export interface RateSnapshot {
  readonly minuteRemaining?: number;
  readonly dayRemaining?: number;
  readonly appMinuteRemaining?: number;
}

const count = (v: unknown): number | undefined => {
  const n = typeof v === 'string' || typeof v === 'number' ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

export function readRateHeaders(headers: Readonly<Record<string, unknown>>): RateSnapshot {
  const minuteRemaining = count(headers['x-minlimit-remaining']);
  const dayRemaining = count(headers['x-daylimit-remaining']);
  const appMinuteRemaining = count(headers['x-appminlimit-remaining']);
  return {
    ...(minuteRemaining !== undefined && { minuteRemaining }),
    ...(dayRemaining !== undefined && { dayRemaining }),
    ...(appMinuteRemaining !== undefined && { appMinuteRemaining }),
  };
}

const hours = (ms: number) => Math.max(1, Math.ceil(ms / 3600_000));

export class TenantLimiter {
  private readonly bottleneck: Bottleneck;
  private readonly createdAt: number;
  private pausedUntil = 0;
  private last: RateSnapshot = {};

  constructor(
    readonly limit: XeroRateLimit = xeroLimits.rateLimit,
    private readonly now: () => number = Date.now,
    /** The app's Xero tier, named in the message when the daily cap is reached ("Starter"). */
    private readonly tierLabel?: string,
    /** The tenant's budget shared by every process (minute, concurrency and day); this process's alone without it. */
    private readonly shared?: RequestScheduler,
  ) {
    // Even spacing rather than a per-minute reservoir: Xero does not say how its minute is aligned, and two
    // full reservoirs can straddle a refill. The 10% headroom absorbs jitter between our clock and Xero's.
    const perMinute = Math.max(1, Math.floor(limit.perMinute * 0.9));
    this.bottleneck = new Bottleneck({
      maxConcurrent: limit.concurrent,
      minTime: Math.ceil(60_000 / perMinute),
      reservoir: limit.perDay,
      reservoirRefreshAmount: limit.perDay,
      reservoirRefreshInterval: dayMs,
    });
    this.createdAt = now();
  }

  /** Runs `work` when the tenant's budget allows; fails fast while Xero has told us to back off. */
  async schedule<T>(work: () => Promise<T>): Promise<T> {
    const waitMs = this.pausedUntil - this.now();
    if (waitMs > 0) throw this.limited(waitMs, 'paused after a 429');
    if (this.shared) return this.shared.schedule(work);
    if ((await this.bottleneck.currentReservoir()) === 0) throw this.dailyCapReached(this.untilDayRefill());
    return this.bottleneck.schedule(work);
  }

  /** Reads Xero's remaining counts from a response; a lower daily count than ours wins. */
  observe(headers: Readonly<Record<string, unknown>>): void {
    this.last = { ...this.last, ...readRateHeaders(headers) };
    const day = this.last.dayRemaining;
    if (day !== undefined) {
      void this.bottleneck.currentReservoir().then((mine) => {
        if (mine !== null && day < mine) void this.bottleneck.updateSettings({ reservoir: day });
      });
    }
  }

  /** After a 429: nothing more goes out for this tenant until Retry-After has passed. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  snapshot(): RateSnapshot {
    return this.last;
  }

  private untilDayRefill(): number {
    const elapsed = this.now() - this.createdAt;
    return dayMs - (elapsed % dayMs);
  }

  /** The owner reads this as the connection's last error, so it says what happened and what helps. */
  private dailyCapReached(retryAfterMs: number): IntegrationError {
    const tier = this.tierLabel ? ` on the app's ${this.tierLabel} tier` : '';
    return new IntegrationError(
      'rate_limited',
      `Xero's daily limit of ${this.limit.perDay.toLocaleString('en')} API calls for this organisation${tier} is used up; ` +
        `syncing resumes by itself in about ${hours(retryAfterMs)} hour(s). A higher Xero app tier (XERO_TIER) raises the limit.`,
      { provider: 'xero', retryAfterMs, code: 'daily_limit' },
    );
  }

  private limited(retryAfterMs: number, why: string): IntegrationError {
    return new IntegrationError('rate_limited', `Xero rate limit for this tenant: ${why}`, {
      provider: 'xero',
      retryAfterMs,
      code: 'client_limit',
    });
  }
}

/** One limiter per tenant, shared by every connector in the process that talks to that tenant. */
export class XeroTenantLimiters {
  private readonly byTenant = new Map<string, TenantLimiter>();

  constructor(
    private readonly limit: XeroRateLimit = xeroLimits.rateLimit,
    private readonly now: () => number = Date.now,
    private readonly tierLabel?: string,
    private readonly shared?: SharedRateLimiter,
  ) {}

  forTenant(tenantId: string): TenantLimiter {
    let limiter = this.byTenant.get(tenantId);
    if (!limiter) {
      const l = this.limit;
      const budget = this.shared?.forAccount('xero', tenantId, {
        requests: l.perMinute,
        perMs: 60_000,
        concurrent: l.concurrent,
        perDay: l.perDay,
      });
      limiter = new TenantLimiter(this.limit, this.now, this.tierLabel, budget);
      this.byTenant.set(tenantId, limiter);
    }
    return limiter;
  }
}
