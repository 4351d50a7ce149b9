// Signature helpers shared by the webhook verifiers: HMAC over the raw bytes, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(secret: string, raw: Buffer, encoding: 'base64' | 'hex'): string {
  return createHmac('sha256', secret).update(raw).digest(encoding);
}

/** Constant time for equal lengths; a length mismatch returns early, which reveals only the length. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The single value of a header; repeated headers are ambiguous, so they count as missing. */
export function singleHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}
