// One error taxonomy for every provider (STYLE.md B2 #8); activities/failures.ts maps it to Temporal.
export type IntegrationErrorKind = 'auth' | 'rate_limited' | 'invalid' | 'not_found' | 'transient' | 'conflict';

export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  constructor(
    readonly kind: IntegrationErrorKind,
    message: string,
    readonly details: { provider?: string; status?: number; retryAfterMs?: number; code?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }
  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

export const isIntegrationError = (e: unknown): e is IntegrationError => e instanceof IntegrationError;
