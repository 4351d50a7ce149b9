// Two processes on one QuickBooks realm: each has its own database pool and connector, as two workers would. With
// per-process pacing the realm sees both processes' budgets at once and Intuit answers 429; with the limiter shared
// through the database it sees one budget, and every request goes through.
import type Bottleneck from 'bottleneck';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRealmLimiter } from '../../../integrations/quickbooks/limiter.js';
import type { RateLimit } from '../../../integrations/quickbooks/limits.js';
import { openDatabase, type DatabaseHandle } from '../../../src/services/db/index.js';
import { createSharedRateLimiter } from '../../../src/services/limits/shared-limiter.js';
import { freshPostgresUrl } from '../../helpers/databases.js';
import { startHarness, type Harness } from '../quickbooks/harness.js';

let url: string;
let processes: DatabaseHandle[];
let h: Harness | undefined;

beforeAll(async () => {
  url = await freshPostgresUrl();
  // The first open migrates; the second process opens the migrated database, as a worker started later would.
  processes = [await openDatabase({ kind: 'postgres', url })];
  processes.push(await openDatabase({ kind: 'postgres', url }));
});
afterAll(async () => {
  for (const p of processes ?? []) await p.close();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const rejected = (outcomes: PromiseSettledResult<unknown>[]) =>
  outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));

/** Both processes read one invoice `each` times at once, each through its own limiter. */
async function twoProcesses(
  limit: RateLimit,
  limiters: [Bottleneck | object, Bottleneck | object],
  each: number,
  latencyMs = 60,
) {
  h = await startHarness({ rateLimit: limit, latencyMs });
  const { Id } = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 10 }] });
  const connectors = limiters.map((limiter) => h!.connector({ limiter: limiter as Bottleneck }));
  return Promise.allSettled(connectors.flatMap((c) => Array.from({ length: each }, () => c.getInvoice(Id))));
}

/** The process's database, counting the statements the limiter sends through it (a try for a slot, a release). */
function countingStatements(db: DatabaseHandle['db']) {
  let n = 0;
  const counting = new Proxy(db, {
    get: (target, prop, receiver) =>
      prop === 'execute'
        ? (...args: Parameters<typeof db.execute>) => {
            n++;
            return target.execute(...args);
          }
        : Reflect.get(target, prop, receiver),
  });
  return { db: counting, statements: () => n };
}

describe('provider limits shared by every process', () => {
  const limit = { requests: 12, perMs: 2_000, concurrent: 2 };

  it('per-process pacing lets two workers exceed the realm limits together (the problem)', async () => {
    const outcomes = await twoProcesses(limit, [createRealmLimiter(limit), createRealmLimiter(limit)], 12);
    expect(rejected(outcomes).length).toBeGreaterThan(0);
    expect(h!.sim.admin.throttleStats(h!.realmId).throttled).toBeGreaterThan(0);
  });

  it('a limiter shared through the database keeps two processes under the rate and concurrency together', async () => {
    const [a, b] = processes.map((p) => createSharedRateLimiter(p.db).forAccount('quickbooks', 'realm', limit));
    const outcomes = await twoProcesses(limit, [a!, b!], 12);
    expect(rejected(outcomes)).toEqual([]);
    expect(h!.sim.admin.throttleStats(h!.realmId)).toMatchObject({ accepted: 24, throttled: 0 });
  });

  it('keeps the requests in flight under the realm concurrency across processes', async () => {
    const fast = { requests: 1000, perMs: 1000, concurrent: 2 };
    const [a, b] = processes.map((p) => createSharedRateLimiter(p.db).forAccount('quickbooks', 'realm-c', fast));
    const outcomes = await twoProcesses(fast, [a!, b!], 8, 150);
    expect(rejected(outcomes)).toEqual([]);
    const stats = h!.sim.admin.throttleStats(h!.realmId);
    expect(stats).toMatchObject({ accepted: 16, throttled: 0 });
    expect(stats.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('a burst of requests on one account asks the database for a slot about twice each, not once per waiter a slot', async () => {
    // A sync pass or a catch-up opens many cases on one company at once: they wait for the pacer's slots. Counted
    // here: the statements the limiter sends (a try for a slot, or the release of a granted one).
    const paced = { requests: 12, perMs: 2_000, concurrent: 10 }; // a burst of 3, then a slot every 250 ms
    const { db: counting, statements } = countingStatements(processes[0]!.db);
    const account = createSharedRateLimiter(counting).forAccount('quickbooks', 'realm-burst', paced);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => account.schedule(async () => void order.push(i))));
    expect(order).toHaveLength(12);
    const tries = statements() - 12; // each granted request also released its lease
    // 3 go at once; each of the 9 paced ones asks once to learn its slot and once when it is due (a jittered wake may
    // rarely ask a third time). Every waiter asking at every slot took about 50 here.
    expect(tries).toBeGreaterThanOrEqual(12);
    expect(tries).toBeLessThanOrEqual(3 + 9 * 2 + 3);
  });

  it('a request paced a second or more away sleeps until its slot instead of polling for it', async () => {
    // Xero's 60 a minute spaces requests over a second apart; here a slot every 1,000 ms after a burst of 1.
    const slow = { requests: 5, perMs: 4_000, concurrent: 10 };
    const { db: counting, statements } = countingStatements(processes[0]!.db);
    const account = createSharedRateLimiter(counting).forAccount('xero', 'tenant-paced', slow);
    const started: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => account.schedule(async () => void started.push(Date.now()))));
    const tries = statements() - 4;
    // 1 at once; each of the 3 paced ones asks to learn its slot and once when due. Polling every 250 ms took 13–16.
    expect(tries).toBeLessThanOrEqual(1 + 3 * 2 + 2);
    // And the pacing held: the four started about 1 s apart (3 s from first to last).
    expect(started.at(-1)! - started[0]!).toBeGreaterThanOrEqual(2_900);
  });

  it("refuses the day's request past the daily limit as rate_limited, across processes", async () => {
    const day = { requests: 1000, perMs: 1000, perDay: 3 };
    const [a, b] = processes.map((p) => createSharedRateLimiter(p.db).forAccount('xero', 'tenant-day', day));
    await a!.schedule(async () => 1);
    await b!.schedule(async () => 2);
    await a!.schedule(async () => 3);
    await expect(b!.schedule(async () => 4)).rejects.toMatchObject({
      kind: 'rate_limited',
      details: expect.objectContaining({ code: 'daily_limit' }),
      message: expect.stringMatching(/Xero's daily limit of 3 API calls/),
    });
  });

  it('a slot held by a process that died frees itself when its lease runs out', async () => {
    const one = { requests: 1000, perMs: 1000, concurrent: 1 };
    const db = processes[0]!.db;
    // A process killed mid-request leaves its lease behind, unreleased and no longer renewed.
    await db.execute(sql`insert into provider_rate_limits (provider, account_id) values ('stripe', 'acct_dead')`);
    await db.execute(sql`
      insert into provider_rate_leases (provider, account_id, expires_at)
      values ('stripe', 'acct_dead', clock_timestamp() + interval '1500 milliseconds')`);
    const survivor = createSharedRateLimiter(processes[1]!.db).forAccount('stripe', 'acct_dead', one);
    const ran = await survivor.schedule(async () => {
      const [row] = (
        (await db.execute(sql`
        select count(*)::int as live from provider_rate_leases
        where account_id = 'acct_dead' and expires_at > clock_timestamp()`)) as unknown as { rows: { live: number }[] }
      ).rows;
      return row!.live;
    });
    expect(ran).toBe(1); // only the survivor's own lease is live while it runs
  });
});
