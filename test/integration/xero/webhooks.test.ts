// The simulator signs and sends webhooks to a real receiver on 127.0.0.1 that answers the way Shortfall's
// route must: verify the raw bytes, then an empty 200 (events or Intent-to-Receive) or an empty 401.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedWebhookEvent } from '../../../integrations/types.js';
import { createXeroWebhookVerifier } from '../../../integrations/xero/webhook.js';
import { money } from '../../../src/domain/money.js';
import { harbour, startHarness, type Harness } from './harness.js';

const webhookKey = 'xero-webhook-signing-key-0123456789abcdef';

interface Receiver {
  readonly url: string;
  readonly events: NormalizedWebhookEvent[];
  close(): Promise<void>;
}

async function startReceiver(key: string): Promise<Receiver> {
  const verifier = createXeroWebhookVerifier({ webhookKey: key });
  const events: NormalizedWebhookEvent[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const result = verifier.verify({ raw: Buffer.concat(chunks), headers: req.headers, nowMs: Date.now() });
      if (result.ok) events.push(...result.events);
      res.statusCode = result.ok ? (result.reply?.status ?? 200) : result.reason === 'invalid_signature' ? 401 : 400;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/xero`,
    events,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let receiver: Receiver;
let h: Harness;
beforeAll(async () => {
  receiver = await startReceiver(webhookKey);
  h = await startHarness({ webhook: { url: receiver.url, key: webhookKey } });
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

describe('Xero webhooks end to end', () => {
  it('passes Intent to Receive: 200 for the signed probe, 401 for the forged one, empty bodies', async () => {
    const result = await h.sim.admin.sendIntentToReceive();
    expect(result.deliveries.map((d) => [d.kind, d.status, d.responseBody])).toEqual([
      ['intent-signed', 200, ''],
      ['intent-forged', 401, ''],
    ]);
    expect(result.passed).toBe(true);
    expect(receiver.events).toEqual([]);
  });

  it('fails Intent to Receive when the receiver holds another key', async () => {
    const wrong = await startReceiver(`${webhookKey}-rotated`);
    const h2 = await startHarness({ webhook: { url: wrong.url, key: webhookKey } });
    try {
      const result = await h2.sim.admin.sendIntentToReceive();
      expect(result.passed).toBe(false);
      expect(result.deliveries.map((d) => d.status)).toEqual([401, 401]);
    } finally {
      await h2.close();
      await wrong.close();
    }
  });

  it('delivers signed invoice and credit note events the receiver verifies and normalises', async () => {
    receiver.events.length = 0;
    const inv = h.sim.admin.seedInvoice(harbour, {
      contact: { name: 'Webhook customer' },
      lines: [{ description: 'Pipe work', unitAmount: '400.00' }],
    });
    await h.connector(harbour).postCreditNote({
      invoiceId: inv.invoiceId,
      currency: 'NZD',
      lines: [{ description: 'Leak not fixed', amount: money(4000, 'NZD') }],
      memo: 'Case 99',
      idempotencyKey: 'webhook-case-99',
    });
    const delivery = await h.sim.admin.deliverWebhooks();
    expect(delivery).toMatchObject({ kind: 'events', status: 200, responseBody: '' });
    const seen = receiver.events.map((e) => [e.entity, e.operation, e.accountId]);
    expect(seen).toContainEqual(['Invoice', 'create', harbour]);
    expect(seen).toContainEqual(['Invoice', 'update', harbour]);
    expect(seen).toContainEqual(['CreditNote', 'create', harbour]);
    expect(receiver.events.filter((e) => e.entity === 'Invoice').every((e) => e.entityId === inv.invoiceId)).toBe(true);
    expect(receiver.events.find((e) => e.entity === 'CreditNote')?.payload).toMatchObject({
      data: { Type: 'ACCRECCREDIT', Status: 'AUTHORISED' },
    });
  });

  it('gives a redelivered batch the same event ids, so the inbox keeps one copy', async () => {
    receiver.events.length = 0;
    h.clock.advance(1000);
    h.sim.admin.seedInvoice(harbour, {
      contact: { name: 'Twice' },
      lines: [{ description: 'Drain', unitAmount: '80.00' }],
    });
    const delivery = await h.sim.admin.deliverWebhooks();
    if (!delivery) throw new Error('nothing was delivered');
    const firstIds = receiver.events.map((e) => e.eventId);
    await h.sim.admin.redeliverWebhook(delivery);
    expect(receiver.events.slice(firstIds.length).map((e) => e.eventId)).toEqual(firstIds);
    expect(new Set(receiver.events.map((e) => e.eventId)).size).toBe(firstIds.length);
  });

  it('sends changes by itself when auto-delivery is on', async () => {
    const auto = await startReceiver(webhookKey);
    const h2 = await startHarness({ webhook: { url: auto.url, key: webhookKey, autoDeliver: true } });
    try {
      const inv = h2.sim.admin.seedInvoice(harbour, {
        contact: { name: 'Auto' },
        lines: [{ description: 'Tap washer', unitAmount: '15.00' }],
      });
      await expect
        .poll(() => auto.events.map((e) => [e.entity, e.operation, e.entityId]), { timeout: 2000 })
        .toEqual([['Invoice', 'create', inv.invoiceId]]);
    } finally {
      await h2.close();
      await auto.close();
    }
  });
});
