// IntegrationError -> ApplicationFailure, once, at the activity boundary (STYLE.md B2 #8). Workflows branch on
// the failure type, never on message text.
import { ApplicationFailure } from '@temporalio/common';
import { isIntegrationError, type IntegrationErrorKind } from '../integrations/errors.js';

export { disconnectedFailureType } from '../workflows/connection-sync/definitions.js';

// Retrying cannot fix bad credentials, a rejected payload or a missing record: fail fast and let the workflow decide.
const nonRetryable: readonly IntegrationErrorKind[] = ['auth', 'invalid', 'not_found'];

export const integrationFailureType = (kind: IntegrationErrorKind) => `integration.${kind}`;

export function toActivityFailure(e: unknown): never {
  if (!isIntegrationError(e)) throw e; // unknown errors keep the default retry policy
  const retryable = !nonRetryable.includes(e.kind);
  throw ApplicationFailure.create({
    type: integrationFailureType(e.kind),
    message: e.message,
    cause: e,
    nonRetryable: !retryable,
    ...(retryable && e.retryAfterMs !== undefined && { nextRetryDelay: e.retryAfterMs }),
    details: [{ provider: e.details.provider, code: e.details.code, status: e.details.status }],
  });
}

/** Runs a provider call (or a whole activity body) and translates its failure. */
export async function integrationCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return toActivityFailure(e);
  }
}
