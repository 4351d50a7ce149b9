// Intuit's per-realm throttle, enforced by the simulator, against the connector with and without its pacing.
import Bottleneck from 'bottleneck';
import { afterEach, describe, expect, it } from 'vitest';
import { createRealmLimiter } from '../../../integrations/quickbooks/limiter.js';
import type { RateLimit } from '../../../integrations/quickbooks/limits.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h.close());

async function burst(limit: RateLimit, limiter: Bottleneck, size: number, latencyMs = 0) {
  h = await startHarness({ rateLimit: limit, latencyMs });
  const { Id } = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 10 }] });
  const connector = h.connector({ limiter });
  return Promise.allSettled(Array.from({ length: size }, () => connector.getInvoice(Id)));
}

const rejected = (outcomes: PromiseSettledResult<unknown>[]) =>
  outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));

describe('QuickBooks rate limits', () => {
  it("surfaces Intuit's 429 as rate_limited with its 60-second backoff", async () => {
    const outcomes = await burst({ requests: 5, perMs: 60_000, concurrent: 10 }, new Bottleneck(), 8);

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    expect(rejected(outcomes)).toEqual(
      Array(3).fill(
        expect.objectContaining({
          kind: 'rate_limited',
          retryAfterMs: 60_000,
          details: expect.objectContaining({ status: 429, code: '3001' }),
        }),
      ),
    );
  });

  it('paces a burst under the per-realm request rate', async () => {
    const limit = { requests: 20, perMs: 1000, concurrent: 10 };

    const outcomes = await burst(limit, createRealmLimiter(limit), 45);

    expect(rejected(outcomes)).toEqual([]);
    expect(h.sim.admin.throttleStats(h.realmId)).toMatchObject({ accepted: 45, throttled: 0 });
  });

  it('keeps at most the allowed number of requests in flight', async () => {
    const limit = { requests: 1000, perMs: 1000, concurrent: 3 };

    const unpaced = await burst(limit, new Bottleneck(), 12, 100);
    expect(rejected(unpaced).length).toBeGreaterThan(0);
    await h.close();

    const paced = await burst(limit, createRealmLimiter(limit), 12, 100);
    expect(rejected(paced)).toEqual([]);
    expect(h.sim.admin.throttleStats(h.realmId)).toMatchObject({ throttled: 0, maxInFlight: 3 });
  });
});
