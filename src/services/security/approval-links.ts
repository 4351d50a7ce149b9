// Approval links: an HMAC-signed token naming the case, workflow and draft version, with an expiry.
// The signature proves we issued it; the approval_tokens row makes it single use.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const Claims = z.object({
  jti: z.string().min(16),
  caseId: z.string(),
  workflowId: z.string(),
  version: z.number().int().positive(),
  /** Who the link was emailed to: it decides only while that person is an owner (absent on older links). */
  to: z.string().optional(),
  exp: z.number().int(),
});
export type ApprovalClaims = z.infer<typeof Claims>;

export type TokenCheck =
  | { ok: true; claims: ApprovalClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; claims?: ApprovalClaims };

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(`approval.v1.${body}`).digest();

export function issueApprovalToken(
  secret: string,
  c: Omit<ApprovalClaims, 'jti' | 'exp'>,
  opts: { nowMs: number; ttlMs: number },
): { token: string; claims: ApprovalClaims } {
  const claims: ApprovalClaims = {
    ...c,
    jti: randomBytes(16).toString('base64url'),
    exp: Math.floor((opts.nowMs + opts.ttlMs) / 1000),
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { token: `${body}.${sign(secret, body).toString('base64url')}`, claims };
}

export function checkApprovalToken(secret: string, token: string, nowMs: number): TokenCheck {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = sign(secret, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let parsed: ApprovalClaims;
  try {
    parsed = Claims.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.exp * 1000 <= nowMs) return { ok: false, reason: 'expired', claims: parsed };
  return { ok: true, claims: parsed };
}
