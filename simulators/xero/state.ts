// Everything one simulator instance knows, shared by its routes and its admin API.
import type { Clock } from './clock.js';
import type { IdentityServer } from './identity.js';
import type { IdempotencyStore } from './idempotency.js';
import type { Organisation } from './organisation.js';
import type { RateLimiter } from './rate-limit.js';
import type { WebhookSender } from './webhooks.js';

export type ConsentMode =
  | { readonly mode: 'page' }
  /** Approve at once, for the given tenants (default: all). */
  | { readonly mode: 'auto'; readonly tenantIds?: readonly string[] }
  /** The user presses Cancel. */
  | { readonly mode: 'deny' };

export interface Fault {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Only requests whose path contains this; any API request when absent. */
  readonly pathIncludes?: string;
  remaining: number;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface SimState {
  readonly clock: Clock;
  readonly identity: IdentityServer;
  readonly orgs: Map<string, Organisation>;
  readonly rateLimiter: RateLimiter;
  readonly idempotency: IdempotencyStore;
  readonly webhooks: WebhookSender | undefined;
  readonly providerName: string;
  readonly requests: RequestRecord[];
  readonly faults: Fault[];
  consent: ConsentMode;
  /** Organisations the consent page ticks at first; every one when unset. */
  suggestedTenants?: readonly string[] | undefined;
  latencyMs: number;
  /** A pause before the token endpoint answers (admin.setTokenLatency), so concurrent refreshes overlap. */
  tokenLatencyMs?: number;
  /** Holds admitted API requests until this many have arrived (admitted or refused), so a test sees them overlap. */
  gate?: Gate | undefined;
  /** Requests held until the test releases them (admin.hold). */
  readonly holds: Hold[];
  baseUrl: string;
}

export interface Gate {
  readonly until: number;
  arrived: number;
  readonly open: Promise<void>;
  readonly release: () => void;
}

/** Admitted API requests that match wait for `open`: the path contains `pathIncludes`, the query has these values. */
export interface Hold {
  readonly pathIncludes?: string | undefined;
  readonly query?: Readonly<Record<string, string>> | undefined;
  held: number;
  readonly open: Promise<void>;
  readonly release: () => void;
}

export const apiPrefix = '/api.xro/2.0';
