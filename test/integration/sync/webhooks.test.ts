// POST /webhooks/:provider through app.inject on a real PGlite inbox, with the real QuickBooks and Xero verifiers:
// bodies in Intuit's CloudEvents format signed as Intuit signs them (intuit-signature), and Xero's intent-to-receive.
import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedWebhookEvent } from '../../../integrations/types.js';
import { openDatabase, type DatabaseHandle } from '../../../src/services/db/index.js';
import { webhookInbox } from '../../../src/services/db/schema.js';
import type { ProviderKey } from '../../../src/domain/model.js';
import { createLogger } from '../../../src/services/logger.js';
import { errorHandler, notFoundHandler } from '../../../src/app/http/error-handler.js';
import { inboxRow, processInbox, type InboxHandler } from '../../../src/app/http/webhooks/inbox.js';
import { webhookRoutes } from '../../../src/app/http/webhooks/route.js';
import { createHmac } from 'node:crypto';
import { createQuickbooksWebhookVerifier } from '../../../integrations/quickbooks/webhook.js';
import { createXeroWebhookVerifier } from '../../../integrations/xero/webhook.js';
import { freshPostgresUrl, openPglite } from '../../helpers/databases.js';

let h: DatabaseHandle;
let logs: string[];
let handled: { provider: ProviderKey; events: readonly NormalizedWebhookEvent[] }[];
let failing: Error | undefined;
let app: ReturnType<typeof Fastify>;

const onEvents: InboxHandler = async (provider, events) => {
  if (failing) throw failing;
  handled.push({ provider, events });
};

async function eventually(check: () => Promise<void> | void): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await check();
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

beforeAll(async () => {
  h = await openPglite();
});
afterAll(() => h.close());
beforeEach(async () => {
  logs = [];
  handled = [];
  failing = undefined;
  await h.db.delete(webhookInbox);
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(line) } });
  app = Fastify({ loggerInstance: logger });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(
    webhookRoutes({
      verifiers: {
        quickbooks: createQuickbooksWebhookVerifier({ verifierToken }),
        xero: createXeroWebhookVerifier({ webhookKey: xeroKey }),
      },
      db: h.db,
      onEvents,
      logger,
    }),
  );
});
afterEach(() => app.close());

const verifierToken = 'intuit-verifier-token-for-tests';
const xeroKey = 'xero-webhook-key-for-tests';
/** How Intuit and Xero sign a delivery: base64(HMAC-SHA256(key, body)). */
const sign = (body: string, key = verifierToken) => createHmac('sha256', key).update(body).digest('base64');
/** Intuit's CloudEvents notification: one event per id, an invoice of company realm-1 updated. */
const events = (...ids: string[]) =>
  JSON.stringify(
    ids.map((id) => ({
      specversion: '1.0',
      id,
      source: 'intuit.test',
      type: 'qbo.invoice.updated.v1',
      datacontenttype: 'application/json',
      time: '2026-12-06T12:00:00.000Z',
      intuitentityid: `inv-${id}`,
      intuitaccountid: 'realm-1',
    })),
  );
const signatureHeaders: Record<string, string> = { quickbooks: 'intuit-signature', xero: 'x-xero-signature' };
const post = (body: string, signature = sign(body), provider = 'quickbooks') =>
  app.inject({
    method: 'POST',
    url: `/webhooks/${provider}`,
    headers: { 'content-type': 'application/json', [signatureHeaders[provider] ?? 'intuit-signature']: signature },
    payload: body,
  });

