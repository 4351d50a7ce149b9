// The whole path on the dev server: a signed webhook wakes the connection's sync workflow, which refreshes
// the grant, pulls through the connector, stores the batch and opens a case; a revoked grant parks the sync
// and pauses the case until the owner reconnects, after which the clearing payment resolves it.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import { IntegrationError } from '../../../integrations/errors.js';
import { createProviderRegistry, type ProviderFactory } from '../../../integrations/registry.js';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { caseKey } from '../../../src/domain/case.js';
import { createLogger } from '../../../src/services/logger.js';
import { webhookRoutes } from '../../../src/app/http/webhooks/route.js';
import { createSyncDispatcher } from '../../../src/services/sync/dispatch.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import {
  connectionSyncWorkflowId,
  syncStatusQuery,
  type SyncStatus,
} from '../../../workflows/connection-sync/definitions.js';
import { caseViewQuery, disputeCaseWorkflowId, type CaseView } from '../../../workflows/dispute-case/definitions.js';
import { recordingActivities } from '../../helpers/case-fixtures.js';
import { uniqueId } from '../../helpers/temporal-env.js';
import {
  FakeOAuthProvider,
  FakeWebhookVerifier,
  ScriptedConnector,
  sign,
  testKeyRing,
} from '../../integration/sync/fakes.js';
import { cleared, seedOrganisation, shortPaid, syncClock } from '../../integration/sync/fixtures.js';
import { poll, syncSuite } from './harness.js';

const ctx = syncSuite();

const notUsed: ProviderFactory<'xero' | 'stripe'> = () => {
  throw new Error('only QuickBooks is configured in this test');
};

describe('connection sync end to end', () => {
  it('goes from webhook to case, survives a revoked grant, and resolves the case when paid', async () => {
    const logger = createLogger({ level: 'silent' });
    const { organisationId } = await seedOrganisation(ctx.db);
    const accountId = `realm-${randomUUID()}`;
    const oauth = new FakeOAuthProvider('quickbooks');
    const connector = new ScriptedConnector('quickbooks');
    const registry = createProviderRegistry(
      {
        quickbooks: () => ({
          oauth,
          connector: (auth) => Object.assign(connector, { accessToken: auth.tokens.accessToken }),
          verifier: new FakeWebhookVerifier('quickbooks'),
        }),
        xero: notUsed,
        stripe: notUsed,
      },
      { quickbooks: { clientId: 'qb', clientSecret: 's', webhookVerifierToken: 't', environment: 'sandbox' } },
    );
    const vault = createConnectionVault({ db: ctx.db, keyRing: testKeyRing(), logger });
    const { connection } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId,
      name: 'Brightside QBO',
      tokens: oauth.initialTokens(60_000),
    });

    const taskQueue = uniqueId('shortfall');
    const sync = createSyncStore({ db: ctx.db, now: syncClock });
    const starter = createCaseStarter({ db: ctx.db, client: ctx.env.client, taskQueue });
    const dispatcher = createSyncDispatcher({ db: ctx.db, client: ctx.env.client, taskQueue });
    const activities = {
      ...createSyncActivities({ connections: vault, providers: registry, sync, cases: starter }),
      ...recordingActivities().activities,
    };
    const app = Fastify({ loggerInstance: logger });
    await app.register(
      webhookRoutes({
        verifiers: registry.verifiers(),
        db: ctx.db,
        onEvents: async (p, e) => void (await dispatcher.onWebhookEvents(p, e)),
        logger,
      }),
    );
    const worker = await ctx.worker(taskQueue, activities);

    const syncHandle = ctx.env.client.workflow.getHandle(connectionSyncWorkflowId(connection.id));
    const caseHandle = ctx.env.client.workflow.getHandle(
      disputeCaseWorkflowId(caseKey({ invoice: { provider: 'quickbooks', accountId, id: 'inv-1001' } })),
    );
    const syncStatus = (pred: (s: SyncStatus) => boolean, what: string) =>
      poll(() => syncHandle.query(syncStatusQuery), pred, what);
    const caseView = (pred: (v: CaseView) => boolean, what: string) =>
      poll(() => caseHandle.query(caseViewQuery), pred, what);

    await worker.runUntil(async () => {
      connector.push(shortPaid('cp-1'));
      const body = JSON.stringify({
        events: [{ id: `evt-${randomUUID()}`, account: accountId, entity: 'Payment', entityId: 'pay-1', op: 'create' }],
      });
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/quickbooks',
        headers: { 'content-type': 'application/json', 'x-fake-signature': sign(body) },
        payload: body,
      });
      expect(res.json()).toEqual({ received: 1, duplicates: 0 });

      await caseView((v) => v.status === 'awaiting_approval', 'the case to open');
      expect(oauth.refreshCalls).toHaveLength(1); // the grant was due within five minutes
      expect(connector.pulls[0]).toEqual({ accessToken: 'at-1' });
      expect((await vault.get(connection.id)).syncCursor).toBe('cp-1');

      connector.failNext = new IntegrationError('auth', 'QuickBooks answered 401', {
        provider: 'quickbooks',
        status: 401,
      });
      await dispatcher.syncNow(connection.id);
      await syncStatus((s) => s.phase === 'waiting_for_reconnect', 'the sync to park');
      await caseView((v) => !v.ledgerConnected, 'the case to pause');
      expect(await vault.get(connection.id)).toMatchObject({
        status: 'needs_reconnect',
        lastError: 'QuickBooks answered 401',
      });

      const { restored } = await vault.connect({
        organisationId,
        provider: 'quickbooks',
        accountId,
        name: 'Brightside QBO',
        tokens: oauth.initialTokens(3_600_000),
      });
      expect(restored).toBe(true);
      connector.push(cleared('cp-2'));
      await dispatcher.reconnected(connection.id);
      const result = await caseHandle.result();
      expect(result).toMatchObject({ status: 'resolved', ledgerConnected: true, disputed: { minor: 0 } });
      expect((await syncStatus((s) => s.phase === 'idle', 'the sync to go idle')).lastError).toBeUndefined();
      expect((await vault.get(connection.id)).syncCursor).toBe('cp-2');
      await syncHandle.terminate('test finished');
    });
    await app.close();
  });
});
