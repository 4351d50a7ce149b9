// The client's response link, carried by every letter: an HMAC-signed token naming the case and the letter it came
// with, with an expiry. No account is needed; the signature proves we issued it, and the client_responses row
// makes it answer once per letter.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const Claims = z.object({ caseId: z.uuid(), letter: z.string().min(1).max(200), exp: z.number().int() });
export type ClientLinkClaims = z.infer<typeof Claims>;

export type ClientLinkCheck =
  { ok: true; claims: ClientLinkClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** A client answers a letter within weeks, not hours: the link lasts 60 days, one answer per letter. */
export const CLIENT_LINK_TTL_MS = 60 * 24 * 3_600_000;

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(`respond.v1.${body}`).digest();

export function issueClientLink(
  secret: string,
  c: Omit<ClientLinkClaims, 'exp'>,
  opts: { nowMs: number; ttlMs: number },
): string {
  const claims: ClientLinkClaims = { ...c, exp: Math.floor((opts.nowMs + opts.ttlMs) / 1000) };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

export function checkClientLink(secret: string, token: string, nowMs: number): ClientLinkCheck {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = sign(secret, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let claims: ClientLinkClaims;
  try {
    claims = Claims.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
