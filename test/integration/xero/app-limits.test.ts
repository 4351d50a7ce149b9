// Issue 20 points 1, 3 and 8 against the simulator behaving like Xero since March 2026: a new app gets only the
// granular scopes, an app's tier caps its daily calls and connected organisations, and Intent to Receive runs
// against Shortfall's own webhook route.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { TenantLimiter } from '../../../integrations/xero/limiter.js';
import { createXeroOAuth } from '../../../integrations/xero/oauth.js';
import { createXeroProvider } from '../../../integrations/xero/provider.js';
import { xeroUrlsAt } from '../../../integrations/xero/urls.js';
import { createXeroWebhookVerifier } from '../../../integrations/xero/webhook.js';
import { createConnectionsPort } from '../../../src/services/connections/port.js';
import { createOAuthStateStore } from '../../../src/services/connections/oauth-states.js';
import { createPendingGrantStore } from '../../../src/services/connections/pending-grants.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { createLogger } from '../../../src/services/logger.js';
import { webhookRoutes } from '../../../src/app/http/webhooks/route.js';
import {
  legacySimulatorClient,
  simulatorClient,
  startXeroSimulator,
  type XeroSimulator,
} from '../../../simulators/xero/index.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { seedOrganisation } from '../sync/fixtures.js';
import { demo, harbour, kestrel, redirectUri, startHarness, testLimits } from './harness.js';
import { openPglite } from '../../helpers/databases.js';

const callback = async (url: string) => {
  const res = await fetch(url, { redirect: 'manual' });
  return {
    status: res.status,
    body: res.status === 302 ? '' : await res.text(),
    query: Object.fromEntries(new URL(res.headers.get('location') ?? 'http://x/').searchParams),
  };
};

async function failure(p: Promise<unknown>): Promise<IntegrationError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IntegrationError);
  return e as IntegrationError;
}

describe('Xero scopes for apps created from 2 March 2026 (issue 20, point 1)', () => {
  it('connects a new app with the default scopes, all granular', async () => {
    const h = await startHarness();
    try {
      const oauth = h.oauth();
      const { query } = await callback(oauth.authorizeUrl({ state: 's1', redirectUri }));
      expect(query.error).toBeUndefined();
      const grant = await oauth.exchangeCode({ query, redirectUri });
      expect(grant.tokens.scope?.split(' ')).not.toContain('accounting.transactions');
      expect(grant.tokens.scope?.split(' ')).toEqual(
        expect.arrayContaining(['offline_access', 'accounting.invoices', 'accounting.payments.read']),
      );
      // The granular grant is enough for everything the connector does: sync and a credit note's reads.
      const invoice = h.sim.admin.seedInvoice(harbour, {
        contact: { name: 'Fabrikam' },
        lines: [{ description: 'Audit', unitAmount: '900.00' }],
      });
      const batch = await h.connector(harbour, { auth: { accountId: harbour, tokens: grant.tokens } }).pullChanges({});
      expect(batch.invoices.map((i) => i.ref.id)).toContain(invoice.invoiceId);
    } finally {
      await h.close();
    }
  });

  it('is refused invalid_scope when a new app asks for the broad scopes, and tells the operator what to set', async () => {
    const h = await startHarness();
    try {
      const oauth = h.oauth({ scopeSet: 'broad' });
      const { query } = await callback(oauth.authorizeUrl({ state: 's2', redirectUri }));
      expect(query).toMatchObject({ error: 'invalid_scope', state: 's2' });
      const e = await failure(oauth.exchangeCode({ query, redirectUri }));
      expect(e).toMatchObject({ kind: 'auth', details: { code: 'invalid_scope' } });
      expect(e.message).toMatch(/created on or after 2 March 2026.*XERO_SCOPE_SET/);
    } finally {
      await h.close();
    }
  });

  it('still lets an app created before 2 March 2026 use the broad scopes (XERO_SCOPE_SET=broad)', async () => {
    const h = await startHarness();
    try {
      const oauth = createXeroOAuth({
        ...legacySimulatorClient,
        urls: xeroUrlsAt(h.sim.url),
        now: h.clock,
        scopeSet: 'broad',
      });
      const { query } = await callback(oauth.authorizeUrl({ state: 's3', redirectUri }));
      const grant = await oauth.exchangeCode({ query, redirectUri });
      expect(grant.tokens.scope).toContain('accounting.transactions');
    } finally {
      await h.close();
    }
  });
});