describe('webhook route', () => {
  it('stores verified events, answers at once, and hands them on after the answer', async () => {
    const res = await post(events('e1', 'e2'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: 2, duplicates: 0 });
    expect(await h.db.select({ id: webhookInbox.eventId }).from(webhookInbox)).toHaveLength(2);
    await eventually(async () => expect((await inboxRow(h.db, 'quickbooks', 'e1'))?.processedAt).toBeInstanceOf(Date));
    expect(handled).toEqual([
      {
        provider: 'quickbooks',
        events: [
          expect.objectContaining({ eventId: 'e1', accountId: 'realm-1', entityId: 'inv-e1' }),
          expect.objectContaining({ eventId: 'e2' }),
        ],
      },
    ]);
    expect(await inboxRow(h.db, 'quickbooks', 'e2')).toMatchObject({ attempts: 1, lastError: null });
  });

  it('counts a redelivery as duplicates and does not act on it again', async () => {
    await post(events('e1'));
    await eventually(() => expect(handled).toHaveLength(1));
    const again = await post(events('e1', 'e3'));
    expect(again.json()).toEqual({ received: 1, duplicates: 1 });
    await eventually(() => expect(handled).toHaveLength(2));
    expect(handled[1]!.events.map((e) => e.eventId)).toEqual(['e3']);
  });

  it('stores a burst of deliveries arriving together in shared inserts, each event once, and hands each on once', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `burst-${i}`);
    // Every event is delivered, and 40 of them twice at the same moment (a provider retrying while the first waits).
    const bodies = [...ids.map((id) => events(id)), ...ids.slice(0, 40).map((id) => events(id))];
    const answers = await Promise.all(bodies.map((b) => post(b)));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    const totals = answers.map((a) => a.json() as { received: number; duplicates: number });
    expect(totals.reduce((n, t) => n + t.received, 0)).toBe(120);
    expect(totals.reduce((n, t) => n + t.duplicates, 0)).toBe(40);

    const stored = await h.db.select({ id: webhookInbox.eventId }).from(webhookInbox);
    expect(stored.map((r) => r.id).sort()).toEqual([...ids].sort());
    await eventually(() => expect(handled.flatMap((x) => x.events)).toHaveLength(120));
    const handedOn = handled.flatMap((x) => x.events.map((e) => e.eventId));
    expect(new Set(handedOn).size).toBe(120);
    // Deliveries that arrived while a hand-over ran went together in the next one.
    expect(handled.length).toBeLessThan(120);
    await eventually(async () =>
      expect(
        (await h.db.select({ at: webhookInbox.processedAt }).from(webhookInbox)).every((r) => r.at instanceof Date),
      ).toBe(true),
    );
  });

  it('hands on the same event after the answer as the retry pass reads back from the inbox', async () => {
    // The hand-over after the answer uses the events still in memory rather than reading the rows back; a handler
    // must not be able to tell it from processInbox, which reads the stored row.
    await post(events('same-1'));
    await eventually(async () =>
      expect((await inboxRow(h.db, 'quickbooks', 'same-1'))?.processedAt).toBeInstanceOf(Date),
    );
    await h.db.update(webhookInbox).set({ processedAt: null }).where(eq(webhookInbox.eventId, 'same-1'));
    expect(await processInbox({ db: h.db, onEvents, now: () => Date.now() + 120_000 })).toEqual({
      processed: 1,
      failed: 0,
    });
    expect(handled).toHaveLength(2);
    expect(handled[1]).toEqual(handled[0]);
    expect(handled[0]!.events[0]).toMatchObject({
      eventId: 'same-1',
      accountId: 'realm-1',
      entityId: 'inv-same-1',
      payload: { id: 'same-1' },
    });
  });

  it('fails only the delivery the database refuses when it shares a burst with good ones', async () => {
    const good = Array.from({ length: 10 }, (_, i) => events(`ok-${i}`));
    // Postgres text cannot hold a NUL character: this one insert fails, and with it the batch it rode in.
    const answers = await Promise.all([...good, events('bad\u0000id')].map((b) => post(b)));
    expect(answers.map((a) => a.statusCode)).toEqual([...good.map(() => 200), 500]);
    const stored = await h.db.select({ id: webhookInbox.eventId }).from(webhookInbox);
    expect(stored.map((r) => r.id).sort()).toEqual(good.map((_, i) => `ok-${i}`).sort());
    await eventually(() => expect(handled.flatMap((x) => x.events)).toHaveLength(10));
  });

  it('rejects a forged signature with 401 and a warning that carries no secret', async () => {
    const body = events('e1');
    const res = await post(body, sign(body, 'not-the-secret'));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
    expect(await h.db.select().from(webhookInbox)).toEqual([]);
    const warning = logs
      .map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string })
      .find((l) => l.msg === 'webhook rejected');
    expect(warning).toMatchObject({ level: 40, reason: 'invalid_signature' });
    expect(logs.join('\n')).not.toContain(sign(body, 'not-the-secret'));
  });

  it('answers 400 to a correctly signed Xero body it cannot read; a signed QuickBooks one is kept, never refused', async () => {
    const unreadable = '{"events": [';
    const res = await post(unreadable, sign(unreadable, xeroKey), 'xero');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'malformed' } });
    // Intuit stalls every later notification after a refusal, so what it signed is accepted and kept, unread.
    const kept = await post(unreadable);
    expect(kept.statusCode).toBe(200);
    expect(await h.db.select({ id: webhookInbox.eventId }).from(webhookInbox)).toEqual([
      { id: expect.stringMatching(/^unknown:/) },
    ]);
  });

  it('answers 404 for an unknown provider and for a provider whose webhooks are not configured', async () => {
    expect((await post(events('e1'), sign(events('e1')), 'paypal')).statusCode).toBe(404);
    const stripe = await post(events('e1'), sign(events('e1')), 'stripe');
    expect(stripe.statusCode).toBe(404);
    expect(stripe.json()).toMatchObject({ error: { code: 'unknown_provider' } });
  });

  it("passes the verifier's own reply through, such as Xero's intent-to-receive check", async () => {
    // Xero's probe: no events, signed with the app's webhook key, answered 200 with an empty body…
    const probe = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'QWERTYUIOP' });
    const res = await post(probe, sign(probe, xeroKey), 'xero');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    // …and the same probe wrongly signed gets 401 with no body at all, or Xero refuses the endpoint.
    const forged = await post(probe, sign(probe, 'not-the-key'), 'xero');
    expect(forged.statusCode).toBe(401);
    expect(forged.body).toBe('');
  });

  it('leaves failed events in the inbox and processInbox retries them', async () => {
    failing = new Error('temporal unavailable');
    await post(events('e1'));
    await eventually(async () =>
      expect(await inboxRow(h.db, 'quickbooks', 'e1')).toMatchObject({
        attempts: 1,
        lastError: 'temporal unavailable',
        processedAt: null,
      }),
    );
    // Too young for the retry pass: the request that stored it may still be acting on it.
    expect(await processInbox({ db: h.db, onEvents })).toEqual({ processed: 0, failed: 0 });
    expect(await processInbox({ db: h.db, onEvents, now: () => Date.now() + 120_000 })).toEqual({
      processed: 0,
      failed: 1,
    });
    failing = undefined;
    expect(await processInbox({ db: h.db, onEvents, now: () => Date.now() + 120_000 })).toEqual({
      processed: 1,
      failed: 0,
    });
    expect(await inboxRow(h.db, 'quickbooks', 'e1')).toMatchObject({
      attempts: 3,
      lastError: null,
      processedAt: expect.any(Date),
    });
    expect(await processInbox({ db: h.db, onEvents, now: () => Date.now() + 120_000 })).toEqual({
      processed: 0,
      failed: 0,
    });
    await h.db.update(webhookInbox).set({ processedAt: null, attempts: 10 }).where(eq(webhookInbox.eventId, 'e1'));
    expect(await processInbox({ db: h.db, onEvents, now: () => Date.now() + 120_000 })).toEqual({
      processed: 0,
      failed: 0,
    });
  });
});

