// Xero's Idempotency-Key: at most 128 characters, per tenant. One business key covers several writes (create,
// allocate, note), so each write gets its own suffix; an over-long business key is hashed first.
import { createHash } from 'node:crypto';
import { xeroLimits } from './limits.js';

export type WriteStep = 'create' | 'allocate' | 'history' | 'void';

export function xeroIdempotencyKey(requestKey: string, step: WriteStep): string {
  if (!requestKey) throw new RangeError('An idempotency key is required for Xero writes');
  const key = `${requestKey}/${step}`;
  if (key.length <= xeroLimits.idempotencyKeyMaxLength) return key;
  return `${createHash('sha256').update(requestKey).digest('hex')}/${step}`;
}
