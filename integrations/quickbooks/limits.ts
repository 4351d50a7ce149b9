// QuickBooks Online's published numbers in one place (reference/ledgers.md §6.1, §8, §9), so they are easy
// to re-check. The simulator enforces the same numbers, so a test that passes here respects production.
export interface RateLimit {
  /** Requests allowed in any window of `perMs` milliseconds. */
  readonly requests: number;
  readonly perMs: number;
  /** Requests in flight at once. */
  readonly concurrent: number;
}

export const quickbooksLimits = {
  /** `requestid` query parameter: unique per company, at most 50 characters. */
  requestIdMaxLength: 50,
  /** Per realm and app: 500 requests a minute, 10 in flight. */
  rateLimit: { requests: 500, perMs: 60_000, concurrent: 10 } satisfies RateLimit,
  /** Intuit's advice after a 429 when no Retry-After header comes back. */
  throttleBackoffMs: 60_000,
  /** Largest MAXRESULTS a query honours. */
  queryPageSize: 1000,
  /** CDC answers with at most this many objects; more changes than that are silently cut off. */
  cdcMaxObjects: 1000,
  /** CDC look-back limit: changedSince must be within the last 30 days. */
  cdcLookbackMs: 30 * 24 * 3600 * 1000,
} as const;
