// The activity failure types workflows branch on, in one place. Plain constants with no imports, so workflows
// (sandboxed: eslint.config.js) and activities/failures.ts (which raises them) share the very same strings.

/** The provider refused our credentials, or the connection needs reconnecting (needs_reconnect, invalid_grant). */
export const authFailureType = 'integration.auth';
/** The owner disconnected the connection (or it no longer exists): only a reconnect brings it back. */
export const disconnectedFailureType = 'connection.disconnected';
export const invalidFailureType = 'integration.invalid';
export const notFoundFailureType = 'integration.not_found';

/**
 * Failures retrying cannot fix: list them in every activity retry policy's `nonRetryableErrorTypes`. The
 * activities also raise them as non-retryable, so each is attempted exactly once.
 */
export const nonRetryableFailureTypes: readonly string[] = [
  authFailureType,
  invalidFailureType,
  notFoundFailureType,
  disconnectedFailureType,
];

/** The subset that means the connection is broken: the case waits for the owner to reconnect, then carries on. */
export const brokenConnectionFailureTypes: readonly string[] = [authFailureType, disconnectedFailureType];
