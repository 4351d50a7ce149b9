// The Builder tier's monthly allowance of metered (CorePlus) reads: Intuit blocks every read until the month turns
// with the same 429 as its per-minute throttle (integrations/quickbooks/FACTS.md). The simulator enforces a cap;
// the connector must recognise the block, stop calling Intuit, and say so in words.
import Bottleneck from 'bottleneck';
import { afterEach, describe, expect, it } from 'vitest';
import { MeteredReads, monthlyReadCapCode } from '../../../integrations/quickbooks/metered.js';
import { createQuickbooksConnector } from '../../../integrations/quickbooks/connector.js';
import { manualClock, startHarness, type Harness, type ManualClock } from './harness.js';

let h: Harness;
afterEach(() => h.close());

async function capped(cap: number, clock: ManualClock) {
  h = await startHarness({ clock: clock.now, monthlyReadCap: cap });
  const invoice = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 10 }] });
  return invoice.Id;
}

const connectorWith = (meteredReads: MeteredReads, clock: ManualClock, accessToken = h.tokens.accessToken) =>
  createQuickbooksConnector({
    auth: { accountId: h.realmId, tokens: { accessToken } },
    apiUrl: h.sim.urls.api,
    limiter: new Bottleneck(),
    meteredReads,
    now: clock.now,
  });

const reads = () => h.sim.admin.requests().filter((r) => r.method === 'GET').length;

describe('QuickBooks monthly metered-read cap', () => {
  it('tells the monthly block from a throttle, stops calling Intuit, and reads again when the month turns', async () => {
    const clock = manualClock('2026-05-30T12:00:00.000Z');
    const invoiceId = await capped(3, clock);
    // Probing every 30 minutes keeps the simulated access token (one hour) valid through the test.
    const guard = new MeteredReads({ now: clock.now, probeEveryMs: 30 * 60_000 });
    const connector = connectorWith(guard, clock);
    for (let i = 0; i < 3; i++) await connector.getInvoice(invoiceId);

    // At first it looks like the per-minute throttle: wait 60 s and retry.
    await expect(connector.getInvoice(invoiceId)).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 60_000,
      details: { code: '3001' },
    });
    clock.advance(60_000);
    await expect(connector.getInvoice(invoiceId)).rejects.toMatchObject({ kind: 'rate_limited' });

    // Refused for five minutes with no success: no per-minute window explains that.
    clock.advance(4 * 60_000);
    const blocked = connector.getInvoice(invoiceId);
    await expect(blocked).rejects.toMatchObject({
      kind: 'quota_exceeded',
      details: { code: monthlyReadCapCode, status: 429 },
      message: expect.stringMatching(/^QuickBooks monthly read limit reached: .*Reading resumes on 2026-06-01/),
    });
    const before = reads();

    // Every read now fails at once without reaching Intuit, for any realm, until the hourly probe.
    clock.advance(10 * 60_000);
    await expect(connector.getInvoice(invoiceId)).rejects.toMatchObject({ kind: 'quota_exceeded' });
    await expect(connector.pullChanges({})).rejects.toMatchObject({ kind: 'quota_exceeded' });
    expect(reads()).toBe(before);

    clock.advance(20 * 60_000);
    await expect(connector.getInvoice(invoiceId)).rejects.toMatchObject({ kind: 'quota_exceeded' });
    expect(reads()).toBe(before + 1); // the probe, refused by Intuit
    expect(guard.blocked).toBe(true);

    clock.advance(2 * 24 * 3600_000); // June: a fresh allowance (and a fresh access token)
    const fresh = connectorWith(guard, clock, h.sim.admin.grantTokens(h.client.clientId, h.realmId).access_token);
    await expect(fresh.getInvoice(invoiceId)).resolves.toMatchObject({ ref: { id: invoiceId } });
  });

  it('stops at a configured cap before Intuit blocks the app', async () => {
    const clock = manualClock('2026-05-30T12:00:00.000Z');
    const invoiceId = await capped(100, clock);
    const warnings: string[] = [];
    const connector = connectorWith(new MeteredReads({ cap: 5, now: clock.now, warn: (m) => warnings.push(m) }), clock);
    for (let i = 0; i < 5; i++) await connector.getInvoice(invoiceId);

    await expect(connector.getInvoice(invoiceId)).rejects.toMatchObject({
      kind: 'quota_exceeded',
      message: expect.stringMatching(/QUICKBOOKS_MONTHLY_READ_CAP/),
    });
    expect(reads()).toBe(5);
    expect(warnings).toEqual([
      expect.stringMatching(/4 of this month's 5 metered reads/),
      expect.stringMatching(/monthly read limit reached/),
    ]);
  });

  it('meters reads only: writes still go through while reads are blocked, and a throttle that clears is no block', async () => {
    const clock = manualClock('2026-05-30T12:00:00.000Z');
    const invoiceId = await capped(2, clock);
    const guard = new MeteredReads({ now: clock.now });
    const connector = connectorWith(guard, clock);
    await connector.getInvoice(invoiceId);
    await connector.getInvoice(invoiceId);
    await expect(connector.getInvoice(invoiceId)).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(guard.blocked).toBe(false);

    const before = h.sim.admin.requests().filter((r) => r.method === 'POST' && r.status === 200).length;
    h.sim.admin.addPayment(h.realmId, {
      customerId: h.customerId,
      amount: 5,
      applications: [{ invoiceId, amount: 5 }],
    });
    expect(h.sim.admin.requests().filter((r) => r.method === 'POST' && r.status === 200).length).toBe(before);
    expect(h.sim.admin.meteredReads()).toBe(2);
  });
});
