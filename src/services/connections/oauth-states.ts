// OAuth `state`: a random value bound to the user and provider that started the flow, valid for ten minutes
// and usable once. Only its SHA-256 is stored, so a database read cannot be replayed as a callback, and the
// lookup by digest means index timing reveals hash prefixes, never the secret; the binding is compared in
// constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { oauthStates } from '../db/schema.js';
import type { ProviderKey } from '../../domain/model.js';

export type StateCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'unknown' | 'used' | 'expired' | 'mismatch' };

const digest = (value: string) => createHash('sha256').update(value).digest();
/** Both sides hashed first: equal lengths, and the comparison time says nothing about the secret. */
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export function createOAuthStateStore(deps: { db: Database; now?: () => number; ttlMs?: number }) {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const ttlMs = deps.ttlMs ?? 10 * 60_000;

  async function issue(input: { userId: string; provider: ProviderKey }): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await db.insert(oauthStates).values({
      state: digest(state).toString('hex'),
      userId: input.userId,
      provider: input.provider,
      expiresAt: new Date(now() + ttlMs),
    });
    return state;
  }

  /** Burns the state whatever the outcome, so a guessed or stolen value is worth one attempt at most. */
  async function consume(input: { state: string; userId: string; provider: ProviderKey }): Promise<StateCheck> {
    const key = digest(input.state).toString('hex');
    const [row] = await db
      .update(oauthStates)
      .set({ usedAt: new Date(now()) })
      .where(and(eq(oauthStates.state, key), isNull(oauthStates.usedAt)))
      .returning();
    if (!row) {
      const [seen] = await db.select({ state: oauthStates.state }).from(oauthStates).where(eq(oauthStates.state, key));
      return { ok: false, reason: seen ? 'used' : 'unknown' };
    }
    if (row.expiresAt.getTime() <= now()) return { ok: false, reason: 'expired' };
    const bound = sameSecret(row.userId, input.userId) && sameSecret(row.provider, input.provider);
    return bound ? { ok: true } : { ok: false, reason: 'mismatch' };
  }

  // Expired and used states are dropped by src/services/security/housekeeping.ts, a day later.
  return { issue, consume };
}

export type OAuthStateStore = ReturnType<typeof createOAuthStateStore>;