describe('Xero app tiers (issue 20, point 3)', () => {
  it('counts 1,000 calls a day per organisation on the Starter tier', async () => {
    const h = await startHarness({ tier: 'starter' });
    try {
      await h.connector(harbour).getInvoice('00000000-0000-4000-8000-000000000000');
      const last = h.sim.admin.requests().at(-1);
      expect(last?.status).toBe(404);
      // The connector observed Xero's own count: 999 left of 1,000.
      const limiter = new TenantLimiter(testLimits, h.clock);
      await h.connector(kestrel, { limiter }).getInvoice('00000000-0000-4000-8000-000000000000');
      expect(limiter.snapshot().dayRemaining).toBe(999);
    } finally {
      await h.close();
    }
  });

  it('stops at the configured daily limit itself, with a message the owner can act on', async () => {
    const h = await startHarness({ tier: 'starter' });
    try {
      const provider = createXeroProvider({
        ...simulatorClient,
        baseUrl: h.sim.url,
        tier: 'starter',
        dailyCallLimit: 2,
      });
      const connector = provider.connector({ accountId: harbour, tokens: h.tokens([harbour]) });
      await connector.getInvoice('00000000-0000-4000-8000-000000000000');
      await connector.getInvoice('00000000-0000-4000-8000-000000000000');
      const before = h.sim.admin.requests().length;
      const e = await failure(connector.getInvoice('00000000-0000-4000-8000-000000000000'));
      expect(h.sim.admin.requests()).toHaveLength(before); // nothing more was sent
      expect(e).toMatchObject({ kind: 'rate_limited', details: { code: 'daily_limit' } });
      expect(e.message).toMatch(
        /Xero's daily limit of 2 API calls for this organisation on the app's Starter tier is used up; syncing resumes by itself in about \d+ hour/,
      );
      expect(e.message).toContain('XERO_TIER');
    } finally {
      await h.close();
    }
  });

  it("explains Xero's own daily 429 the same way", async () => {
    const h = await startHarness({ tier: 'starter' });
    try {
      h.sim.admin.failNext({
        status: 429,
        body: '',
        headers: { 'x-rate-limit-problem': 'day', 'retry-after': '7200', 'x-daylimit-remaining': '0' },
      });
      const e = await failure(h.connector(harbour).getInvoice('00000000-0000-4000-8000-000000000000'));
      expect(e).toMatchObject({ kind: 'rate_limited', details: { code: 'rate_limit_day', status: 429 } });
      expect(e.message).toMatch(/daily API limit for this organisation is used up.*XERO_TIER/);
    } finally {
      await h.close();
    }
  });

  it('links no sixth organisation on the Starter tier: Xero stops the consent on its own page', async () => {
    const tenants = Array.from({ length: 6 }, (_, i) => ({
      tenantId: `00000000-0000-4000-8000-00000000000${i + 1}`,
      name: `Org ${i + 1}`,
    }));
    const sim = await startXeroSimulator({ tier: 'starter', tenants, consent: { mode: 'auto' }, validate: false });
    try {
      const oauth = createXeroOAuth({ ...simulatorClient, urls: xeroUrlsAt(sim.url) });
      for (const t of tenants.slice(0, 5)) {
        sim.admin.setConsent({ mode: 'auto', tenantIds: [t.tenantId] });
        const { query } = await callback(oauth.authorizeUrl({ state: t.name, redirectUri }));
        expect((await oauth.exchangeCode({ query, redirectUri })).accounts).toContainEqual({
          accountId: t.tenantId,
          name: t.name,
        });
      }
      sim.admin.setConsent({ mode: 'auto', tenantIds: [tenants[5]!.tenantId] });
      const sixth = await callback(oauth.authorizeUrl({ state: 'sixth', redirectUri }));
      expect(sixth.status).toBe(403);
      expect(sixth.body).toContain('higher Xero tier before it can connect to more Xero organisations (limit 5)');
      // Reconnecting an organisation already linked is no new connection.
      sim.admin.setConsent({ mode: 'auto', tenantIds: [tenants[0]!.tenantId] });
      expect((await callback(oauth.authorizeUrl({ state: 'again', redirectUri }))).status).toBe(302);
    } finally {
      await sim.close();
    }
  });

  describe("Shortfall's own connection limit", () => {
    let db: DatabaseHandle;
    let sim: XeroSimulator;
    beforeAll(async () => {
      db = await openPglite();
      sim = await startXeroSimulator({ consent: { mode: 'auto' }, validate: false });
    });
    afterAll(async () => {
      await sim.close();
      await db.close();
    });

    it('refuses a connection past XERO_CONNECTION_LIMIT with a clear message and unlinks it at Xero', async () => {
      const provider = createXeroProvider({ ...simulatorClient, baseUrl: sim.url, connectionLimit: 2 });
      const keyRing = testKeyRing();
      const port = createConnectionsPort({
        db: db.db,
        vault: createConnectionVault({ db: db.db, keyRing }),
        states: createOAuthStateStore({ db: db.db }),
        pending: createPendingGrantStore({ db: db.db, keyRing }),
        providers: { get: () => provider },
        redirectUri: () => redirectUri,
        onConnected: async () => undefined,
        onDisconnected: async () => undefined,
      });
      const first = await seedOrganisation(db.db);
      const second = await seedOrganisation(db.db, 'Other Ltd');
      const connect = async (userId: string, tenantId: string) => {
        sim.admin.setConsent({ mode: 'auto', tenantIds: [tenantId] });
        const { query } = await callback(await port.startUrl(userId, 'xero'));
        const done = await port.completeCallback(userId, 'xero', query);
        // /connections lists every organisation the app reaches, so the owner ticks the one just consented.
        return done.ok && done.value.kind === 'choose' ? port.choose(userId, done.value.choiceId, [tenantId]) : done;
      };
      expect(await connect(first.userId, harbour)).toMatchObject({ ok: true });
      expect(await connect(second.userId, kestrel)).toMatchObject({ ok: true });
      // The same organisation again is no new connection at Xero: it is allowed.
      expect(await connect(second.userId, harbour)).toMatchObject({ ok: true });
      sim.admin.setConsent({ mode: 'auto', tenantIds: [demo] });
      const done = await port.completeCallback(
        first.userId,
        'xero',
        (await callback(await port.startUrl(first.userId, 'xero'))).query,
      );
      if (!done.ok || done.value.kind !== 'choose') throw new Error('expected a choice of organisations');
      const refused = await port.choose(first.userId, done.value.choiceId, [demo]);
      expect(refused).toEqual({
        ok: false,
        message: expect.stringContaining("Shortfall's Xero app may connect at most 2 organisations"),
      });
      expect(refused).toMatchObject({ message: expect.stringContaining('XERO_TIER') });
      expect((await port.list(first.organisationId)).map((c) => c.provider)).toEqual(['xero']);
      // The owner gives up: what the grant reached and no connection relies on is unlinked at Xero.
      await port.cancelChoice(first.userId, done.value.choiceId);
      const tokens = {
        accessToken: sim.admin.grant({ clientId: simulatorClient.clientId, tenantIds: [] }).access_token,
      };
      expect((await provider.oauth.listAccounts(tokens)).map((a) => a.accountId).sort()).toEqual(
        [harbour, kestrel].sort(),
      );
    });
  });
});

describe('Xero Intent to Receive against the webhook route (issue 20, point 8)', () => {
  const webhookKey = 'xero-webhook-signing-key-for-the-route-0123';
  let db: DatabaseHandle;
  let app: ReturnType<typeof Fastify>;
  let url: string;
  beforeAll(async () => {
    db = await openPglite();
    const logger = createLogger({ level: 'silent' });
    app = Fastify({ loggerInstance: logger });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(
      webhookRoutes({
        verifiers: { xero: createXeroWebhookVerifier({ webhookKey }) },
        db: db.db,
        onEvents: async () => undefined,
        logger,
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/xero`;
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('answers a wrongly signed payload 401 with an empty body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/xero',
      headers: { 'content-type': 'application/json', 'x-xero-signature': 'forged' },
      payload: '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"X"}',
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it("passes the simulator's Intent to Receive check", async () => {
    const sim = await startXeroSimulator({ webhook: { url, key: webhookKey }, validate: false });
    try {
      const result = await sim.admin.sendIntentToReceive();
      expect(result.deliveries.map((d) => [d.kind, d.status, d.responseBody])).toEqual([
        ['intent-signed', 200, ''],
        ['intent-forged', 401, ''],
      ]);
      expect(result.passed).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
