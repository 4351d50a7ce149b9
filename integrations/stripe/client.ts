// One configured SDK instance per connection, plus the two ways we call it: a single request, or an
// auto-paginated list read up to a budget. Both translate errors and add the per-connection options.
import type { RequestScheduler } from '../types.js';
import Stripe from 'stripe';
import { withStripeErrors } from './errors.js';
import { stripeIdempotencyKey } from './idempotency.js';
import { stripeLimits } from './limits.js';
import { createStripePacer, defaultOpsPerSecond, PacedHttpClient } from './pacing.js';

export interface StripeClientOptions {
  /** Platform secret key (Connect) or the account's own restricted key. */
  readonly apiKey: string;
  /** Connected account sent as Stripe-Account; omit when the key belongs to the account itself. */
  readonly stripeAccount?: string;
  /** Where the API lives; set for the simulator or stripe-mock, unset in production. */
  readonly baseUrl?: string;
  /** Shared limiter for every client acting on the same Stripe account. */
  readonly pacer?: RequestScheduler;
  readonly opsPerSecond?: number;
  readonly maxNetworkRetries?: number;
  readonly timeoutMs?: number;
}

export type StripeCall<T> = (sdk: Stripe, options: Stripe.RequestOptions) => Promise<T>;

export interface StripeClient {
  readonly sdk: Stripe;
  readonly baseUrl?: string;
  call<T>(fn: StripeCall<T>, opts?: { idempotencyKey?: string }): Promise<T>;
  /**
   * Reads a list page by page from `after` (exclusive), stopping once `max` items are in hand. Each request asks
   * for no more than is still wanted, and `has_more` says when the list ended, so no page is fetched twice and
   * none is fetched only to learn there is nothing after the last one.
   */
  collect<T extends { id?: string }>(fn: StripeListCall<T>, max?: number, after?: string): Promise<CollectedPage<T>>;
}

/** One page request: `page` carries the size and the position, to spread into the list's params. */
export type StripeListCall<T> = (
  sdk: Stripe,
  page: StripePageParams,
  options: Stripe.RequestOptions,
) => Promise<Stripe.ApiList<T>>;

export interface StripePageParams {
  readonly limit: number;
  readonly starting_after?: string;
}

export interface CollectedPage<T> {
  readonly items: T[];
  /** False when the list has more items after the last one collected. */
  readonly exhausted: boolean;
}

function hostConfig(baseUrl: string | undefined): Stripe.StripeConfig {
  if (!baseUrl) return {};
  const url = new URL(baseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

export function createStripeClient(o: StripeClientOptions): StripeClient {
  const pacer = o.pacer ?? createStripePacer(o.opsPerSecond ?? defaultOpsPerSecond(o.apiKey));
  const sdk = new Stripe(o.apiKey, {
    ...hostConfig(o.baseUrl),
    httpClient: new PacedHttpClient(Stripe.createNodeHttpClient(), pacer),
    maxNetworkRetries: o.maxNetworkRetries ?? 2,
    timeout: o.timeoutMs ?? 30_000,
    telemetry: false,
    appInfo: { name: 'Shortfall' },
  });
  const requestOptions = (idempotencyKey?: string): Stripe.RequestOptions => ({
    ...(o.stripeAccount && { stripeAccount: o.stripeAccount }),
    ...(idempotencyKey && { idempotencyKey: stripeIdempotencyKey(idempotencyKey) }),
  });
  return {
    sdk,
    ...(o.baseUrl && { baseUrl: o.baseUrl }),
    call: (fn, opts) => withStripeErrors(() => fn(sdk, requestOptions(opts?.idempotencyKey))),
    collect: <T extends { id?: string }>(fn: StripeListCall<T>, max = Number.POSITIVE_INFINITY, after?: string) =>
      withStripeErrors(async (): Promise<CollectedPage<T>> => {
        const items: T[] = [];
        let cursor = after;
        for (;;) {
          const limit = Math.min(stripeLimits.listPageSize, max - items.length);
          const page = await fn(sdk, { limit, ...(cursor && { starting_after: cursor }) }, requestOptions());
          items.push(...page.data);
          if (!page.has_more) return { items, exhausted: true };
          const last = page.data.at(-1)?.id;
          if (items.length >= max || !last) return { items, exhausted: false };
          cursor = last;
        }
      }),
  };
}
