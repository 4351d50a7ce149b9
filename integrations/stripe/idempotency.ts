import { createHash } from 'node:crypto';
import { stripeLimits } from './limits.js';

/**
 * The Idempotency-Key for a business key. Keys within Stripe's limit pass through unchanged so they stay
 * readable in the Dashboard's request log; longer ones are replaced by a digest (STYLE.md B2 #7).
 */
export function stripeIdempotencyKey(businessKey: string): string {
  if (businessKey.length === 0) throw new RangeError('An idempotency key must not be empty');
  if (businessKey.length <= stripeLimits.idempotencyKeyMaxLength) return businessKey;
  return `sha256:${createHash('sha256').update(businessKey).digest('hex')}`;
}
