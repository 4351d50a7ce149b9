// Xero's published numbers in one place (reference/ledgers.md §2.3, §6.2, §8, §9), so they are easy to re-check.
// The simulator enforces the same numbers, so a test that passes against it respects production.
export interface XeroRateLimit {
  /** Requests in flight at once, per tenant. */
  readonly concurrent: number;
  /** Requests in any minute, per tenant. */
  readonly perMinute: number;
  /** Requests in any day, per tenant. */
  readonly perDay: number;
}

export const xeroLimits = {
  /** `Idempotency-Key` header: at most 128 characters (xero_accounting.yaml `idempotencyKey`). */
  idempotencyKeyMaxLength: 128,
  /** Largest `pageSize` we send: the spec gives no maximum; 1000 is reported by third parties (FACTS.md, unconfirmed). */
  maxPageSize: 1000,
  /** Per app and tenant; the daily figure is the tier's (xeroTiers below: Starter 1,000, others 5,000). */
  rateLimit: { concurrent: 5, perMinute: 60, perDay: 5000 } satisfies XeroRateLimit,
  /** Per app across all tenants. */
  appPerMinute: 10_000,
  /** What to wait after a 429 that carries no Retry-After. */
  rateLimitedBackoffMs: 60_000,
  /** Access tokens live 30 minutes. */
  accessTokenSeconds: 1800,
  /** A rotated refresh token may be used once more within this window, in case the response was lost. */
  refreshGraceMs: 30 * 60_000,
  /** An unused refresh token expires after this long (60 days per Xero staff; a 2020 post said 30: unconfirmed). */
  refreshIdleMs: 60 * 24 * 3600_000,
  /** History note `Details`: Xero's history-and-notes page gives 450 characters (not in the spec: unconfirmed). */
  historyNoteMaxLength: 450,
  /** Credit note `Reference`: kept to what Xero's UI shows in full (no limit in the spec: unconfirmed). */
  referenceMaxLength: 255,
  /** Webhook receivers must answer within 5 seconds with an empty body. */
  webhookAckMs: 5000,
} as const;

/** Xero's 2026 app tiers (integrations/xero/FACTS.md): connected organisations and daily calls per organisation. */
export const xeroTiers = {
  starter: { label: 'Starter', connections: 5, perDay: 1000 },
  core: { label: 'Core', connections: 50, perDay: 5000 },
  plus: { label: 'Plus', connections: 1000, perDay: 5000 },
  advanced: { label: 'Advanced', connections: 10_000, perDay: 5000 },
  enterprise: { label: 'Enterprise', connections: Number.POSITIVE_INFINITY, perDay: 5000 },
} as const;
export type XeroTier = keyof typeof xeroTiers;
export const xeroTierNames = Object.keys(xeroTiers) as XeroTier[];

/** An app's tier as configured, with the operator's overrides (XERO_TIER, XERO_DAILY_CALL_LIMIT, XERO_CONNECTION_LIMIT). */
export interface XeroTierLimits {
  readonly tier: XeroTier;
  readonly label: string;
  readonly connections: number;
  readonly perDay: number;
}

export function xeroTierLimits(
  tier: XeroTier = 'starter',
  overrides: { perDay?: number | undefined; connections?: number | undefined } = {},
): XeroTierLimits {
  const t = xeroTiers[tier];
  return {
    tier,
    label: t.label,
    connections: overrides.connections ?? t.connections,
    perDay: overrides.perDay ?? t.perDay,
  };
}

/** Apps created on or after this day get only the granular scopes (developer.xero.com/faq/granular-scopes). */
export const xeroGranularScopesFrom = '2026-03-02';
/** Broad scopes a new app may not request. */
export const xeroBroadOnlyScopes = [
  'accounting.transactions',
  'accounting.transactions.read',
  'accounting.reports.read',
] as const;
