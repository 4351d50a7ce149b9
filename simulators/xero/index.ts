// A Xero simulator on 127.0.0.1: identity (OAuth consent, tokens, revocation, /connections) and the
// Accounting API paths Shortfall uses, with Xero's envelopes, paging, If-Modified-Since, idempotency keys,
// rate limits and signed webhooks. Every request and answer is checked against Xero's OpenAPI files.
import { saveAfterChanges, type OnChange } from '../shared/on-change.js';
import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { createAdmin, type XeroSimulatorAdmin } from './admin.js';
import type { Clock } from './clock.js';
import { SimError, SimValidationError } from './errors.js';
import { IdempotencyStore, type Entry as IdempotencyEntry } from './idempotency.js';
import { IdentityServer, OAuthError, type IdentitySnapshot, type SimClient } from './identity.js';
import { checkWebhookPayload, contracts, registerContractHooks, type Violation } from './openapi/hooks.js';
import { Organisation, type Change, type OrganisationSnapshot } from './organisation.js';
import { xeroTierLimits, type XeroTier } from '../../integrations/xero/limits.js';
import { RateLimiter, defaultRateLimits, type SimRateLimits } from './rate-limit.js';
import { registerApiGuard } from './routes/api-guard.js';
import { creditNoteRoutes } from './routes/credit-notes.js';
import { identityRoutes } from './routes/identity.js';
import { invoiceRoutes } from './routes/invoices.js';
import { paymentRoutes } from './routes/payments.js';
import { onlineInvoiceRoutes } from './online-invoice.js';
import { apiPrefix, type ConsentMode, type SimState } from './state.js';
import { WebhookSender, type WebhookConfig } from './webhooks.js';

export { manualClock, type Clock, type ManualClock } from './clock.js';
export type { InvoiceSeed, SeededInvoice, XeroSimulatorAdmin } from './admin.js';
export type { Violation } from './openapi/hooks.js';
export type { IntentToReceiveResult, WebhookDelivery } from './webhooks.js';
export type { ConsentMode } from './state.js';

export interface TenantSeed {
  readonly tenantId?: string;
  readonly name: string;
  readonly baseCurrency?: string;
}

export interface XeroSimulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly webhook?: WebhookConfig;
  readonly clock?: Clock;
  readonly tenants?: readonly TenantSeed[];
  readonly clients?: readonly SimClient[];
  /** 'page' shows the consent screen; tests usually want { mode: 'auto' }. */
  readonly consent?: ConsentMode;
  readonly rateLimits?: Partial<SimRateLimits>;
  /**
   * The app's Xero tier: its daily calls per organisation and its connection limit (Starter 1,000 and 5).
   * Absent: 5,000 a day and no connection limit, as for apps before the 2026 tiers. rateLimits wins over it.
   */
  readonly tier?: XeroTier;
  /** Check traffic against the OpenAPI files (default true; costs about a second at start). */
  readonly validate?: boolean;
  readonly providerName?: string;
  /** Start from this state (from snapshot()) instead of the seeded tenants. */
  readonly state?: XeroSnapshot;
  /** Called after every request that may have changed the state (any method but GET and HEAD). */
  readonly onChange?: OnChange;
}

/** The simulator's state as plain data: tenants and their ledgers, grants, tokens and connections. */
export interface XeroSnapshot {
  readonly identity: IdentitySnapshot;
  readonly orgs: readonly OrganisationSnapshot[];
  readonly idempotency?: ReadonlyMap<string, IdempotencyEntry>;
}

export interface XeroSimulator {
  /** Base URL; identity and API share it (see xeroUrlsAt). */
  readonly url: string;
  readonly identityUrl: string;
  /** For xero-node's accountingApi.basePath. */
  readonly apiBasePath: string;
  readonly admin: XeroSimulatorAdmin;
  snapshot(): XeroSnapshot;
  close(): Promise<void>;
}

/** Created after 2 March 2026, like any app made today: Xero offers it only the granular scopes. */
export const simulatorClient: SimClient = {
  clientId: 'SHORTFALL-SIMULATOR-CLIENT',
  clientSecret: 'shortfall-simulator-secret',
  createdAt: '2026-04-01',
};
/** An app created before 2 March 2026, which may still ask for the broad scopes (until September 2027). */
export const legacySimulatorClient: SimClient = {
  clientId: 'SHORTFALL-LEGACY-CLIENT',
  clientSecret: 'shortfall-legacy-secret',
  createdAt: '2025-06-01',
};

export const defaultTenants: readonly TenantSeed[] = [
  { tenantId: '3f3b3c1e-6a4e-4c57-9a3b-6b0c2d1e4f01', name: 'Harbour Plumbing Ltd', baseCurrency: 'NZD' },
  { tenantId: '8d2a7c55-1f0e-4b8e-a1d4-2e9f6c3b7a02', name: 'Kestrel Design Studio', baseCurrency: 'GBP' },
  { tenantId: 'c41e9b07-5d3a-4f62-8e1c-9a7b5d2f0c03', name: 'Demo Company (AU)', baseCurrency: 'AUD' },
];

