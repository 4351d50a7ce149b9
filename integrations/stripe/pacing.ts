// Every HTTP attempt the SDK makes (pages of an auto-paginated list and its own retries included) goes
// through one limiter, so a backfill stays under Stripe's per-account rate limit instead of collecting 429s.
import Bottleneck from 'bottleneck';
import Stripe from 'stripe';
import { stripeLimits } from './limits.js';
import type { RequestScheduler } from '../types.js';

/** `opsPerSecond` is the limit to stay under, not the rate to run at. */
export function createStripePacer(opsPerSecond: number): Bottleneck {
  if (!(opsPerSecond > 0)) throw new RangeError(`opsPerSecond must be positive, got ${opsPerSecond}`);
  return new Bottleneck({ minTime: Math.ceil(1000 / (opsPerSecond * stripeLimits.pacingHeadroom)) });
}

/** Stripe's global limit for the key's mode: live keys get 100 ops/s, test keys 25. */
export function defaultOpsPerSecond(apiKey: string): number {
  return /^(sk|rk)_live_/.test(apiKey) ? stripeLimits.opsPerSecond.live : stripeLimits.opsPerSecond.test;
}

type MakeRequest = Stripe.HttpClient['makeRequest'];

export class PacedHttpClient extends Stripe.HttpClient {
  constructor(
    private readonly inner: Stripe.HttpClient,
    private readonly limiter: RequestScheduler,
  ) {
    super();
  }

  override getClientName(): string {
    return this.inner.getClientName();
  }

  override makeRequest(...args: Parameters<MakeRequest>): ReturnType<MakeRequest> {
    return this.limiter.schedule(() => this.inner.makeRequest(...args));
  }
}
