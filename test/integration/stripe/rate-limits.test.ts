// Pacing under Stripe's rate limit, and what happens when a client goes faster anyway.
import { afterEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { connectorFor, drain } from './harness.js';

describe('Stripe rate limits', () => {
  let sim: StripeSimulator | undefined;
  afterEach(() => sim?.close());

  async function busyAccount(opsPerSecond: number, shouldRetry: boolean) {
    sim = await startStripeSimulator({ rateLimit: { opsPerSecond, shouldRetry } });
    const s = sim.admin.scenarios.partialPayment();
    const customer = sim.admin.createCustomer(s.accountId, { name: 'Litware' });
    for (let i = 0; i < 30; i += 1)
      sim.admin.createInvoice(s.accountId, {
        customer: customer.id,
        currency: 'usd',
        lines: [{ description: `Order ${i}`, quantity: 1, unitAmount: 1_000 }],
      });
    return { sim, accountId: s.accountId };
  }

  it('stays under the limit it is paced for: no 429s', async () => {
    const { sim, accountId } = await busyAccount(20, false);
    const connector = connectorFor(sim, accountId, { client: { opsPerSecond: 20 } });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 25 }, () => connector.getInvoice('in_missing')));
    expect(results.every((r) => r === null)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // 25 requests kept under 20/s take over a second
    expect(sim.admin.rateLimited()).toBe(0);
  });

  it('surfaces a 429 that Stripe says not to retry as rate_limited with a back-off hint', async () => {
    const { sim, accountId } = await busyAccount(5, false);
    const connector = connectorFor(sim, accountId, { client: { opsPerSecond: 1000 } });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => connector.getInvoice('in_missing')));
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f).toBeInstanceOf(IntegrationError);
      expect(f).toMatchObject({ kind: 'rate_limited', details: { status: 429 } });
      expect((f as IntegrationError).retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('lets the SDK retry a 429 carrying Stripe-Should-Retry: true, and the sync completes', async () => {
    const { sim, accountId } = await busyAccount(4, true);
    const connector = connectorFor(sim, accountId, {
      client: { opsPerSecond: 1000, maxNetworkRetries: 6 },
      connector: { batchSize: 10 },
    });
    const batches = await drain(connector);
    expect(batches.flatMap((b) => b.invoices)).toHaveLength(31);
    expect(sim.admin.rateLimited()).toBeGreaterThan(0);
  });
});
