// IntegrationError -> ApplicationFailure, once, at the activity boundary (STYLE.md B2 #8).
import { ApplicationFailure } from '@temporalio/common';
import { IntegrationError } from '../integrations/errors.js';

// Retrying cannot fix bad credentials, a rejected payload or a missing record: fail fast and let the workflow decide.
const nonRetryable = new Set(['auth', 'invalid', 'not_found']);

export function toActivityFailure(e: unknown): never {
  if (!(e instanceof IntegrationError)) throw e;
  throw ApplicationFailure.create({
    type: `integration.${e.kind}`,
    message: e.message,
    cause: e,
    nonRetryable: nonRetryable.has(e.kind),
    ...(e.retryAfterMs !== undefined ? { nextRetryDelay: e.retryAfterMs } : {}),
  });
}

/** Runs a provider call and translates its failure. */
export async function integrationCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return toActivityFailure(e);
  }
}
