// The real QuickBooks verifier behind POST /webhooks/quickbooks on a PGlite inbox: a signed delivery holding an
// event type we do not know is acknowledged (Intuit holds back later events otherwise); the unknown event is
// stored as processed and handed to nobody, the known ones are processed as usual.
import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuickbooksWebhookVerifier } from '../../../integrations/quickbooks/webhook.js';
import type { NormalizedWebhookEvent } from '../../../integrations/types.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { webhookInbox } from '../../../src/services/db/schema.js';
import { createLogger } from '../../../src/services/logger.js';
import { webhookRoutes } from '../../../src/app/http/webhooks/route.js';
import { openPglite } from '../../helpers/databases.js';

const verifierToken = 'inbox-verifier-token';
let db: DatabaseHandle;
beforeAll(async () => {
  db = await openPglite();
});
afterAll(() => db.close());

describe('QuickBooks webhook route with unknown CloudEvents', () => {
  it('answers 200, stores the unknown event as processed and hands only the known one on', async () => {
    const handled: NormalizedWebhookEvent[] = [];
    const logger = createLogger({ level: 'silent' });
    const app = Fastify({ loggerInstance: logger });
    await app.register(
      webhookRoutes({
        verifiers: { quickbooks: createQuickbooksWebhookVerifier({ verifierToken }) },
        db: db.db,
        logger,
        onEvents: async (_p, events) => void handled.push(...events),
      }),
    );
    const body = JSON.stringify([
      {
        specversion: '1.0',
        id: 'evt-known',
        source: 'intuit.x',
        type: 'qbo.invoice.updated.v1',
        time: '2026-05-10T16:00:02Z',
        intuitentityid: '130',
        intuitaccountid: 'realm-9',
      },
      {
        specversion: '1.0',
        id: 'evt-new',
        source: 'intuit.x',
        type: 'qbo.invoice.sent_to_portal.v2',
        time: '2026-05-10T16:00:03Z',
        intuitentityid: '130',
        intuitaccountid: 'realm-9',
      },
    ]);
    const signature = createHmac('sha256', verifierToken).update(body).digest('base64');

    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/quickbooks',
      headers: { 'content-type': 'application/json', 'intuit-signature': signature },
      payload: body,
    });
    await app.close(); // waits for the processing started after the answer

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: 1, duplicates: 0, ignored: 1 });
    expect(handled.map((e) => e.eventId)).toEqual(['evt-known']);
    const [unknown] = await db.db.select().from(webhookInbox).where(eq(webhookInbox.eventId, 'evt-new'));
    expect(unknown).toMatchObject({
      entity: 'Unknown',
      operation: 'qbo.invoice.sent_to_portal.v2',
      accountId: 'realm-9',
      attempts: 0,
    });
    expect(unknown?.processedAt).toBeInstanceOf(Date);
  });
});