function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | SimError | OAuthError, _req, reply) => {
    if (error instanceof SimError) {
      reply.headers(error.headers);
      return reply
        .code(error.status)
        .type(typeof error.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8')
        .send(error.body);
    }
    if (error instanceof OAuthError)
      return reply
        .code(error.status)
        .send({ error: error.error, ...(error.description && { error_description: error.description }) });
    if ('statusCode' in error && error.statusCode !== undefined && error.statusCode < 500)
      return reply.code(400).send(new SimValidationError(error.message).body);
    return reply.code(500).send({ Title: 'Simulator error', Detail: error.message });
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).type('text/plain; charset=utf-8').send("The resource you're looking for cannot be found"),
  );
}

function recordRequests(app: FastifyInstance, state: SimState): void {
  const kept = ['xero-tenant-id', 'idempotency-key', 'if-modified-since', 'accept', 'content-type'];
  app.addHook('onResponse', async (req, reply) => {
    const url = new URL(req.url, 'http://simulator');
    const headers = Object.fromEntries(
      kept.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : [])),
    );
    state.requests.push({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      status: reply.statusCode,
    });
  });
}

export async function startXeroSimulator(options: XeroSimulatorOptions = {}): Promise<XeroSimulator> {
  if (process.env.NODE_ENV === 'production') throw new Error('The Xero simulator does not run in production');
  const clock = options.clock ?? Date.now;
  const violations: Violation[] = [];
  const record = (v: Violation) => void violations.push(v);
  const validate = options.validate ?? true;
  const tier = options.tier && xeroTierLimits(options.tier);
  const state: SimState = {
    clock,
    identity: new IdentityServer(clock, options.clients ?? [simulatorClient, legacySimulatorClient], tier?.connections),
    orgs: new Map(),
    rateLimiter: new RateLimiter(
      { ...defaultRateLimits, ...(tier && { perDay: tier.perDay }), ...options.rateLimits },
      clock,
    ),
    idempotency: new IdempotencyStore(clock),
    webhooks:
      options.webhook &&
      new WebhookSender(
        options.webhook,
        clock,
        () => `${state.baseUrl}${apiPrefix}`,
        (payload) => {
          if (validate) checkWebhookPayload(payload, record);
        },
      ),
    providerName: options.providerName ?? 'Shortfall (simulated)',
    requests: [],
    faults: [],
    holds: [],
    consent: options.consent ?? { mode: 'page' },
    latencyMs: 0,
    baseUrl: '',
  };
  const onChange = (change: Change) => state.webhooks?.enqueue(change);
  const addTenant = (t: TenantSeed): string => {
    const org = new Organisation(
      (t.tenantId ?? randomUUID()).toLowerCase(),
      t.name,
      t.baseCurrency ?? 'NZD',
      clock,
      onChange,
    );
    state.orgs.set(org.tenantId, org);
    return org.tenantId;
  };
  if (options.state) {
    state.identity.restore(options.state.identity);
    if (options.state.idempotency) state.idempotency.restore(options.state.idempotency);
    for (const o of options.state.orgs)
      state.orgs.get(addTenant({ tenantId: o.tenantId, name: o.name, baseCurrency: o.baseCurrency }))!.restore(o);
  } else for (const t of options.tenants ?? defaultTenants) addTenant(t);

  const app = Fastify({ routerOptions: { caseSensitive: false }, forceCloseConnections: true });
  await app.register(formbody);
  installErrorHandling(app);
  recordRequests(app, state);
  saveAfterChanges(app, options.onChange);
  if (validate) {
    contracts(); // compile now rather than inside the first request
    registerContractHooks(app, record);
  }
  await app.register(identityRoutes(state));
  await app.register(onlineInvoiceRoutes(state));
  await app.register(
    async (api) => {
      registerApiGuard(api, state);
      await api.register(invoiceRoutes(state));
      await api.register(paymentRoutes(state));
      await api.register(creditNoteRoutes(state));
    },
    { prefix: apiPrefix },
  );
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('The simulator did not get a TCP port');
  state.baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    url: state.baseUrl,
    identityUrl: state.baseUrl,
    apiBasePath: `${state.baseUrl}${apiPrefix}`,
    admin: createAdmin(state, violations, addTenant),
    snapshot: () => ({
      identity: state.identity.snapshot(),
      orgs: [...state.orgs.values()].map((o) => o.snapshot()),
      idempotency: state.idempotency.snapshot(),
    }),
    async close() {
      for (const hold of [...state.holds]) hold.release();
      await state.webhooks?.close();
      await app.close();
    },
  };
}
