import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../../integrations/errors.js';
import { toIntegrationError } from '../../../../integrations/stripe/errors.js';

const E = Stripe.errors;
const kindOf = (e: unknown) => {
  const mapped = toIntegrationError(e);
  return mapped instanceof IntegrationError ? mapped.kind : 'unmapped';
};

describe('StripeError → IntegrationError', () => {
  it.each([
    ['authentication', new E.StripeAuthenticationError({ message: 'Invalid API Key provided' }), 'auth'],
    [
      'permission (restricted key)',
      new E.StripePermissionError({ message: 'does not have the required permissions' }),
      'auth',
    ],
    ['rate limit', new E.StripeRateLimitError({ message: 'Too many requests', code: 'rate_limit' }), 'rate_limited'],
    [
      'missing resource',
      new E.StripeInvalidRequestError({ message: "No such invoice: 'in_1'", code: 'resource_missing' }),
      'not_found',
    ],
    [
      'bad parameter',
      new E.StripeInvalidRequestError({ message: 'Invalid integer', code: 'parameter_invalid_integer' }),
      'invalid',
    ],
    [
      'idempotency conflict',
      new E.StripeIdempotencyError({ message: 'Keys for idempotent requests…', type: 'idempotency_error' }),
      'conflict',
    ],
    ['server error', new E.StripeAPIError({ message: 'Something went wrong' }), 'transient'],
    ['connection', new E.StripeConnectionError({ message: 'socket hang up' }), 'transient'],
    ['lock timeout', new E.StripeInvalidRequestError({ message: 'lock timeout', code: 'lock_timeout' }), 'transient'],
    ['revoked OAuth grant', new E.StripeInvalidGrantError({ message: 'Refresh token does not exist' }), 'auth'],
  ])('%s', (_name, error, kind) => {
    expect(kindOf(error)).toBe(kind);
  });

  it('keeps retry advice: Retry-After on a 429, and Stripe-Should-Retry: false stops retries of a 5xx', () => {
    const limited = toIntegrationError(
      new E.StripeRateLimitError({ message: 'slow down', headers: { 'retry-after': '3' }, statusCode: 429 }),
    ) as IntegrationError;
    expect(limited.retryAfterMs).toBe(3000);
    expect(limited.details.status).toBe(429);
    expect(kindOf(new E.StripeAPIError({ message: 'failed', headers: { 'stripe-should-retry': 'false' } }))).toBe(
      'invalid',
    );
  });

  it('leaves errors that are not Stripe’s alone', () => {
    const bug = new TypeError('undefined is not a function');
    expect(toIntegrationError(bug)).toBe(bug);
  });
});
