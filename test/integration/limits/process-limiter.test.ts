// The embedded setup (PGlite, one process): the provider budget lives in memory, so a request waits for no
// transaction, and the realm still sees one paced budget. The day's count survives a restart through the database.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type Bottleneck from 'bottleneck';
import type { DatabaseHandle } from '../../../src/services/db/index.js';
import { createProcessRateLimiter } from '../../../src/services/limits/shared-limiter.js';
import { openPglite } from '../../helpers/databases.js';
import { eventually } from '../../helpers/eventually.js';
import { startHarness, type Harness } from '../quickbooks/harness.js';

let handle: DatabaseHandle;
let h: Harness | undefined;

beforeAll(async () => {
  handle = await openPglite();
});
afterAll(async () => {
  await handle?.close();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('provider limits kept in memory for embedded PGlite', () => {
  it('paces a burst under the realm rate and concurrency: every request goes through', async () => {
    const limit = { requests: 12, perMs: 2_000, concurrent: 2 };
    h = await startHarness({ rateLimit: limit, latencyMs: 60 });
    const { Id } = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 10 }] });
    const limiter = createProcessRateLimiter(handle.db).forAccount('quickbooks', h.realmId, limit);
    const connector = h.connector({ limiter: limiter as unknown as Bottleneck });
    const outcomes = await Promise.allSettled(Array.from({ length: 24 }, () => connector.getInvoice(Id)));
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const stats = h.sim.admin.throttleStats(h.realmId);
    expect(stats).toMatchObject({ accepted: 24, throttled: 0 });
    expect(stats.maxInFlight).toBeLessThanOrEqual(2);
  });

  it("refuses the day's request past the daily limit, and a restarted process still knows the day's count", async () => {
    const day = { requests: 1000, perMs: 1000, perDay: 3 };
    const first = createProcessRateLimiter(handle.db, { writeBackMs: 50 });
    const tenant = first.forAccount('xero', 'tenant-day', day);
    expect(await tenant.schedule(async () => 1)).toBe(1);
    // Granted while the first count is on its way to the database: written by the next write-back, unflushed.
    expect(await tenant.schedule(async () => 2)).toBe(2);
    await eventually(
      async () =>
        (await handle.db.execute(
          sql`select day_count from provider_rate_limits where account_id = 'tenant-day'`,
        )) as unknown as { rows: { day_count: number }[] },
      (r) => r.rows[0]?.day_count === 2,
      "the day's count written back",
    );
    const restarted = createProcessRateLimiter(handle.db).forAccount('xero', 'tenant-day', day);
    expect(await restarted.schedule(async () => 3)).toBe(3);
    await expect(restarted.schedule(async () => 4)).rejects.toMatchObject({
      kind: 'rate_limited',
      details: expect.objectContaining({ code: 'daily_limit' }),
      message: expect.stringMatching(/Xero's daily limit of 3 API calls/),
    });
  });
});

it('writes the counts still in memory when the process stops (flush)', async () => {
  const limiter = createProcessRateLimiter(handle.db, { writeBackMs: 60_000 });
  await limiter.forAccount('stripe', 'acct_flush', { requests: 100, perMs: 1000 }).schedule(async () => undefined);
  await limiter.flush();
  const { rows } = (await handle.db.execute(
    sql`select day_count from provider_rate_limits where account_id = 'acct_flush'`,
  )) as unknown as { rows: { day_count: number }[] };
  expect(rows[0]?.day_count).toBe(1);
});
