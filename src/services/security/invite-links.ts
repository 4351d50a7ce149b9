// Invitation links: an HMAC-signed token naming the invitation (its jti), the organisation, the invited address and
// role, with an expiry. The signature proves we issued it; the invitations row makes it single use and revocable.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const Claims = z.object({
  jti: z.string().min(16),
  organisationId: z.string(),
  email: z.string(),
  role: z.enum(['owner', 'bookkeeper', 'viewer']),
  exp: z.number().int(),
});
export type InviteClaims = z.infer<typeof Claims>;

export type InviteCheck =
  { ok: true; claims: InviteClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export const INVITE_TTL_MS = 7 * 86_400_000;

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(`invitation.v1.${body}`).digest();

export function issueInviteToken(
  secret: string,
  c: Omit<InviteClaims, 'jti' | 'exp'>,
  opts: { nowMs: number; ttlMs?: number },
): { token: string; claims: InviteClaims } {
  const claims: InviteClaims = {
    ...c,
    jti: randomBytes(16).toString('base64url'),
    exp: Math.floor((opts.nowMs + (opts.ttlMs ?? INVITE_TTL_MS)) / 1000),
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { token: `${body}.${sign(secret, body).toString('base64url')}`, claims };
}

export function checkInviteToken(secret: string, token: string, nowMs: number): InviteCheck {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = sign(secret, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let parsed: InviteClaims;
  try {
    parsed = Claims.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims: parsed };
}
