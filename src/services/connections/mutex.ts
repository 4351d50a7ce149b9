// Per-key mutual exclusion inside one process. PGlite is a single connection, so a row lock there cannot
// keep two callers of the same process apart; this does, and on Postgres it saves a wait on the row lock.

export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => fn());
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

const byDatabase = new WeakMap<object, KeyedMutex>();

/** One mutex per database handle, so two vaults over the same PGlite still exclude each other. */
export function mutexFor(db: object): KeyedMutex {
  let mutex = byDatabase.get(db);
  if (!mutex) byDatabase.set(db, (mutex = new KeyedMutex()));
  return mutex;
}
