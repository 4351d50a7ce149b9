// Approval links: an HMAC-signed token naming the case, workflow and draft version, with an expiry.
// The signature proves we issued it; the approval_tokens row makes it single use.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { openToken, sealToken } from './signed-tokens.js';

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
  return { token: sealToken(secret, 'approval.v1', claims), claims };
}

export function checkApprovalToken(secret: string, token: string, nowMs: number): TokenCheck {
  return openToken(secret, 'approval.v1', Claims, token, nowMs);
}
