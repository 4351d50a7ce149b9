// One APP_SECRET, separate keys per purpose: a value signed for one use is worthless for another.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type KeyPurpose = 'session-cookie' | 'csrf' | 'inbound-email' | 'invitation';

export function deriveKey(appSecret: string, purpose: KeyPurpose): Buffer {
  return createHmac('sha256', appSecret).update(`shortfall.${purpose}.v1`).digest();
}

/**
 * The value the mail provider sends in `X-Shortfall-Inbound-Secret`. Reproducible without Shortfall:
 * printf 'shortfall.inbound-email.v1' | openssl dgst -sha256 -hmac "$APP_SECRET"
 */
export const inboundEmailSecret = (appSecret: string) => deriveKey(appSecret, 'inbound-email').toString('hex');

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

/** Hashing both sides first gives equal lengths, so the comparison time says nothing about the secret. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}