describe('webhook route on a Postgres pool with several inbox INSERTs in flight', () => {
  it('stores a burst with redeliveries once each and fails only the refused delivery', async () => {
    const pg = await openDatabase({ kind: 'postgres', url: await freshPostgresUrl() });
    const received: NormalizedWebhookEvent[] = [];
    const logger = createLogger({ level: 'silent' });
    const pgApp = Fastify({ loggerInstance: logger });
    try {
      await pgApp.register(
        webhookRoutes({
          verifiers: { quickbooks: createQuickbooksWebhookVerifier({ verifierToken }) },
          db: pg.db,
          logger,
          inboxConcurrency: 3,
          onEvents: async (_p, evs) => void received.push(...evs),
        }),
      );
      const ids = Array.from({ length: 150 }, (_, i) => `pg-${i}`);
      // Every event once, 50 of them twice at the same moment, and one the database refuses (text cannot hold NUL).
      const bodies = [...ids.map((id) => events(id)), ...ids.slice(0, 50).map((id) => events(id)), events('bad\u0000')];
      const answers = await Promise.all(
        bodies.map((payload) =>
          pgApp.inject({
            method: 'POST',
            url: '/webhooks/quickbooks',
            headers: { 'content-type': 'application/json', 'intuit-signature': sign(payload) },
            payload,
          }),
        ),
      );
      expect(answers.at(-1)!.statusCode).toBe(500);
      const ok = answers.slice(0, -1);
      expect(ok.every((a) => a.statusCode === 200)).toBe(true);
      const totals = ok.map((a) => a.json() as { received: number; duplicates: number });
      expect(totals.reduce((n, t) => n + t.received, 0)).toBe(150);
      expect(totals.reduce((n, t) => n + t.duplicates, 0)).toBe(50);
      await pgApp.close(); // waits for the hand-over after the answers
      const stored = await pg.db.select({ id: webhookInbox.eventId }).from(webhookInbox);
      expect(stored.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(received.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    } finally {
      await pgApp.close();
      await pg.close();
    }
  });
});
