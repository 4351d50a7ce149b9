// What the Stripe provider keeps per connected account between activities (its SDK client, its pacer, its invoice
// links), bounded: the least recently used account goes first past `max`, and an account unused for `idleMs` is
// dropped the next time any account is used, so a worker serving many accounts stays small and a key the merchant
// disconnected (in another process, which cannot tell this one) leaves its memory. A disconnect in this process
// drops the account at once (`delete`). A Map keeps insertion order; re-inserting on use makes it LRU order.

export interface AccountCacheOptions {
  /** Most accounts kept at once. */
  readonly max?: number;
  /** An account unused this long is dropped. */
  readonly idleMs?: number;
  readonly now?: () => number;
}

export const accountCacheDefaults = { max: 200, idleMs: 30 * 60_000 } as const;

export interface AccountCache<T> {
  /** The account's entry, made now if it has none (or it was dropped). */
  get(accountId: string): T;
  /** The account's entry if kept, without making one or counting as a use. */
  peek(accountId: string): T | undefined;
  delete(accountId: string): boolean;
  readonly size: number;
}

export function createAccountCache<T>(make: (accountId: string) => T, o: AccountCacheOptions = {}): AccountCache<T> {
  const max = o.max ?? accountCacheDefaults.max;
  const idleMs = o.idleMs ?? accountCacheDefaults.idleMs;
  const now = o.now ?? Date.now;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`account cache max must be a positive integer: ${max}`);
  const entries = new Map<string, { value: T; usedAt: number }>();
  return {
    get(accountId) {
      const at = now();
      // Oldest first: drop the idle ones from the front until one was used recently.
      for (const [id, e] of entries) {
        if (at - e.usedAt < idleMs) break;
        entries.delete(id);
      }
      const kept = entries.get(accountId);
      entries.delete(accountId);
      const value = kept ? kept.value : make(accountId);
      entries.set(accountId, { value, usedAt: at });
      if (entries.size > max) entries.delete(entries.keys().next().value!);
      return value;
    },
    peek: (accountId) => entries.get(accountId)?.value,
    delete: (accountId) => entries.delete(accountId),
    get size() {
      return entries.size;
    },
  };
}
