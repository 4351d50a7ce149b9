// Signed webhook delivery from the simulator to an endpoint that verifies like the app does.
import { afterEach, describe, expect, it } from 'vitest';
import { createStripeWebhookVerifier } from '../../../integrations/stripe/webhook.js';
import { manualClock, startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { connectorFor, eventually, startReceiver, type Receiver } from './harness.js';

const secret = 'whsec_endpoint_5e2a';

describe('Stripe webhooks end to end', () => {
  let sim: StripeSimulator | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await sim?.close();
    await receiver?.close();
  });

  async function setup(opts: { simSecret?: string; clockOffsetMs?: number } = {}) {
    receiver = await startReceiver(
      createStripeWebhookVerifier({ secrets: [secret], platformAccountId: 'acct_platform' }),
    );
    const clock = manualClock(Date.now() + (opts.clockOffsetMs ?? 0));
    sim = await startStripeSimulator({
      clock,
      webhook: { url: receiver.url, secret: opts.simSecret ?? secret, retry: { attempts: 3, backoffMs: 20 } },
    });
    return { sim, receiver };
  }

  it('delivers verified, normalised events for a partial payment', async () => {
    const { sim, receiver } = await setup();
    const seeded = sim.admin.scenarios.partialPayment();
    await sim.admin.webhooks.idle();
    const paid = receiver.accepted.find((e) => e.entity === 'invoice_payment');
    expect(paid).toMatchObject({ operation: 'paid', entityId: seeded.invoicePaymentId, accountId: seeded.accountId });
    expect(receiver.accepted.filter((e) => e.entity === 'invoice').map((e) => e.operation)).toEqual([
      'created',
      'finalized',
      'updated',
    ]);
  });

  it('keeps one copy of a redelivered event', async () => {
    const { sim, receiver } = await setup();
    const seeded = sim.admin.scenarios.partialPayment();
    await sim.admin.webhooks.idle();
    const before = receiver.accepted.length;
    const eventId = receiver.accepted[0]?.eventId ?? '';
    await sim.admin.webhooks.redeliver(seeded.accountId, eventId);
    expect(sim.admin.webhooks.deliveries().filter((d) => d.eventId === eventId && d.status === 200)).toHaveLength(2);
    expect(receiver.accepted).toHaveLength(before);
  });

  it('out of order: whichever invoice event arrives, re-reading gives the final state', async () => {
    const { sim, receiver } = await setup();
    const seeded = sim.admin.scenarios.partialPayment({ paid: 60_000 });
    await sim.admin.webhooks.idle();
    receiver.accepted.length = 0;
    sim.admin.webhooks.pause();
    sim.admin.payInvoice(seeded.accountId, { invoice: seeded.invoiceId, amount: 40_000 });
    sim.admin.payInvoice(seeded.accountId, { invoice: seeded.invoiceId, amount: 18_000 });
    await sim.admin.webhooks.resume('reverse');

    const invoiceEvents = receiver.accepted.filter((e) => e.entity === 'invoice');
    expect(invoiceEvents.map((e) => e.operation)).toEqual(['paid', 'updated', 'updated']); // newest first
    const snapshots = invoiceEvents.map(
      (e) => (e.payload as { data: { object: { amount_remaining: number } } }).data.object.amount_remaining,
    );
    expect(snapshots).toEqual([0, 0, 18_000]);

    const connector = connectorFor(sim, seeded.accountId);
    for (const e of invoiceEvents) {
      const current = await connector.getInvoice(e.entityId);
      expect(current).toMatchObject({ status: 'paid', balance: { minor: 0, currency: 'USD' } });
    }
  });

  it('retries a delivery the endpoint failed', async () => {
    const { sim, receiver } = await setup();
    receiver.failNext(2);
    const { accountId } = sim.admin.createAccount({ name: 'Retry Ltd' });
    sim.admin.createCustomer(accountId, { name: 'Adventure Works' });
    await sim.admin.webhooks.idle();
    const attempts = sim.admin.webhooks.deliveries().filter((d) => d.type === 'customer.created');
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(new Set(attempts.map((a) => a.eventId)).size).toBe(1);
  });

  it('rejects deliveries signed with the wrong secret', async () => {
    const { sim, receiver } = await setup({ simSecret: 'whsec_forged' });
    sim.admin.scenarios.partialPayment();
    await sim.admin.webhooks.idle();
    expect(receiver.accepted).toEqual([]);
    expect(new Set(receiver.rejected)).toEqual(new Set(['invalid_signature']));
  });

  it('rejects deliveries whose signature timestamp is too old', async () => {
    const { sim, receiver } = await setup({ clockOffsetMs: -10 * 60_000 });
    sim.admin.scenarios.partialPayment();
    await eventually(() => expect(receiver.rejected.length).toBeGreaterThan(0));
    await sim.admin.webhooks.idle();
    expect(receiver.accepted).toEqual([]);
    expect(new Set(receiver.rejected)).toEqual(new Set(['stale']));
  });
});
