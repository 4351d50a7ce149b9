// Stripe's published numbers in one place (reference/ledgers.md §6.3, §8, §9), so they are easy to re-check.
export const stripeLimits = {
  /** Idempotency-Key header length limit; longer business keys are hashed. */
  idempotencyKeyMaxLength: 255,
  /** Stripe keeps idempotent results for at least this long. */
  idempotencyRetentionHours: 24,
  /** Largest page the list endpoints accept. */
  listPageSize: 100,
  /** Events API retention: older events are gone, so an older cursor needs a backfill. */
  eventRetentionSeconds: 30 * 24 * 3600,
  /** Global request rate per account. */
  opsPerSecond: { test: 25, live: 100 },
  /**
   * Share of the limit we actually use: requests leave evenly spaced but arrive with jitter, and a
   * window-based limiter counts arrivals, so pacing at exactly the limit still draws the odd 429.
   */
  pacingHeadroom: 0.9,
  /** Webhook signature timestamp tolerance used by stripe.webhooks.constructEvent. */
  webhookToleranceSeconds: 300,
  /** Metadata values are capped at 500 characters. */
  metadataValueMaxLength: 500,
  /** At most this many entries in the Events API `types[]` filter. */
  eventTypesFilterMax: 20,
} as const;
