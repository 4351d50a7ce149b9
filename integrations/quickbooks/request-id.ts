import { createHash } from 'node:crypto';
import { quickbooksLimits } from './limits.js';

/**
 * The `requestid` for a business key (STYLE.md B2 #7). Keys within QBO's limit pass through unchanged so
 * they stay readable in Intuit's logs; longer ones become a digest truncated to the limit.
 */
export function quickbooksRequestId(businessKey: string): string {
  if (businessKey.length === 0) throw new RangeError('An idempotency key must not be empty');
  const max = quickbooksLimits.requestIdMaxLength;
  return businessKey.length <= max ? businessKey : createHash('sha256').update(businessKey).digest('hex').slice(0, max);
}
