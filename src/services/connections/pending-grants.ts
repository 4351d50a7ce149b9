// A grant that reaches several organisations waits here while the owner picks which to connect. The
// grant is sealed like connection tokens and bound to its row; it is usable once, for ten minutes, and only by
// the user whose callback produced it.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, lte, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { OAuthGrant } from '../../../integrations/types.js';
import type { Database } from '../db/index.js';
import { pendingGrants } from '../db/schema.js';
import { isProviderKey } from '../../../integrations/registry.js';
import type { ProviderKey } from '../../domain/model.js';
import { open, seal, type KeyRing } from '../security/cipher.js';
import { StoredTokens } from './tokens.js';

const StoredGrant = z.object({
  tokens: StoredTokens,
  accounts: z.array(z.object({ accountId: z.string(), name: z.string() })).min(1),
});

export interface PendingGrant {
  readonly id: string;
  readonly provider: ProviderKey;
  readonly sandbox: boolean;
  readonly expiresAt: string;
  readonly grant: OAuthGrant;
}

export type PendingGrantCheck =
  | { readonly ok: true; readonly pending: PendingGrant }
  | { readonly ok: false; readonly reason: 'unknown' | 'used' | 'expired' };

const digest = (value: string) => createHash('sha256').update(value).digest();
const sameUser = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export function createPendingGrantStore(deps: { db: Database; keyRing: KeyRing; now?: () => number; ttlMs?: number }) {
  const { db, keyRing } = deps;
  const now = deps.now ?? Date.now;
  const ttlMs = deps.ttlMs ?? 10 * 60_000;

  function unseal(row: typeof pendingGrants.$inferSelect): PendingGrant {
    const provider = isProviderKey(row.provider) ? row.provider : undefined;
    if (!provider) throw new Error(`Pending grant ${row.id} has unknown provider ${row.provider}`);
    const grant = StoredGrant.parse(JSON.parse(open(keyRing, { keyId: row.keyId, ciphertext: row.sealed }, row.id)));
    return { id: row.id, provider, sandbox: row.sandbox, expiresAt: row.expiresAt.toISOString(), grant };
  }

  function check(row: typeof pendingGrants.$inferSelect | undefined, userId: string): PendingGrantCheck {
    // Another user's grant is reported exactly like a missing one: its existence is not theirs to learn.
    if (!row || !sameUser(row.userId, userId)) return { ok: false, reason: 'unknown' };
    if (row.usedAt) return { ok: false, reason: 'used' };
    if (row.expiresAt.getTime() <= now()) return { ok: false, reason: 'expired' };
    return { ok: true, pending: unseal(row) };
  }

  async function save(input: {
    userId: string;
    provider: ProviderKey;
    grant: OAuthGrant;
    sandbox: boolean;
  }): Promise<string> {
    const id = randomUUID();
    const sealed = seal(keyRing, JSON.stringify({ tokens: input.grant.tokens, accounts: input.grant.accounts }), id);
    await db.insert(pendingGrants).values({
      id,
      userId: input.userId,
      provider: input.provider,
      sealed: sealed.ciphertext,
      keyId: sealed.keyId,
      sandbox: input.sandbox,
      expiresAt: new Date(now() + ttlMs),
    });
    return id;
  }

  /** Reads without using it up: the choice page, and a form sent back with a mistake, both look first. */
  async function peek(id: string, userId: string): Promise<PendingGrantCheck> {
    const [row] = await db.select().from(pendingGrants).where(eq(pendingGrants.id, id));
    return check(row, userId);
  }

  /**
   * Uses the grant up: of two concurrent submissions, one gets it and the other is told it was used. The caller
   * then either finishes (the sealed tokens are wiped from the table) or gives it back when storing failed.
   */
  async function take(id: string, userId: string): Promise<PendingGrantCheck> {
    const seen = await peek(id, userId);
    if (!seen.ok) return seen;
    const won = await db
      .update(pendingGrants)
      .set({ usedAt: new Date(now()) })
      .where(and(eq(pendingGrants.id, id), isNull(pendingGrants.usedAt)))
      .returning({ id: pendingGrants.id });
    return won.length > 0 ? seen : { ok: false, reason: 'used' };
  }

  async function finish(id: string): Promise<void> {
    await db.update(pendingGrants).set({ sealed: '' }).where(eq(pendingGrants.id, id));
  }

  /** After a failure storing what it was used for: the owner may submit the same choice again. */
  async function giveBack(id: string): Promise<void> {
    await db
      .update(pendingGrants)
      .set({ usedAt: null })
      .where(and(eq(pendingGrants.id, id), ne(pendingGrants.sealed, '')));
  }

  // src/services/security/housekeeping.ts wipes the tokens of expired grants hourly and drops used and expired rows a day
  // later, so a second submit of the choice still hears "already chosen".
  /** Choices the owner walked away from, each claimed once (of two sweepers, one gets it) while its tokens remain. */
  async function takeExpired(limit = 20): Promise<PendingGrant[]> {
    const at = new Date(now());
    const rows = await db
      .select()
      .from(pendingGrants)
      .where(and(lte(pendingGrants.expiresAt, at), isNull(pendingGrants.usedAt), ne(pendingGrants.sealed, '')))
      .limit(limit);
    const taken: PendingGrant[] = [];
    for (const row of rows) {
      const won = await db
        .update(pendingGrants)
        .set({ usedAt: at })
        .where(and(eq(pendingGrants.id, row.id), isNull(pendingGrants.usedAt)))
        .returning({ id: pendingGrants.id });
      if (won.length > 0) taken.push(unseal(row));
    }
    return taken;
  }

  return { save, peek, take, finish, giveBack, takeExpired };
}

export type PendingGrantStore = ReturnType<typeof createPendingGrantStore>;
