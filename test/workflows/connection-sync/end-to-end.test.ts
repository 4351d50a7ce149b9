// The whole path on the dev server: QuickBooks (the simulator) signs and sends a webhook when a payment is entered,
// which wakes the connection's sync workflow; the sync refreshes the grant through the real QuickBooks OAuth code,
// pulls through the real connector, stores the batch and opens a case. A grant revoked at QuickBooks parks the sync
// and pauses the case until the owner reconnects, after which the clearing payment resolves it. A page whose case
// could not be started (Temporal out of reach) is retried whole, and the retry starts the case once.
import { and, eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import { createQuickbooksProvider } from '../../../integrations/quickbooks/provider.js';
import { createProviderRegistry, type ProviderFactory } from '../../../integrations/registry.js';
import type { TokenSet } from '../../../integrations/types.js';
import { startQuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { caseKey } from '../../../src/domain/case.js';
import { cases as cases_, invoices } from '../../../src/services/db/schema.js';
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
import { testKeyRing } from '../../helpers/key-ring.js';
import { freePort } from '../../helpers/ports.js';
import { uniqueId } from '../../helpers/temporal-env.js';
import { seedOrganisation, syncClock } from '../../integration/sync/fixtures.js';
import { poll, syncSuite } from './harness.js';

const ctx = syncSuite();

const notUsed: ProviderFactory<'xero' | 'stripe'> = () => {
  throw new Error('only QuickBooks is configured in this test');
};
const verifierToken = 'end-to-end-verifier';

describe('connection sync end to end', () => {
  it('goes from webhook to case, survives a revoked grant, and resolves the case when paid', async () => {
    const logger = createLogger({ level: 'silent' });
    const { organisationId } = await seedOrganisation(ctx.db);
    const taskQueue = uniqueId('shortfall');
    const dispatcher = createSyncDispatcher({ db: ctx.db, client: ctx.env.client, taskQueue });
    // Shortfall's webhook endpoint, at an address QuickBooks is told before it starts.
    const appUrl = `http://127.0.0.1:${await freePort()}`;
    const sim = await startQuickbooksSimulator({
      webhook: { url: `${appUrl}/webhooks/quickbooks`, verifierToken, timeScale: 0.001, batchWindowMs: 50 },
    });
    const app = Fastify({ loggerInstance: logger });
    try {
      const client = sim.admin.createApp({ redirectUris: ['https://app.shortfall.test/oauth/quickbooks/callback'] });
      const registry = createProviderRegistry(
        { quickbooks: (c) => createQuickbooksProvider({ ...c, baseUrl: sim.url }), xero: notUsed, stripe: notUsed },
        { quickbooks: { ...client, webhookVerifierToken: verifierToken, environment: 'sandbox' } },
      );
      await app.register(
        webhookRoutes({
          verifiers: registry.verifiers(),
          db: ctx.db,
          onEvents: async (p, e) => void (await dispatcher.onWebhookEvents(p, e)),
          logger,
        }),
      );
      await app.listen({ host: '127.0.0.1', port: Number(new URL(appUrl).port) });
      const oauth = registry.get('quickbooks').oauth;
      const accountId = sim.admin.createCompany({ name: 'Brightside QBO' });
      const customerId = sim.admin.addCustomer(accountId, {
        name: 'Northwind Traders',
        email: 'accounts@northwind.example',
      }).Id;
      /** A grant Intuit issued at consent; Shortfall holds it as expiring in `inMs`. */
      const grant = (inMs: number): TokenSet => {
        const t = sim.admin.grantTokens(client.clientId, accountId);
        return {
          accessToken: t.access_token,
          refreshToken: t.refresh_token,
          expiresAt: new Date(Date.now() + inMs).toISOString(),
        };
      };
      const refreshes = () => sim.admin.oauthRequests().filter((r) => r.grantType === 'refresh_token');

      const vault = createConnectionVault({ db: ctx.db, keyRing: testKeyRing(), logger });
      const first = grant(60_000);
      const { connection } = await vault.connect({
        organisationId,
        provider: 'quickbooks',
        accountId,
        name: 'Brightside QBO',
        tokens: first,
      });
      const sync = createSyncStore({ db: ctx.db, now: syncClock });
      const starter = createCaseStarter({ db: ctx.db, client: ctx.env.client, taskQueue });
      const activities = {
        ...createSyncActivities({ connections: vault, providers: registry, sync, cases: starter }),
        ...recordingActivities().activities,
      };
      const worker = await ctx.worker(taskQueue, activities);

      const invoice = sim.admin.addInvoice(accountId, {
        customerId,
        docNumber: '1001',
        lines: [{ description: 'Brand identity', unitPrice: 1000 }],
      });
      const syncHandle = ctx.env.client.workflow.getHandle(connectionSyncWorkflowId(connection.id));
      const caseHandle = ctx.env.client.workflow.getHandle(
        disputeCaseWorkflowId(caseKey({ invoice: { provider: 'quickbooks', accountId, id: invoice.Id } })),
      );
      const syncStatus = (pred: (s: SyncStatus) => boolean, what: string) =>
        poll(() => syncHandle.query(syncStatusQuery), pred, what);
      const caseView = (pred: (v: CaseView) => boolean, what: string) =>
        poll(() => caseHandle.query(caseViewQuery), pred, what);

      await worker.runUntil(async () => {
        // The client pays 600.00 of 1,000.00; QuickBooks notifies Shortfall.
        sim.admin.addPayment(accountId, {
          customerId,
          amount: 600,
          applications: [{ invoiceId: invoice.Id, amount: 600 }],
        });
        await caseView((v) => v.status === 'awaiting_approval', 'the case to open');
        await sim.admin.webhooksSettled();
        expect(sim.admin.webhookAttempts().length).toBeGreaterThan(0);
        expect(sim.admin.webhookAttempts().every((a) => a.status === 200)).toBe(true); // signed, accepted
        expect(refreshes()).toEqual([expect.objectContaining({ outcome: 'ok' })]); // the grant was due within five minutes
        const firstCursor = (await vault.get(connection.id)).syncCursor;
        expect(firstCursor).toBeTruthy();

        // Someone disconnects Shortfall in QuickBooks: the next pull is refused with a 401.
        const { tokens } = await vault.getFreshAuth(connection.id, oauth);
        await oauth.revoke(tokens);
        await dispatcher.syncNow(connection.id);
        await syncStatus((s) => s.phase === 'waiting_for_reconnect', 'the sync to park');
        await caseView((v) => !v.ledgerConnected, 'the case to pause');
        expect(await vault.get(connection.id)).toMatchObject({
          status: 'needs_reconnect',
          lastError: expect.stringContaining('401'),
        });

        const { restored } = await vault.connect({
          organisationId,
          provider: 'quickbooks',
          accountId,
          name: 'Brightside QBO',
          tokens: grant(3_600_000),
        });
        expect(restored).toBe(true);
        // The rest arrives while the connection is being restored.
        sim.admin.addPayment(accountId, {
          customerId,
          amount: 400,
          applications: [{ invoiceId: invoice.Id, amount: 400 }],
        });
        await dispatcher.reconnected(connection.id);
        const result = await caseHandle.result();
        expect(result).toMatchObject({ status: 'resolved', ledgerConnected: true, disputed: { minor: 0 } });
        expect((await syncStatus((s) => s.phase === 'idle', 'the sync to go idle')).lastError).toBeUndefined();
        expect((await vault.get(connection.id)).syncCursor).not.toBe(firstCursor);
        await syncHandle.terminate('test finished');
      });
    } finally {
      await sim.close();
      await app.close();
    }
  });

  it('opens the case once when starting it failed: the retried page finds the short payment still waiting for it', async () => {
    const { organisationId } = await seedOrganisation(ctx.db);
    const taskQueue = uniqueId('shortfall');
    const dispatcher = createSyncDispatcher({ db: ctx.db, client: ctx.env.client, taskQueue });
    const sim = await startQuickbooksSimulator();
    try {
      const client = sim.admin.createApp({ redirectUris: ['https://app.shortfall.test/oauth/quickbooks/callback'] });
      const registry = createProviderRegistry(
        { quickbooks: (c) => createQuickbooksProvider({ ...c, baseUrl: sim.url }), xero: notUsed, stripe: notUsed },
        { quickbooks: { ...client, webhookVerifierToken: verifierToken, environment: 'sandbox' } },
      );
      const accountId = sim.admin.createCompany({ name: 'Harbour QBO' });
      const customerId = sim.admin.addCustomer(accountId, { name: 'Contoso', email: 'ap@contoso.example' }).Id;
      const invoice = sim.admin.addInvoice(accountId, {
        customerId,
        docNumber: '2001',
        lines: [{ description: 'Site survey', unitPrice: 1000 }],
      });
      sim.admin.addPayment(accountId, {
        customerId,
        amount: 600,
        applications: [{ invoiceId: invoice.Id, amount: 600 }],
      });
      const t = sim.admin.grantTokens(client.clientId, accountId);
      const vault = createConnectionVault({ db: ctx.db, keyRing: testKeyRing() });
      const { connection } = await vault.connect({
        organisationId,
        provider: 'quickbooks',
        accountId,
        name: 'Harbour QBO',
        tokens: {
          accessToken: t.access_token,
          refreshToken: t.refresh_token,
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      const starter = createCaseStarter({ db: ctx.db, client: ctx.env.client, taskQueue });
      // Temporal is out of reach for the first start: the page is stored, its case is not started yet.
      const attempts: string[] = [];
      const cases: typeof starter = {
        ...starter,
        async openOrSignalCase(action) {
          attempts.push(action.kind);
          if (attempts.length === 1) throw new Error('Temporal is unavailable');
          return starter.openOrSignalCase(action);
        },
      };
      const sync = createSyncStore({ db: ctx.db, now: syncClock });
      const activities = {
        ...createSyncActivities({ connections: vault, providers: registry, sync, cases }),
        ...recordingActivities().activities,
      };
      const worker = await ctx.worker(taskQueue, activities);
      const key = caseKey({ invoice: { provider: 'quickbooks', accountId, id: invoice.Id } });
      const caseHandle = ctx.env.client.workflow.getHandle(disputeCaseWorkflowId(key));
      const syncHandle = ctx.env.client.workflow.getHandle(connectionSyncWorkflowId(connection.id));

      await worker.runUntil(async () => {
        await dispatcher.syncNow(connection.id);
        await poll(
          () => caseHandle.query(caseViewQuery),
          (v) => v.status === 'awaiting_approval',
          'the case to open after the retry',
        );
        await poll(
          () => syncHandle.query(syncStatusQuery),
          (s) => s.phase === 'idle',
          'the sync to go idle',
        );
        expect(attempts).toEqual(['open', 'open']);
        const rows = await ctx.db.select().from(cases_).where(eq(cases_.caseKey, key));
        expect(rows.map((r) => r.status)).toEqual(['open']); // one case, marked started
        const pending = await ctx.db
          .select({ pending: invoices.detectionPending })
          .from(invoices)
          .where(and(eq(invoices.connectionId, connection.id), eq(invoices.externalId, invoice.Id)));
        expect(pending).toEqual([{ pending: false }]); // acknowledged once the case started
        await syncHandle.terminate('test finished');
      });
    } finally {
      await sim.close();
    }
  });
});
