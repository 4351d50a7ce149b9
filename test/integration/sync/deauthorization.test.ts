// A Stripe account withdraws our access: its owner disconnects Shortfall in the Dashboard, and the Stripe simulator
// signs account.application.deauthorized with the endpoint secret and posts it to Shortfall's webhook route (a real
// listener on PGlite), with sync and case workflows running on the Temporal dev server and the real Stripe provider
// (Connect grants, a pasted restricted key, the connector and the webhook verifier) against the simulator. The
// webhook route, the sync dispatcher and the connections port are wired as src/app/deps.ts wires them.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import { createProviders } from '../../../integrations/providers.js';
import { signPayload, startStripeSimulator } from '../../../simulators/stripe/index.js';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { deauthorizedError } from '../../../src/services/connections/deauthorize.js';
import { createOAuthStateStore } from '../../../src/services/connections/oauth-states.js';
import { createPendingGrantStore } from '../../../src/services/connections/pending-grants.js';
import { createConnectionsPort } from '../../../src/services/connections/port.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { connections, webhookInbox } from '../../../src/services/db/schema.js';
import { caseKey } from '../../../src/domain/case.js';
import { createLogger } from '../../../src/services/logger.js';
import { inboxRow } from '../../../src/app/http/webhooks/inbox.js';
import { webhookRoutes } from '../../../src/app/http/webhooks/route.js';
import { createSyncDispatcher } from '../../../src/services/sync/dispatch.js';
import { connectionLifecycle } from '../../../src/services/sync/lifecycle.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { connectionSyncWorkflowId, syncStatusQuery } from '../../../workflows/connection-sync/definitions.js';
import { caseViewQuery, disputeCaseWorkflowId, type CaseView } from '../../../workflows/dispute-case/definitions.js';
import { recordingActivities } from '../../helpers/case-fixtures.js';
import { uniqueId } from '../../helpers/temporal-env.js';
import { poll, syncSuite } from '../../workflows/connection-sync/harness.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { seedOrganisation, syncClock } from './fixtures.js';

const secret = 'whsec_deauthorization_test_5e1f';
const ctx = syncSuite();

