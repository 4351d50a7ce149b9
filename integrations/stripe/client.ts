// One configured SDK instance per connection, plus the two ways we call it: a single request, or an
// auto-paginated list read up to a budget. Both translate errors and add the per-connection options.
import type { RequestScheduler } from '../types.js';
import Stripe from 'stripe';
import { withStripeErrors } from './errors.js';
import { stripeIdempotencyKey } from './idempotency.js';
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
  /** Reads a list with the SDK's auto-pagination, stopping after `max` items. */
  collect<T>(
    fn: (sdk: Stripe, options: Stripe.RequestOptions) => Stripe.ApiListPromise<T>,
    max?: number,
  ): Promise<CollectedPage<T>>;
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
    collect: (fn, max = Number.POSITIVE_INFINITY) =>
      withStripeErrors(async () => {
        const items = [];
        for await (const item of fn(sdk, requestOptions())) {
          if (items.length >= max) return { items, exhausted: false };
          items.push(item);
        }
        return { items, exhausted: true };
      }),
  };
}
