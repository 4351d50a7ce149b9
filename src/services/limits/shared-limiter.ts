// Provider rate limits counted in the database, so every process of a deployment (one server, any number of
// workers) shares one budget per provider account (the company, tenant or account a connection reaches).
//
// Each request first takes a slot in one statement (the database function provider_rate_acquire, migration 0021)
// that locks the account's row:
// - the rate: a cell-rate pacer (GCRA). The budget is `requests × headroom` a window (the headroom absorbs jitter
//   between our clock and theirs); a burst of up to a third of it (at most 10) may start at once after a quiet
//   spell, and past the burst requests start `perMs / (budget − (burst − 1))` apart. Then no window, however the
//   provider aligns it, sees more than the budget: a burst plus one window of spaced requests. A webhook's sync
//   pass (a handful of reads after a quiet spell) so runs at once instead of one spacing per request, and a
//   long backfill runs somewhat slower than even spacing would (2% at 450 a minute, 8% at 90 a second, about a
//   fifth at 54 a minute or 22 a second); the calls it makes are the same. `next_at` holds the theoretical
//   arrival time: a request may start once it is at most `(burst − 1)` spacings ahead of now;
// - concurrency: a lease per request in flight, renewed while it runs; a process that dies (SIGKILL) leaves a lease
//   that expires by itself;
// - the day: a count since the day's first request; past `perDay` the request fails at once as rate_limited
//   (the owner reads it as the connection's last error, and the next pass tries again).
// Time is the database's clock, the one clock every process agrees on.
import { randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { sql } from 'drizzle-orm';
import { IntegrationError } from '../../../integrations/errors.js';
import type { AccountLimits, RequestScheduler, SharedRateLimiter } from '../../../integrations/types.js';
import { providerLabel } from '../../../integrations/registry.js';
import type { ProviderKey } from '../../domain/model.js';
import type { Database } from '../db/index.js';

export interface SharedLimiterOptions {
  /** Share of the published rate actually used. */
  readonly headroom?: number;
  /** How long a lease lives without renewal; a dead process's slot frees after at most this long. */
  readonly leaseMs?: number;
  /** Longest pause between two tries while the account's slots are all taken. */
  readonly maxPollMs?: number;
}

const dayMs = 24 * 3600_000;

type Attempt =
  | { readonly kind: 'granted'; readonly lease: string }
  /** The pacer's next slot is `ms` away (the database's clock). */
  | { readonly kind: 'wait'; readonly ms: number }
  /** Every concurrent slot is taken: one frees when a request ends, at no time anyone knows. */
  | { readonly kind: 'busy' }
  | { readonly kind: 'day'; readonly retryAfterMs: number };

/** An account's row as the process limiter reads it. */
interface Row extends Record<string, unknown> {
  next_ms: string | number;
  day_ms: string | number;
  day_count: number;
}

const rowsOf = <R = Row>(result: unknown): R[] => (result as { rows: R[] }).rows;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The pacer's figures for an account's limits: the spacing past a burst, and how far ahead of now the next slot may
 * be when a request starts (`(burst − 1)` spacings), so that a burst plus one window of spaced requests stays
 * within `requests × headroom`.
 */
export function pacing(
  limits: Pick<AccountLimits, 'requests' | 'perMs'>,
  headroom: number,
): { spacingMs: number; burst: number; toleranceMs: number } {
  const budget = Math.max(1, Math.floor(limits.requests * headroom));
  const burst = Math.max(1, Math.min(10, Math.floor(budget / 3)));
  const spacingMs = Math.ceil(limits.perMs / Math.max(1, budget - (burst - 1)));
  return { spacingMs, burst, toleranceMs: (burst - 1) * spacingMs };
}

/**
 * GCRA: a request arriving at `nowMs` may start when the account's theoretical arrival time `nextMs` is at most
 * `toleranceMs` ahead; the next one is then due a spacing after the later of the two.
 */
export function nextSlot(
  nextMs: number,
  nowMs: number,
  p: { spacingMs: number; toleranceMs: number },
): { kind: 'wait'; ms: number } | { kind: 'go'; nextMs: number } {
  const wait = nextMs - p.toleranceMs - nowMs;
  return wait > 0 ? { kind: 'wait', ms: wait } : { kind: 'go', nextMs: Math.max(nextMs, nowMs) + p.spacingMs };
}

function dailyLimitReached(provider: ProviderKey, limits: AccountLimits, retryAfterMs: number): IntegrationError {
  const hours = Math.max(1, Math.ceil(retryAfterMs / 3600_000));
  return new IntegrationError(
    'rate_limited',
    `${providerLabel(provider)}'s daily limit of ${limits.perDay!.toLocaleString('en')} API calls for this ` +
      `account is used up; syncing resumes by itself in about ${hours} hour(s).`,
    { provider, retryAfterMs, code: 'daily_limit' },
  );
}

export function createSharedRateLimiter(db: Database, options: SharedLimiterOptions = {}): SharedRateLimiter {
  const headroom = options.headroom ?? 0.9;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxPollMs = options.maxPollMs ?? 250;
  const byAccount = new Map<string, RequestScheduler>();

  /**
   * One try for a slot: provider_rate_acquire (migration 0021) takes the account's row lock, counts the leases in
   * flight after it, checks the day, the pacer and the concurrency, and on success writes the lease and the pacer's
   * next slot, all in one statement: one round trip instead of a transaction of eight (issue 18: the worker's CPU
   * per case, most of it building, sending and reading statements).
   */
  async function attempt(provider: ProviderKey, accountId: string, limits: AccountLimits): Promise<Attempt> {
    const { spacingMs, toleranceMs } = pacing(limits, headroom);
    const lease = randomUUID();
    const [row] = rowsOf<{ outcome: 'granted' | 'wait' | 'busy' | 'day'; ms: string | number }>(
      await db.execute(sql`
        select outcome, ms from provider_rate_acquire(${provider}, ${accountId}, ${spacingMs}, ${toleranceMs},
          ${limits.perDay ?? null}::integer, ${limits.concurrent ?? null}::integer, ${lease}::uuid, ${leaseMs})`),
    );
    if (!row) throw new Error('provider_rate_acquire returned nothing');
    switch (row.outcome) {
      case 'granted':
        return { kind: 'granted', lease };
      case 'day':
        return { kind: 'day', retryAfterMs: Number(row.ms) };
      case 'busy':
        return { kind: 'busy' };
      case 'wait':
        return { kind: 'wait', ms: Number(row.ms) };
    }
  }

  async function acquire(provider: ProviderKey, accountId: string, limits: AccountLimits): Promise<string> {
    for (;;) {
      const a = await attempt(provider, accountId, limits);
      if (a.kind === 'granted') return a.lease;
      if (a.kind === 'day') throw dailyLimitReached(provider, limits, a.retryAfterMs);
      // The pacer's slot is a known time away: sleep until it (a shorter poll would only ask again to be told to
      // wait: six tries a request at 60 a minute). A full account is polled. A little jitter keeps the
      // processes waiting on one account from trying in lockstep.
      await sleep((a.kind === 'wait' ? a.ms : maxPollMs) + Math.random() * 20);
    }
  }

  const release = (lease: string) => db.execute(sql`delete from provider_rate_leases where id = ${lease}`);
  const renew = (lease: string) =>
    db.execute(sql`
      update provider_rate_leases set expires_at = clock_timestamp() + ${leaseMs} * interval '1 millisecond'
      where id = ${lease}`);

  function scheduler(provider: ProviderKey, accountId: string, limits: AccountLimits): RequestScheduler {
    // This process queues its own requests up to the account's concurrency before asking the database, so the
    // database sees at most that many of its requests at once; and only the first of them in line asks for a slot.
    // The pacer tells every waiter the same next slot, so waiters that all asked would all wake at that slot, one
    // would win and the rest ask again: a case burst on one company cost 17 tries a case where 2 do (issue 18).
    // In line, each request asks about twice (once to learn its wait, once when it is due); processes still share
    // the budget through the database.
    const local = new Bottleneck({ maxConcurrent: limits.concurrent ?? null });
    const inLine = new Bottleneck({ maxConcurrent: 1 });
    return {
      schedule: <T>(work: () => Promise<T>) =>
        local.schedule(async () => {
          const lease = await inLine.schedule(() => acquire(provider, accountId, limits));
          const renewing = setInterval(() => void renew(lease).catch(() => undefined), leaseMs / 3);
          renewing.unref();
          try {
            return await work();
          } finally {
            clearInterval(renewing);
            await release(lease).catch(() => undefined); // an unreleased lease expires by itself
          }
        }),
    };
  }

  return {
    forAccount(provider, accountId, limits) {
      const key = JSON.stringify([provider, accountId, limits]);
      let s = byAccount.get(key);
      if (!s) byAccount.set(key, (s = scheduler(provider, accountId, limits)));
      return s;
    },
  };
}

/**
 * The same budget for a database only this process can open (embedded PGlite: `npm start` runs the server and the
 * worker in one process): the pacer and the in-flight count live in memory, where every caller already is, so a
 * request waits for no transaction. The day's count is read from `provider_rate_limits` once per account and
 * written back at most once a second (and on `flush`), so a restart keeps it.
 */
export function createProcessRateLimiter(
  db: Database,
  options: Pick<SharedLimiterOptions, 'headroom'> & { readonly writeBackMs?: number } = {},
): SharedRateLimiter & { flush(): Promise<void> } {
  const headroom = options.headroom ?? 0.9;
  const writeBackMs = options.writeBackMs ?? 1_000;
  interface Account {
    readonly provider: ProviderKey;
    readonly accountId: string;
    nextMs: number;
    dayStartedMs: number;
    dayCount: number;
    dirty: boolean;
    writing?: Promise<void> | undefined;
  }
  const accounts = new Map<string, Promise<Account>>();
  const byAccount = new Map<string, RequestScheduler>();

  const load = (provider: ProviderKey, accountId: string): Promise<Account> => {
    const key = JSON.stringify([provider, accountId]);
    let a = accounts.get(key);
    if (!a) {
      a = (async () => {
        const [row] = rowsOf(
          await db.execute(sql`
            select floor(extract(epoch from next_at) * 1000) as next_ms,
              floor(extract(epoch from day_started_at) * 1000) as day_ms, day_count
            from provider_rate_limits where provider = ${provider} and account_id = ${accountId}`),
        );
        return {
          provider,
          accountId,
          nextMs: row ? Number(row.next_ms) : 0,
          dayStartedMs: row ? Number(row.day_ms) : Date.now(),
          dayCount: row?.day_count ?? 0,
          dirty: false,
        };
      })();
      a.catch(() => accounts.delete(key)); // a failed read is tried again by the next request
      accounts.set(key, a);
    }
    return a;
  };

  const write = (a: Account): Promise<void> => {
    const { provider, accountId } = a;
    a.dirty = false;
    return db
      .execute(
        sql`insert into provider_rate_limits (provider, account_id, next_at, day_started_at, day_count)
            values (${provider}, ${accountId}, to_timestamp(${a.nextMs} / 1000.0), to_timestamp(${a.dayStartedMs} / 1000.0), ${a.dayCount})
            on conflict (provider, account_id) do update set
              next_at = excluded.next_at, day_started_at = excluded.day_started_at, day_count = excluded.day_count`,
      )
      .then(() => undefined);
  };
  const writeBack = (a: Account) => {
    a.dirty = true;
    a.writing ??= new Promise((resolve) => setTimeout(resolve, writeBackMs).unref())
      .then(() => write(a))
      .then(
        () => {
          a.writing = undefined;
          if (a.dirty) writeBack(a); // granted while this write was on its way
        },
        () => {
          // Kept for the next grant's write (the budget itself lives in memory); never retried in a loop.
          a.writing = undefined;
          a.dirty = true;
        },
      );
  };

  async function acquire(provider: ProviderKey, accountId: string, limits: AccountLimits): Promise<void> {
    const p = pacing(limits, headroom);
    const a = await load(provider, accountId);
    for (;;) {
      const now = Date.now();
      if (now - a.dayStartedMs >= dayMs) {
        a.dayStartedMs = now;
        a.dayCount = 0;
      }
      if (limits.perDay !== undefined && a.dayCount >= limits.perDay)
        throw dailyLimitReached(provider, limits, a.dayStartedMs + dayMs - now);
      const slot = nextSlot(a.nextMs, now, p);
      if (slot.kind === 'go') {
        a.nextMs = slot.nextMs;
        a.dayCount += 1;
        writeBack(a);
        return;
      }
      await sleep(slot.ms);
    }
  }

  return {
    forAccount(provider, accountId, limits) {
      const key = JSON.stringify([provider, accountId, limits]);
      let s = byAccount.get(key);
      if (!s) {
        const local = new Bottleneck({ maxConcurrent: limits.concurrent ?? null });
        s = {
          schedule: <T>(work: () => Promise<T>) =>
            local.schedule(async () => {
              await acquire(provider, accountId, limits);
              return work();
            }),
        };
        byAccount.set(key, s);
      }
      return s;
    },
    async flush() {
      for (const loading of accounts.values()) {
        const a = await loading.catch(() => undefined);
        // Written now rather than after the pending write-back's delay; a write already on its way is harmless.
        if (a?.dirty) await write(a);
      }
    },
  };
}
