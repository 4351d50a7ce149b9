// A Stripe account withdraws our access: account.application.deauthorized, signed with the endpoint secret as
// Stripe signs it, posted through the webhook route (app.inject) on PGlite, with sync and case workflows
// running on the Temporal dev server.
import { createHmac, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import { createStripeWebhookVerifier } from '../../../integrations/stripe/webhook.js';
import type { NormalizedWebhookEvent } from '../../../integrations/types.js';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { deauthorizedError } from '../../../src/services/connections/deauthorize.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { connections } from '../../../src/services/db/schema.js';
import { caseKey } from '../../../src/domain/case.js';
import { createLogger } from '../../../src/services/logger.js';
import { inboxRow } from '../../../src/app/http/webhooks/inbox.js';
import { webhookRoutes } from '../../../src/app/http/webhooks/route.js';
import { createSyncDispatcher } from '../../../src/services/sync/dispatch.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { connectionSyncWorkflowId, syncStatusQuery } from '../../../workflows/connection-sync/definitions.js';
import { caseViewQuery, disputeCaseWorkflowId, type CaseView } from '../../../workflows/dispute-case/definitions.js';
import { recordingActivities } from '../../helpers/case-fixtures.js';
import { uniqueId } from '../../helpers/temporal-env.js';
import { poll, syncSuite } from '../../workflows/connection-sync/harness.js';
import { FakeOAuthProvider, ScriptedConnector } from './fakes.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { seedOrganisation, shortPaid, syncClock } from './fixtures.js';

const secret = 'whsec_deauthorization_test_5e1f';
const ctx = syncSuite();

/** What Stripe sends when a connected account removes the platform, signed as Stripe signs: HMAC over `t.body`. */
function deauthorization(accountId: string, created: number) {
  const body = JSON.stringify({
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    account: accountId,
    api_version: '2026-10-28.endive',
    created,
    data: { object: { id: 'ca_shortfall', object: 'application', name: 'Shortfall' } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'account.application.deauthorized',
  });
  const t = Math.floor(Date.now() / 1000);
  const signature = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
}

describe('Stripe deauthorization', () => {
  it('disconnects the account without calling Stripe, stops its sync, pauses its cases, and is safe to repeat', async () => {
    const logger = createLogger({ level: 'silent' });
    const { organisationId } = await seedOrganisation(ctx.db, `Org ${randomUUID()}`);
    const accountId = `acct_${randomUUID().replaceAll('-', '')}`;
    let clock = Date.now() - 60_000; // connected a minute before Stripe reports the withdrawal
    const vault = createConnectionVault({ db: ctx.db, keyRing: testKeyRing(), logger, now: () => clock });
    const oauth = new FakeOAuthProvider('stripe');
    const { connection } = await vault.connect({
      organisationId,
      provider: 'stripe',
      accountId,
      name: 'Brightside Stripe',
      tokens: { accessToken: 'sk_connect_1' },
    });
    const { connection: bystander } = await vault.connect({
      organisationId,
      provider: 'stripe',
      accountId: `${accountId}_other`,
      name: 'Other',
      tokens: { accessToken: 'sk_connect_2' },
    });
    // Another organisation reads the same Stripe account with a restricted key it pasted: not our app's grant.
    const { organisationId: agency } = await seedOrganisation(ctx.db, `Agency ${randomUUID()}`);
    const { connection: pastedKey } = await vault.connect({
      organisationId: agency,
      provider: 'stripe',
      accountId,
      name: 'Brightside via key',
      tokens: { accessToken: 'rk_test_pasted', scope: 'restricted_key' },
      credential: 'api_key',
    });

    const taskQueue = uniqueId('shortfall');
    const connector = new ScriptedConnector('stripe');
    const starter = createCaseStarter({ db: ctx.db, client: ctx.env.client, taskQueue });
    const dispatcher = createSyncDispatcher({ db: ctx.db, client: ctx.env.client, taskQueue });
    const sync = createSyncActivities({
      connections: vault,
      providers: { get: () => ({ oauth, connector: () => connector }) },
      sync: createSyncStore({ db: ctx.db, now: syncClock }),
      cases: starter,
    });
    const worker = await ctx.worker(taskQueue, { ...sync, ...recordingActivities().activities });
    const verifier = createStripeWebhookVerifier({ secrets: [secret], platformAccountId: 'acct_platform' });
    const app = Fastify({ loggerInstance: logger });
    await app.register(
      webhookRoutes({
        verifiers: { stripe: verifier },
        db: ctx.db,
        logger,
        onEvents: async (p, e) => void (await dispatcher.onWebhookEvents(p, e)),
      }),
    );

    const syncHandle = ctx.env.client.workflow.getHandle(connectionSyncWorkflowId(connection.id));
    const caseHandle = ctx.env.client.workflow.getHandle(
      disputeCaseWorkflowId(caseKey({ invoice: { provider: 'stripe', accountId, id: 'inv-1001' } })),
    );
    const caseView = (pred: (v: CaseView) => boolean, what: string) =>
      poll(() => caseHandle.query(caseViewQuery), pred, what);

    await worker.runUntil(async () => {
      connector.push(shortPaid('cp-1'));
      await dispatcher.syncNow(connection.id);
      await caseView((v) => v.status === 'awaiting_approval' && v.ledgerConnected, 'the case to open');
      await poll(
        () => syncHandle.query(syncStatusQuery),
        (s) => s.phase === 'idle',
        'the sync to go idle',
      );

      const created = Math.floor(Date.now() / 1000);
      const delivery = deauthorization(accountId, created);
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        headers: delivery.headers,
        payload: delivery.body,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ received: 1, duplicates: 0 });
      const eventId = (JSON.parse(delivery.body) as { id: string }).id;
      await poll(
        () => inboxRow(ctx.db, 'stripe', eventId),
        (r) => r?.processedAt instanceof Date,
        'the event to be processed',
      );

      expect(await vault.get(connection.id)).toMatchObject({ status: 'disconnected', lastError: deauthorizedError });
      const [row] = await ctx.db.select().from(connections).where(eq(connections.id, connection.id));
      expect(row).toMatchObject({ tokenCiphertext: null, tokenKeyId: null });
      expect(oauth.revoked).toEqual([]); // nothing left at Stripe to revoke
      expect((await vault.get(bystander.id)).status).toBe('active');
      expect((await vault.get(pastedKey.id)).status).toBe('active');
      await poll(
        () => syncHandle.describe(),
        (d) => d.status.name === 'CANCELLED',
        'the sync workflow to be cancelled',
      );
      const paused = await caseView((v) => !v.ledgerConnected, 'the case to pause');
      expect(paused.timeline.filter((t) => t.kind === 'connection').map((t) => t.summary)).toEqual([
        expect.stringContaining('(deauthorized)'),
      ]);

      // Stripe redelivers: the inbox knows the event. The inbox retrying it after a failure finishes the work again.
      const again = await app.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        headers: delivery.headers,
        payload: delivery.body,
      });
      expect(again.json()).toEqual({ received: 0, duplicates: 1 });
      const event: NormalizedWebhookEvent = {
        provider: 'stripe',
        eventId,
        accountId,
        entity: 'account',
        entityId: accountId,
        operation: 'deauthorized',
        occurredAt: new Date(created * 1000).toISOString(),
        payload: {},
      };
      expect(await dispatcher.onWebhookEvents('stripe', [event])).toEqual({ woken: 0, disconnected: 1 });
      expect(
        (await caseView((v) => !v.ledgerConnected, 'the case to stay paused')).timeline.filter(
          (t) => t.kind === 'connection',
        ),
      ).toHaveLength(1);

      // The owner reconnects; a late retry of the old withdrawal is not about the new grant.
      clock = Date.now() + 60_000;
      expect(
        (
          await vault.connect({
            organisationId,
            provider: 'stripe',
            accountId,
            name: 'Brightside Stripe',
            tokens: { accessToken: 'sk_connect_3' },
          })
        ).restored,
      ).toBe(true);
      expect(await dispatcher.onWebhookEvents('stripe', [event])).toEqual({ woken: 0, disconnected: 0 });
      expect((await vault.get(connection.id)).status).toBe('active');
      await caseHandle.terminate('test finished');
    });
    await app.close();
  });
});
