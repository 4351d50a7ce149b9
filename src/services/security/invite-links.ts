// Invitation links: an HMAC-signed token naming the invitation (its jti), the organisation, the invited address and
// role, with an expiry. The signature proves we issued it; the invitations row makes it single use and revocable.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { openToken, sealToken } from './signed-tokens.js';

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
  return { token: sealToken(secret, 'invitation.v1', claims), claims };
}

export function checkInviteToken(secret: string, token: string, nowMs: number): InviteCheck {
  return openToken(secret, 'invitation.v1', Claims, token, nowMs);
}
