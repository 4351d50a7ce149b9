// The client's response link, carried by every letter: an HMAC-signed token naming the case and the letter it came
// with, with an expiry. No account is needed; the signature proves we issued it, and the client_responses row
// makes it answer once per letter.
import { openToken, sealToken } from './signed-tokens.js';
import { z } from 'zod';

const Claims = z.object({ caseId: z.uuid(), letter: z.string().min(1).max(200), exp: z.number().int() });
export type ClientLinkClaims = z.infer<typeof Claims>;

export type ClientLinkCheck =
  { ok: true; claims: ClientLinkClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** A client answers a letter within weeks, not hours: the link lasts 60 days, one answer per letter. */
export const CLIENT_LINK_TTL_MS = 60 * 24 * 3_600_000;

export function issueClientLink(
  secret: string,
  c: Omit<ClientLinkClaims, 'exp'>,
  opts: { nowMs: number; ttlMs: number },
): string {
  const claims: ClientLinkClaims = { ...c, exp: Math.floor((opts.nowMs + opts.ttlMs) / 1000) };
  return sealToken(secret, 'respond.v1', claims);
}

export function checkClientLink(secret: string, token: string, nowMs: number): ClientLinkCheck {
  return openToken(secret, 'respond.v1', Claims, token, nowMs);
}
