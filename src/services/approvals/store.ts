// Issued approval links and their single use. The token's signature is checked first (approval-links.ts);
// this row says whether it was already used and for which draft version.
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { approvalTokens } from '../db/schema.js';
import { issueApprovalToken, type ApprovalClaims } from '../security/approval-links.js';

export function createApprovalStore(db: Database, secret: string) {
  return {
    async issue(c: Omit<ApprovalClaims, 'jti' | 'exp'>, opts: { nowMs: number; ttlMs: number }): Promise<string> {
      const { token, claims } = issueApprovalToken(secret, c, opts);
      await db
        .insert(approvalTokens)
        .values({ jti: claims.jti, caseId: c.caseId, draftVersion: c.version, expiresAt: new Date(claims.exp * 1000) });
      return token;
    },
    async find(jti: string) {
      const [row] = await db.select().from(approvalTokens).where(eq(approvalTokens.jti, jti));
      return row;
    },
    /** Marks the link used; false when it was used already (by another tab, or a replayed request). */
    async consume(jti: string, at: Date): Promise<boolean> {
      const rows = await db
        .update(approvalTokens)
        .set({ usedAt: at })
        .where(and(eq(approvalTokens.jti, jti), isNull(approvalTokens.usedAt)))
        .returning();
      return rows.length === 1;
    },
  };
}

export type ApprovalStore = ReturnType<typeof createApprovalStore>;
