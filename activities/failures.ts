// IntegrationError -> ApplicationFailure, once, at the activity boundary (STYLE.md B2 #8). Workflows branch on
// the failure type, never on message text. The types themselves live in workflows/failure-types.ts, where the
// workflows' retry policies read the same list.
import { ApplicationFailure } from '@temporalio/common';
import { isIntegrationError, type IntegrationErrorKind } from '../integrations/errors.js';
import { ConnectionUnusableError } from '../src/services/connections/fresh-auth.js';
import { ConnectionNotFoundError } from '../src/services/connections/records.js';
import { disconnectedFailureType, nonRetryableFailureTypes } from '../workflows/failure-types.js';

export {
  authFailureType,
  brokenConnectionFailureTypes,
  disconnectedFailureType,
  nonRetryableFailureTypes,
} from '../workflows/failure-types.js';

export const integrationFailureType = (kind: IntegrationErrorKind) => `integration.${kind}`;

// Retrying cannot fix bad credentials, a rejected payload or a missing record (auth, invalid, not_found): fail
// fast and let the workflow decide. Nor can it bring back a usage quota spent for the month (quota_exceeded): the
// failure is recorded at once (a sync's last error) instead of being retried for hours.
const isRetryable = (kind: IntegrationErrorKind) =>
  kind !== 'quota_exceeded' && !nonRetryableFailureTypes.includes(integrationFailureType(kind));

export function toActivityFailure(e: unknown): never {
  // A disconnected (or deleted) connection stays broken until the owner connects it again.
  if ((e instanceof ConnectionUnusableError && e.status === 'disconnected') || e instanceof ConnectionNotFoundError) {
    throw ApplicationFailure.create({
      type: disconnectedFailureType,
      message: e.message,
      cause: e,
      nonRetryable: true,
      details: [{ connectionId: e.connectionId }],
    });
  }
  if (!isIntegrationError(e)) throw e; // unknown errors keep the activity's retry policy
  const retryable = isRetryable(e.kind);
  throw ApplicationFailure.create({
    type: integrationFailureType(e.kind),
    message: e.message,
    cause: e,
    nonRetryable: !retryable,
    ...(retryable && e.retryAfterMs !== undefined && { nextRetryDelay: e.retryAfterMs }),
    details: [{ provider: e.details.provider, code: e.details.code, status: e.details.status }],
  });
}

/**
 * Runs a provider call (or a whole activity body) and translates its failure. Resolve the connection (tokens,
 * refresh) inside it too: a connection that needs reconnecting must fail as `integration.auth`, never be retried.
 */
export async function integrationCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return toActivityFailure(e);
  }
}
