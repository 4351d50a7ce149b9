// One error taxonomy for every provider (STYLE.md B2 #8); activities/failures.ts maps it to Temporal.
/**
 * `quota_exceeded`: a usage allowance for a whole period is spent (QuickBooks' monthly metered reads); unlike
 * `rate_limited`, waiting seconds or minutes cannot help, so it is never retried.
 */
export type IntegrationErrorKind =
  'auth' | 'rate_limited' | 'quota_exceeded' | 'invalid' | 'not_found' | 'transient' | 'conflict';

export interface IntegrationErrorDetails {
  readonly provider?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly code?: string;
}

export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  /** What callers branch on. The SDK's own error is only `cause`. */
  readonly details: IntegrationErrorDetails;

  /**
   * `cause` (the SDK's raw error) goes to Error.cause, which is not enumerable: an SDK error can carry the
   * request it failed on, bearer token included, and a logger serialising this error's fields must not reach it.
   */
  constructor(
    readonly kind: IntegrationErrorKind,
    message: string,
    details: IntegrationErrorDetails & { readonly cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    const { cause: _cause, ...safe } = details;
    this.details = safe;
  }
  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

export const isIntegrationError = (e: unknown): e is IntegrationError => e instanceof IntegrationError;
