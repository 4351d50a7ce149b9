// StripeError → IntegrationError, translated once here (STYLE.md B2 #8).
import Stripe from 'stripe';
import { z } from 'zod';
import { MoneyRangeError, UnknownCurrencyError } from '../../src/domain/money.js';
import { IntegrationError, type IntegrationErrorKind } from '../errors.js';
import { StripeAmountError } from './currency.js';

const provider = 'stripe';
const defaultRateLimitBackoffMs = 1000;
const E = Stripe.errors;

function retryAfterMs(headers: Record<string, string> | undefined): number {
  const seconds = Number(headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : defaultRateLimitBackoffMs;
}

function kindOf(e: Stripe.errors.StripeError): IntegrationErrorKind {
  if (e instanceof E.StripeRateLimitError) return 'rate_limited';
  if (e instanceof E.StripeAuthenticationError || e instanceof E.StripePermissionError) return 'auth';
  if (e instanceof E.StripeInvalidGrantError || e instanceof E.StripeInvalidClientError) return 'auth';
  if (e.rawType === 'idempotency_error') return e.code === 'idempotency_key_in_use' ? 'transient' : 'conflict';
  if (e.code === 'lock_timeout') return 'transient';
  if (e instanceof E.StripeInvalidRequestError) return e.code === 'resource_missing' ? 'not_found' : 'invalid';
  if (e instanceof E.StripeAPIError || e instanceof E.StripeConnectionError) {
    // Stripe says a retry cannot succeed (e.g. the request already failed permanently): stop retrying.
    return e.headers?.['stripe-should-retry'] === 'false' ? 'invalid' : 'transient';
  }
  return 'invalid'; // card errors, OAuth request errors, signature errors: retrying the same call won't help
}

function fromStripe(e: Stripe.errors.StripeError): IntegrationError {
  const kind = kindOf(e);
  return new IntegrationError(kind, `Stripe: ${e.message}`, {
    provider,
    cause: e,
    ...(e.statusCode !== undefined && { status: e.statusCode }),
    ...(e.code !== undefined && { code: e.code }),
    ...(kind === 'rate_limited' && { retryAfterMs: retryAfterMs(e.headers) }),
  });
}

/** Maps Stripe and payload errors; anything else (our own bugs) is returned unchanged. */
export function toIntegrationError(e: unknown): unknown {
  if (e instanceof IntegrationError) return e;
  if (e instanceof E.StripeError) return fromStripe(e);
  if (e instanceof z.ZodError) {
    return new IntegrationError('invalid', `Stripe returned an unexpected payload: ${z.prettifyError(e)}`, {
      provider,
      cause: e,
    });
  }
  if (e instanceof StripeAmountError || e instanceof UnknownCurrencyError || e instanceof MoneyRangeError) {
    return new IntegrationError('invalid', `Stripe amount cannot be represented: ${e.message}`, { provider, cause: e });
  }
  return e;
}

export async function withStripeErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toIntegrationError(e);
  }
}
