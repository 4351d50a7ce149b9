// Magic sign-in links: 32 random bytes emailed once; only their SHA-256 is stored. A link works once, within
// 15 minutes. Consuming is one conditional UPDATE, so two tabs racing on the same link sign in at most once.
import { randomBytes } from 'node:crypto';
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../../../services/db/index.js';
import { signInTokens } from '../../../services/db/schema.js';
import { sha256Hex } from '../security/keys.js';

export const MAGIC_LINK_TTL_MS = 15 * 60_000;
/** Unused links per address per TTL window: stops the form being used to flood someone's inbox. */
const MAX_OPEN_LINKS = 5;

export type LinkCheck =
  | { readonly ok: true; readonly email: string }
  | { readonly ok: false; readonly reason: 'unknown' | 'used' | 'expired' };

export function createMagicLinks(db: Database, now: () => number) {
  async function classify(tokenHash: string): Promise<LinkCheck> {
    const [row] = await db.select().from(signInTokens).where(eq(signInTokens.tokenHash, tokenHash));
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.usedAt) return { ok: false, reason: 'used' };
    if (row.expiresAt.getTime() <= now()) return { ok: false, reason: 'expired' };
    return { ok: true, email: row.email };
  }

  return {
    /** The token to email, or undefined when this address already has too many open links. */
    async issue(email: string): Promise<string | undefined> {
      const [open] = await db
        .select({ n: count() })
        .from(signInTokens)
        .where(
          and(eq(signInTokens.email, email), isNull(signInTokens.usedAt), gt(signInTokens.expiresAt, new Date(now()))),
        );
      if ((open?.n ?? 0) >= MAX_OPEN_LINKS) return undefined;
      const token = randomBytes(32).toString('base64url');
      await db
        .insert(signInTokens)
        .values({ tokenHash: sha256Hex(token), email, expiresAt: new Date(now() + MAGIC_LINK_TTL_MS) });
      return token;
    },

    /** Looks without using the link: the confirmation page, which mail scanners may fetch, must not burn it. */
    peek: (token: string) => classify(sha256Hex(token)),

    async consume(token: string): Promise<LinkCheck> {
      const tokenHash = sha256Hex(token);
      const [row] = await db
        .update(signInTokens)
        .set({ usedAt: new Date(now()) })
        .where(
          and(
            eq(signInTokens.tokenHash, tokenHash),
            isNull(signInTokens.usedAt),
            gt(signInTokens.expiresAt, new Date(now())),
          ),
        )
        .returning();
      return row ? { ok: true, email: row.email } : classify(tokenHash);
    },
  };
}

export type MagicLinks = ReturnType<typeof createMagicLinks>;
