// The simulator's signed notifications, received over HTTP and checked by the production verifier.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQuickbooksWebhookVerifier } from '../../../integrations/quickbooks/webhook.js';
import type { NormalizedWebhookEvent } from '../../../integrations/types.js';
import type { WebhookOptions } from '../../../simulators/quickbooks/index.js';
import { startHarness, type Harness } from './harness.js';
import { startWebhookReceiver, type Delivery } from './webhook-receiver.js';

const verifierToken = 'sim-verifier-token-5b1f';
const verifier = createQuickbooksWebhookVerifier({ verifierToken });

let h: Harness;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
afterEach(async () => {
  await h.close();
  await receiver.close();
});

// Answers as Shortfall's webhook route does: 2xx when the verifier accepts the delivery, 400 or 401 when not.
const asShortfall = (raw: Buffer, headers: Record<string, string | string[] | undefined>) => {
  const result = verifier.verify({ raw, headers, nowMs: Date.now() });
  return result.ok ? 200 : result.reason === 'malformed' ? 400 : 401;
};

async function start(
  webhook: Omit<WebhookOptions, 'url' | 'verifierToken'>,
  failFirst = 0,
  answer?: typeof asShortfall,
) {
  receiver = await startWebhookReceiver({ failFirst, ...(answer && { answer }) });
  h = await startHarness({ webhook: { url: receiver.url, verifierToken, ...webhook } });
}

function eventsOf(delivery: Delivery | undefined): NormalizedWebhookEvent[] {
  const result = verifier.verify({
    raw: delivery?.raw ?? Buffer.alloc(0),
    headers: delivery?.headers ?? {},
    nowMs: Date.now(),
  });
  if (!result.ok) throw new Error(`delivery rejected: ${result.reason}`);
  return [...result.events];
}

const summary = (events: readonly NormalizedWebhookEvent[]) =>
  events.map((e) => `${e.entity} ${e.entityId} ${e.operation}`);

describe('QuickBooks simulator webhooks', () => {
  it('posts signed legacy notifications for each change', async () => {
    await start({ format: 'legacy' });
    const invoice = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 250 }] });
    const payment = h.sim.admin.addPayment(h.realmId, {
      customerId: h.customerId,
      amount: 200,
      applications: [{ invoiceId: invoice.Id, amount: 200 }],
    });
    await h.sim.admin.webhooksSettled();

    const events = receiver.deliveries.flatMap(eventsOf);
    expect(summary(events)).toEqual([
      `Invoice ${invoice.Id} create`,
      `Payment ${payment.Id} create`,
      `Invoice ${invoice.Id} update`,
    ]);
    expect(events.every((e) => e.accountId === h.realmId)).toBe(true);
  });

  it('posts CloudEvents when the app has switched format, for changes made through the API too', async () => {
    await start({ format: 'cloudevents' });
    const invoice = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 250 }] });
    await h.connector().postCreditNote({
      invoiceId: invoice.Id,
      currency: 'USD',
      lines: [{ description: 'Goodwill', amount: { minor: 5000, currency: 'USD' } }],
      memo: 'Case 9',
      idempotencyKey: 'case/9/credit',
    });
    await h.sim.admin.webhooksSettled();

    const events = receiver.deliveries.flatMap(eventsOf);
    expect(summary(events).filter((s) => !s.startsWith('Invoice'))).toEqual([
      expect.stringMatching(/^CreditMemo \d+ create$/),
      expect.stringMatching(/^Payment \d+ create$/),
      expect.stringMatching(/^CreditMemo \d+ update$/),
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it('retries a failed notification on the compressed schedule, holding later ones back; redeliveries keep their event ids', async () => {
    await start({ format: 'legacy', timeScale: 0.005 }, 2);
    const first = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 10 }] });
    await vi.waitFor(() => expect(receiver.deliveries.length).toBeGreaterThan(0));
    const second = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 20 }] });
    await h.sim.admin.webhooksSettled();

    expect(receiver.deliveries.map((d) => d.status)).toEqual([500, 500, 200, 200]);
    expect(receiver.deliveries.map((d) => summary(eventsOf(d)))).toEqual([
      [`Invoice ${first.Id} create`],
      [`Invoice ${first.Id} create`],
      [`Invoice ${first.Id} create`],
      [`Invoice ${second.Id} create`],
    ]);
    const ids = receiver.deliveries.slice(0, 3).map((d) => eventsOf(d)[0]?.eventId);
    expect(new Set(ids).size).toBe(1);
  });

  it('is refused by a verifier holding another token', async () => {
    await start({ format: 'cloudevents' });
    h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 10 }] });
    await h.sim.admin.webhooksSettled();
    const [delivery] = receiver.deliveries;

    const stranger = createQuickbooksWebhookVerifier({ verifierToken: 'someone-elses-token' });
    expect(
      stranger.verify({ raw: delivery?.raw ?? Buffer.alloc(0), headers: delivery?.headers ?? {}, nowMs: Date.now() }),
    ).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('sends event types added after us: the delivery is acknowledged, known events kept, unknown ones stored and ignored, later events not held back', async () => {
    await start({ format: 'cloudevents', retryDelaysMs: [10, 10, 10] }, 0, asShortfall);
    h.sim.admin.sendCloudEvents([
      { type: 'qbo.invoice.sent_to_portal.v1', intuitentityid: '41', intuitaccountid: h.realmId },
      { type: 'com.intuit.qbo.invoice.created.v2', intuitentityid: '42', intuitaccountid: h.realmId },
      { type: 'qbo.customer.merged.v1', intuitentityid: '7', intuitaccountid: h.realmId, data: { deletedid: '27' } },
    ]);
    const invoice = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 10 }] });
    await h.sim.admin.webhooksSettled();

    const [odd, later] = receiver.deliveries.map(eventsOf);
    expect(odd?.map((e) => [e.entity, e.entityId, e.ignored ?? false])).toEqual([
      ['Unknown', '41', true],
      ['Unknown', '42', true],
      ['Customer', '7', false],
    ]);
    expect(later && summary(later)).toEqual([`Invoice ${invoice.Id} create`]);
    expect(receiver.deliveries.map((d) => d.status)).toEqual([200, 200]);
  });
});