describe('Stripe deauthorization', () => {
  it("disconnects the account on Stripe's word, stops its sync, pauses its cases, revokes nothing, and is safe to repeat", async () => {
    const logger = createLogger({ level: 'silent' });
    const { organisationId } = await seedOrganisation(ctx.db, `Org ${randomUUID()}`);
    // Shortfall's webhook endpoint: Stripe holds its secret now, and is given its address once the app listens.
    const stripe = await startStripeSimulator({
      webhook: { url: 'http://shortfall.invalid/webhooks/stripe', secret },
    });
    const app = Fastify({ loggerInstance: logger });
    try {
      const platform = stripe.admin.platform;
      const { registry, apiKey } = createProviders({
        configs: {
          stripe: {
            secretKey: platform.secretKey,
            connectClientId: platform.clientId,
            webhookSecret: secret,
            platformAccountId: platform.accountId,
          },
        },
        baseUrls: { stripe: stripe.url },
      });
      let clock = Date.now() - 60_000; // connected a minute before Stripe reports the withdrawal
      const keyRing = testKeyRing();
      const vault = createConnectionVault({ db: ctx.db, keyRing, logger, now: () => clock });
      const taskQueue = uniqueId('shortfall');
      const starter = createCaseStarter({ db: ctx.db, client: ctx.env.client, taskQueue, logger });
      const dispatcher = createSyncDispatcher({
        db: ctx.db,
        client: ctx.env.client,
        taskQueue,
        cases: starter,
        logger,
        forgetAccount: (p, a) => registry.get(p).forget?.(a), // as src/app/deps.ts wires it
      });
      const port = createConnectionsPort({
        db: ctx.db,
        vault,
        states: createOAuthStateStore({ db: ctx.db }),
        pending: createPendingGrantStore({ db: ctx.db, keyRing }),
        providers: registry,
        logger,
        redirectUri: (p) => `http://127.0.0.1/oauth/${p}/callback`,
        ...(apiKey && { apiKey }),
        ...connectionLifecycle(dispatcher, starter),
      });
      await app.register(
        webhookRoutes({
          verifiers: registry.verifiers(),
          db: ctx.db,
          logger,
          inboxConcurrency: 1,
          onEvents: async (p, e) => void (await dispatcher.onWebhookEvents(p, e)),
        }),
      );
      const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      stripe.admin.webhooks.updateEndpoint({ url: `${appUrl}/webhooks/stripe` });

      const { accountId } = stripe.admin.createAccount({ name: 'Brightside Studio' });
      const { connection } = await vault.connect({
        organisationId,
        provider: 'stripe',
        accountId,
        name: 'Brightside Stripe',
        tokens: stripe.admin.connectAccount(accountId),
      });
      const other = stripe.admin.createAccount({ name: 'Other' }).accountId;
      const { connection: bystander } = await vault.connect({
        organisationId,
        provider: 'stripe',
        accountId: other,
        name: 'Other',
        tokens: stripe.admin.connectAccount(other),
      });

      const sync = createSyncActivities({
        connections: vault,
        providers: registry,
        sync: createSyncStore({ db: ctx.db, now: syncClock }),
        cases: starter,
      });
      const worker = await ctx.worker(taskQueue, { ...sync, ...recordingActivities().activities });

      const syncHandle = ctx.env.client.workflow.getHandle(connectionSyncWorkflowId(connection.id));
      const deliveries = (eventId: string) =>
        stripe.admin.webhooks
          .deliveries()
          .filter((d) => d.eventId === eventId)
          .map(({ status, response }) => ({ status, answer: response && (JSON.parse(response) as unknown) }));

      await worker.runUntil(async () => {
        // The client pays 1,000.00 of a 1,180.00 invoice at Stripe.
        const { invoiceId } = stripe.admin.scenarios.partialPayment({ accountId });
        const caseHandle = ctx.env.client.workflow.getHandle(
          disputeCaseWorkflowId(caseKey({ invoice: { provider: 'stripe', accountId, id: invoiceId } })),
        );
        const caseView = (pred: (v: CaseView) => boolean, what: string) =>
          poll(() => caseHandle.query(caseViewQuery), pred, what);
        await dispatcher.syncNow(connection.id);
        await caseView((v) => v.status === 'awaiting_approval' && v.ledgerConnected, 'the case to open');
        // Stripe also posts the payment's events; the inbox answers first and hands them over after, and that
        // hand-over wakes the sync. So: every event answered, every one handed over, then the sync idle twice in a
        // row with the same pass count (a query waits for a wake-up already recorded, so none is still to come).
        await stripe.admin.webhooks.idle();
        await poll(
          () =>
            ctx.db
              .select({ processedAt: webhookInbox.processedAt })
              .from(webhookInbox)
              .where(and(eq(webhookInbox.provider, 'stripe'), eq(webhookInbox.accountId, accountId))),
          (rows) => rows.length > 0 && rows.every((r) => r.processedAt instanceof Date),
          "the payment's events to be handed over",
        );
        let seen: number | undefined;
        await poll(
          () => syncHandle.query(syncStatusQuery),
          (s) => {
            const settled = s.phase === 'idle' && s.passes === seen;
            seen = s.phase === 'idle' ? s.passes : undefined;
            return settled;
          },
          'the sync to settle',
        );

        // Since then another organisation reads the same Stripe account with a restricted key it pasted: not our
        // app's grant. (Connected before the case opened, its sync, woken by the same webhooks, could claim the case.)
        const { organisationId: agency } = await seedOrganisation(ctx.db, `Agency ${randomUUID()}`);
        const restrictedKey = stripe.admin.issueRestrictedKey(accountId);
        const pasted = await apiKey!.verify(restrictedKey);
        const { connection: pastedKey } = await vault.connect({
          organisationId: agency,
          provider: 'stripe',
          accountId: pasted.account.accountId,
          name: 'Brightside via key',
          tokens: pasted.tokens,
          credential: 'api_key',
        });
        expect(pastedKey.accountId).toBe(accountId);

        // The Stripe client this process keeps for the account (the sync read through it).
        const platformAuth = { accountId, tokens: { accessToken: 'unused: Connect reads with the platform key' } };
        const clientNow = () =>
          (registry.get('stripe').connector(platformAuth) as unknown as { client: unknown }).client;
        const keptClient = clientNow();
        expect(clientNow()).toBe(keptClient);

        // The owner disconnects Shortfall in the Stripe Dashboard; Stripe signs and sends the withdrawal.
        stripe.admin.disconnectPlatform(accountId);
        const event = stripe.admin.state(accountId).events.find((e) => e.type === 'account.application.deauthorized');
        const eventId = String(event?.id);
        await poll(
          () => inboxRow(ctx.db, 'stripe', eventId),
          (r) => r?.processedAt instanceof Date,
          'the event to be processed',
        );
        await stripe.admin.webhooks.idle();
        expect(deliveries(eventId)).toEqual([{ status: 200, answer: { received: 1, duplicates: 0 } }]);
        // The withdrawal dropped what this process kept for the account: its next use builds a client afresh.
        expect(clientNow()).not.toBe(keptClient);

        expect(await vault.get(connection.id)).toMatchObject({ status: 'disconnected', lastError: deauthorizedError });
        const [row] = await ctx.db.select().from(connections).where(eq(connections.id, connection.id));
        expect(row).toMatchObject({ tokenCiphertext: null, tokenKeyId: null });
        expect((await vault.get(bystander.id)).status).toBe('active');
        expect((await vault.get(pastedKey.id)).status).toBe('active');
        expect((await apiKey!.verify(restrictedKey)).account.accountId).toBe(accountId); // the owner's own key still reads
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
        await stripe.admin.webhooks.redeliver(accountId, eventId);
        expect(deliveries(eventId)).toEqual([
          { status: 200, answer: { received: 1, duplicates: 0 } },
          { status: 200, answer: { received: 0, duplicates: 1 } },
        ]);
        const raw = JSON.stringify(stripe.admin.event(accountId, eventId));
        const verified = registry.verifiers().stripe!.verify({
          raw: Buffer.from(raw),
          headers: { 'stripe-signature': signPayload(raw, secret, Math.floor(Date.now() / 1000)) },
          nowMs: Date.now(),
        });
        if (!verified.ok) throw new Error(`the verifier refused Stripe's event: ${verified.reason}`);
        expect(verified.events).toEqual([
          expect.objectContaining({ eventId, accountId, entity: 'account', operation: 'deauthorized' }),
        ]);
        expect(await dispatcher.onWebhookEvents('stripe', verified.events)).toEqual({ woken: 0, disconnected: 1 });
        expect(
          (await caseView((v) => !v.ledgerConnected, 'the case to stay paused')).timeline.filter(
            (t) => t.kind === 'connection',
          ),
        ).toHaveLength(1);

        // The owner then also presses Disconnect in Shortfall: the grant is gone at Stripe, and so are our tokens, so the
        // real provider is given nothing to revoke.
        expect(await port.disconnect(organisationId, connection.id)).toBe(true);
        expect(stripe.admin.oauthRequests().filter((r) => r.path === '/oauth/deauthorize')).toEqual([]);

        // The owner reconnects; a late retry of the old withdrawal is not about the new grant.
        clock = Date.now() + 60_000;
        expect(
          (
            await vault.connect({
              organisationId,
              provider: 'stripe',
              accountId,
              name: 'Brightside Stripe',
              tokens: stripe.admin.connectAccount(accountId),
            })
          ).restored,
        ).toBe(true);
        expect(await dispatcher.onWebhookEvents('stripe', verified.events)).toEqual({ woken: 0, disconnected: 0 });
        expect((await vault.get(connection.id)).status).toBe('active');
        // Where a grant is still ours, the same Disconnect does revoke it at Stripe.
        expect(await port.disconnect(organisationId, bystander.id)).toBe(true);
        expect(stripe.admin.oauthRequests().filter((r) => r.path === '/oauth/deauthorize')).toEqual([
          expect.objectContaining({ stripeUserId: other, status: 200 }),
        ]);
        await caseHandle.terminate('test finished');
      });
    } finally {
      await app.close();
      await stripe.close();
    }
  });
});
