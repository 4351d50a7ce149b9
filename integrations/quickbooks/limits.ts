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
  /**
   * Builder tier of the Intuit App Partner Program: metered (CorePlus, data-out) calls per workspace per month;
   * past it every CorePlus call is refused with 429 until the following month (FACTS.md, "Monthly metered-read cap").
   */
  builderMonthlyCorePlusCalls: 500_000,
  /**
   * Intuit answers the monthly block with the very 429 / 3001 ThrottleExceeded of the per-minute throttle. Reads
   * refused without a single success for this long cannot be the per-minute window: it is the monthly block.
   */
  monthlyCapSuspectAfterMs: 5 * 60_000,
  /** While blocked, one read this often checks whether the block was lifted (a tier upgrade lifts it at once). */
  monthlyCapProbeEveryMs: 3600_000,
} as const;
