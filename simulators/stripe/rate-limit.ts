// Per-account request rate over a sliding one-second window, answering Stripe's 429 past the limit.
import { ApiError } from './errors.js';

export interface RateLimitConfig {
  readonly opsPerSecond: number;
  /** Value of the Stripe-Should-Retry header on a 429; stripe-node retries by itself when it is true. */
  readonly shouldRetry: boolean;
}

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  rejected = 0;

  constructor(public config: RateLimitConfig) {}

  admit(accountId: string): void {
    const now = performance.now();
    const recent = (this.windows.get(accountId) ?? []).filter((t) => now - t < 1000);
    this.windows.set(accountId, recent);
    if (recent.length >= this.config.opsPerSecond) {
      this.rejected += 1;
      throw new ApiError(
        429,
        {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
        },
        false,
        { 'Stripe-Should-Retry': String(this.config.shouldRetry) },
      );
    }
    recent.push(now);
  }
}
