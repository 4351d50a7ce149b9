// The one format of Shortfall's signed links (approval, client response, invitation): base64url JSON claims, a dot,
// and an HMAC-SHA256 over a purpose prefix and the claims, compared in constant time. The purpose keeps a token of one
// kind from ever passing as another; each kind's claims are checked with its own schema, expiry included.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

export type TokenCheck<C> =
  { ok: true; claims: C } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; claims?: C };

const sign = (secret: string, purpose: string, body: string) =>
  createHmac('sha256', secret).update(`${purpose}.${body}`).digest();

export function sealToken(secret: string, purpose: string, claims: object): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${sign(secret, purpose, body).toString('base64url')}`;
}

export function openToken<S extends z.ZodType<{ exp: number }>>(
  secret: string,
  purpose: string,
  schema: S,
  token: string,
  nowMs: number,
): TokenCheck<z.infer<S>> {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = sign(secret, purpose, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let claims: z.infer<S>;
  try {
    claims = schema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}
