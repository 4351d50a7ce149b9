import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { TenantLimiter } from '../../../integrations/xero/limiter.js';
import { xeroLimits } from '../../../integrations/xero/limits.js';
import { apiRequests, harbour, kestrel, startHarness, testLimits, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(() => {
  h.clock.advance(24 * 3600_000); // a fresh minute and day for every test
  h.sim.admin.setRateLimits({ perMinute: 60, perDay: 5000, concurrent: 5 });
  h.sim.admin.setLatency(0);
});
afterAll(() => h.close());

const unknownInvoice = '00000000-0000-4000-8000-000000000000';
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('Xero rate limits', () => {
  it('turns a 429 into rate_limited with Xero’s Retry-After and the limit that was hit', async () => {
    h.sim.admin.setRateLimits({ perMinute: 2 });
    const connector = h.connector(harbour);
    await connector.getInvoice(unknownInvoice);
    h.clock.advance(15_000);
    await connector.getInvoice(unknownInvoice);
    const error = await failure(connector.getInvoice(unknownInvoice));
    expect(error).toBeInstanceOf(IntegrationError);
    // The oldest of the two requests leaves the rolling minute 45 seconds from now.
    expect(error).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 45_000,
      details: { status: 429, code: 'rate_limit_minute' },
    });
  });

  it('holds the tenant’s next calls until Retry-After has passed, without sending them', async () => {
    h.sim.admin.setRateLimits({ perMinute: 1 });
    const connector = h.connector(harbour);
    await connector.getInvoice(unknownInvoice);
    await failure(connector.getInvoice(unknownInvoice));
    const sent = apiRequests(h.sim, '').length;
    const held = await failure(connector.getInvoice(unknownInvoice));
    expect(held).toMatchObject({ kind: 'rate_limited', details: { code: 'client_limit' } });
    expect((held as IntegrationError).retryAfterMs).toBeGreaterThan(0);
    expect(apiRequests(h.sim, '')).toHaveLength(sent);
    h.clock.advance(61_000);
    await expect(connector.getInvoice(unknownInvoice)).resolves.toBeNull();
  });

  it('reads the remaining minute and day allowance from every answer', async () => {
    const limiter = new TenantLimiter(testLimits, h.clock);
    const connector = h.connector(kestrel, { limiter });
    await connector.getInvoice(unknownInvoice);
    await connector.getInvoice(unknownInvoice);
    expect(limiter.snapshot()).toEqual({
      minuteRemaining: 58,
      dayRemaining: expect.any(Number),
      appMinuteRemaining: expect.any(Number),
    });
    expect(limiter.snapshot().dayRemaining).toBeLessThan(5000);
  });

  it('keeps at most five requests in flight per tenant, as Xero requires', async () => {
    expect(new TenantLimiter().limit).toEqual(xeroLimits.rateLimit);
    expect(xeroLimits.rateLimit).toEqual({ concurrent: 5, perMinute: 60, perDay: 5000 });
    h.sim.admin.clearRequests();
    h.sim.admin.holdUntilArrivals(5); // the first five overlap, however busy the machine
    const paced = h.connector(kestrel, { limiter: new TenantLimiter({ ...testLimits, concurrent: 5 }, h.clock) });
    await Promise.all(Array.from({ length: 12 }, () => paced.getInvoice(unknownInvoice)));
    expect(h.sim.admin.maxInFlight(kestrel)).toBe(5);
    // The simulator refuses a sixth in flight, so the cap alone would hide a client that sent one: none was refused.
    expect(h.sim.admin.requests().filter((r) => r.status === 429)).toEqual([]);
  });

  it('would be refused by Xero with more than five in flight', async () => {
    h.sim.admin.holdUntilArrivals(6); // five held in flight when the sixth arrives
    const unpaced = h.connector(harbour, { limiter: new TenantLimiter({ ...testLimits, concurrent: 12 }, h.clock) });
    const results = await Promise.all(Array.from({ length: 12 }, () => failure(unpaced.getInvoice(unknownInvoice))));
    const refused = results.filter((e) => e instanceof IntegrationError && e.kind === 'rate_limited');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ details: { code: 'rate_limit_concurrent' } });
  });

  it('fails fast once the daily budget is spent on our side', async () => {
    const connector = h.connector(kestrel, { limiter: new TenantLimiter({ ...testLimits, perDay: 2 }, h.clock) });
    await connector.getInvoice(unknownInvoice);
    await connector.getInvoice(unknownInvoice);
    const sent = apiRequests(h.sim, '').length;
    expect(await failure(connector.getInvoice(unknownInvoice))).toMatchObject({
      kind: 'rate_limited',
      details: { code: 'daily_limit' },
    });
    expect(apiRequests(h.sim, '')).toHaveLength(sent);
  });

  it('maps Xero being unavailable to transient', async () => {
    h.sim.admin.failNext({ status: 503, body: 'Service Unavailable' });
    expect(await failure(h.connector(harbour).getInvoice(unknownInvoice))).toMatchObject({
      kind: 'transient',
      details: { status: 503 },
    });
  });
});
