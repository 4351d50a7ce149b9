// The embedded setup (PGlite, one process): the provider budget lives in memory, so a request waits for no
// transaction, and the realm still sees one paced budget. The day's count survives a restart through the database.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type Bottleneck from 'bottleneck';
import type { DatabaseHandle } from '../../../src/services/db/index.js';
import { createProcessRateLimiter } from '../../../src/services/limits/shared-limiter.js';
import { openPglite } from '../../helpers/databases.js';
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
    const first = createProcessRateLimiter(handle.db, { writeBackMs: 10 });
    const tenant = first.forAccount('xero', 'tenant-day', day);
    expect([await tenant.schedule(async () => 1), await tenant.schedule(async () => 2)]).toEqual([1, 2]);
    await first.flush(); // what the day's count is when the process stops
    const restarted = createProcessRateLimiter(handle.db).forAccount('xero', 'tenant-day', day);
    expect(await restarted.schedule(async () => 3)).toBe(3);
    await expect(restarted.schedule(async () => 4)).rejects.toMatchObject({
      kind: 'rate_limited',
      details: expect.objectContaining({ code: 'daily_limit' }),
      message: expect.stringMatching(/Xero's daily limit of 3 API calls/),
    });
  });
});
