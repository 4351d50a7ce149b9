// createServices(config): every long-lived service of a Shortfall process, built once at boot (STYLE.md B3 #5).
// The server and the worker take what they need from it; tests build narrower slices themselves.
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities/index.js';
import type { CaseActivityDeps } from '../../activities/cases.js';
import { createQuickbooksProvider } from '../../integrations/quickbooks/provider.js';
import { createProviderRegistry, type ProviderConfigs, type ProviderRegistry } from '../../integrations/registry.js';
import { createStripeConnect } from '../../integrations/stripe/oauth.js';
import { createStripeServices } from '../../integrations/stripe/provider.js';
import { IntegrationError } from '../../integrations/errors.js';
import { createXeroProvider } from '../../integrations/xero/provider.js';
import { createApprovalStore } from '../services/approvals/store.js';
import { createCaseStarter } from '../services/cases/starter.js';
import type { Config } from './config.js';
import { createConnectionsPort } from '../services/connections/port.js';
import { createBrokenConnectionAlert } from '../services/connections/broken-alert.js';
import { createOAuthStateStore } from '../services/connections/oauth-states.js';
import { createPendingGrantStore } from '../services/connections/pending-grants.js';
import { createConnectionVault, type ConnectionVault } from '../services/connections/vault.js';
import type { DatabaseHandle } from '../services/db/index.js';
import { defaultDetectionPolicy } from '../domain/detection.js';
import { createDocumentStore } from '../services/documents/storage.js';
import type { Logger } from '../services/logger.js';
import { createOutbox } from '../services/mail/outbox.js';
import { createMailTransport } from '../services/mail/transport.js';
import type { SandboxProviders } from './sandbox.js';
import { parseKeyRing } from '../services/security/cipher.js';
import { CLIENT_LINK_TTL_MS } from '../services/security/client-links.js';
import { createSharedRateLimiter } from '../services/limits/shared-limiter.js';
import { createSyncDispatcher } from '../services/sync/dispatch.js';
import { connectionLifecycle } from '../services/sync/lifecycle.js';
import { createSyncStore } from '../services/sync/store.js';

export interface ServiceInputs {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: DatabaseHandle;
  readonly client: Client;
  readonly secrets: { readonly encryptionKeys: string; readonly appSecret: string };
  readonly sandbox?: SandboxProviders | undefined;
  /**
   * The clock of case starts and sync detection (learnedAt, "today"); Date.now unless given. The scenario suite
   * passes the time-skipping server's clock, so a case opened after skipped days counts from workflow time.
   */
  readonly now?: (() => number) | undefined;
}

/** Provider settings: the configured accounts, or the sandbox simulators on the embedded demo. */
function providerSettings(config: Config, sandbox: SandboxProviders | undefined) {
  if (!sandbox) {
    // A proxy or a regional endpoint in front of a provider: QUICKBOOKS_BASE_URL, XERO_BASE_URL, STRIPE_BASE_URL.
    const { quickbooks: q, xero: x, stripe: s } = config.providers;
    const baseUrls: Record<string, string> = {};
    if (q?.baseUrl) baseUrls.quickbooks = q.baseUrl;
    if (x?.baseUrl) baseUrls.xero = x.baseUrl;
    if (s?.baseUrl) baseUrls.stripe = s.baseUrl;
    return { configs: config.providers as ProviderConfigs, baseUrls, stripe: s };
  }
  const { quickbooks: q, xero: x, stripe: s } = sandbox;
  return {
    configs: {
      quickbooks: {
        clientId: q.clientId,
        clientSecret: q.clientSecret,
        webhookVerifierToken: q.webhookVerifierToken,
        environment: 'sandbox',
        rateLimit: config.quickbooksRateLimit,
      },
      // The simulator's app counts as created after 2 March 2026, so it takes granular scopes like any new app.
      xero: {
        clientId: x.clientId,
        clientSecret: x.clientSecret,
        webhookKey: x.webhookKey,
        scopes: config.providers.xero?.scopes,
        ...config.xeroApp,
      },
      stripe: { secretKey: s.secretKey, connectClientId: s.connectClientId, webhookSecret: s.webhookSecret },
    } satisfies ProviderConfigs,
    baseUrls: { quickbooks: q.baseUrl, xero: x.baseUrl, stripe: s.baseUrl } as Record<string, string>,
    stripe: {
      secretKey: s.secretKey,
      connectClientId: s.connectClientId,
      webhookSecret: s.webhookSecret,
      platformAccountId: s.platformAccountId,
    },
  };
}

/**
 * How the case activities reach a connection: fresh auth from the vault on every call, so a connection that needs
 * reconnecting (or is disconnected, or whose refresh token is refused) throws there, inside the activity's error
 * mapping (activities/failures.ts), and fails the activity at once instead of being retried.
 */
export function connectionPorts(
  vault: Pick<ConnectionVault, 'get' | 'getFreshAuth'>,
  registry: Pick<ProviderRegistry, 'get'>,
): Pick<CaseActivityDeps, 'ledger' | 'evidence'> {
  const authFor = async (connectionId: string) => {
    const connection = await vault.get(connectionId);
    const provider = registry.get(connection.provider);
    return { provider, connection, auth: await vault.getFreshAuth(connection.id, provider.oauth) };
  };
  return {
    ledger: async (connectionId) => {
      const { provider, auth } = await authFor(connectionId);
      return provider.connector(auth);
    },
    evidence: async (connectionId) => {
      const { provider, auth, connection } = await authFor(connectionId);
      if (!provider.disputeEvidence)
        throw new IntegrationError('invalid', `${connection.provider} connections do not take dispute evidence`, {
          provider: connection.provider,
        });
      return provider.disputeEvidence(auth);
    },
  };
}

export function createServices(i: ServiceInputs) {
  const { config, logger, client } = i;
  const db = i.db.db;
  const taskQueue = config.temporal.taskQueue;
  const settings = providerSettings(config, i.sandbox);
  const stripeBase = settings.baseUrls.stripe;
  // Every process on this database shares one budget per provider account (realm, tenant, Stripe account).
  const rateLimiter = createSharedRateLimiter(db);
  const stripe = createStripeServices({
    ...settings.stripe,
    ...(stripeBase ? { baseUrl: stripeBase } : {}),
    rateLimiter,
  });
  const registry = createProviderRegistry(
    {
      quickbooks: (c) => createQuickbooksProvider({ ...c, baseUrl: settings.baseUrls.quickbooks, rateLimiter }),
      xero: (c) => createXeroProvider({ ...c, baseUrl: settings.baseUrls.xero, rateLimiter }),
      stripe: () => stripe.services,
    },
    settings.configs,
  );

  const starter = createCaseStarter({ db, client, taskQueue, logger, ...(i.now ? { now: i.now } : {}) });
  const documents = createDocumentStore(db, path.join(config.dataDir, 'documents'));
  const transport = createMailTransport(config.mail);
  const outbox = createOutbox(db, transport, documents);
  const alertOwners = createBrokenConnectionAlert({ db, outbox, publicUrl: config.http.publicUrl, logger });
  const keyRing = parseKeyRing(i.secrets.encryptionKeys);
  const vault = createConnectionVault({
    db,
    keyRing,
    logger,
    onBroken: async (e) => {
      await alertOwners(e); // never throws, so a Temporal outage below cannot swallow the email
      await starter.signalConnectionBroken(e.connectionId, e.reason);
    },
  });
  const dispatcher = createSyncDispatcher({ db, client, taskQueue, cases: starter, logger });
  const sync = createSyncStore({
    db,
    policy: { ...defaultDetectionPolicy, staleAfterDays: config.detection.staleAfterDays },
    ...(i.now ? { now: i.now } : {}),
  });
  const approvals = createApprovalStore(db, i.secrets.appSecret);

  const activities = createActivities({
    cases: {
      db,
      outbox,
      approvals,
      documents,
      publicUrl: config.http.publicUrl,
      replyDomain: config.mail.replyDomain,
      clientLinks: { secret: i.secrets.appSecret, ttlMs: CLIENT_LINK_TTL_MS },
      ...connectionPorts(vault, registry),
    },
    sync: { connections: vault, providers: registry, sync, cases: starter },
  });

  const stripeConnect =
    settings.stripe?.secretKey !== undefined || stripeBase
      ? createStripeConnect({
          secretKey: settings.stripe?.secretKey ?? '',
          clientId: settings.stripe?.connectClientId ?? '',
          ...(stripeBase ? { baseUrl: stripeBase } : {}),
        })
      : undefined;
  const connections = createConnectionsPort({
    db,
    vault,
    states: createOAuthStateStore({ db }),
    pending: createPendingGrantStore({ db, keyRing }),
    providers: registry,
    logger,
    redirectUri: (p) => `${config.http.publicUrl}/oauth/${p}/callback`,
    sandbox: () => Boolean(i.sandbox),
    ...(stripeConnect ? { verifyStripeKey: (key: string) => stripeConnect.verifyRestrictedKey(key) } : {}),
    ...connectionLifecycle(dispatcher, starter),
  });

  const webhooks = {
    verifiers: registry.verifiers(),
    db,
    logger,
    onEvents: async (
      provider: Parameters<typeof dispatcher.onWebhookEvents>[0],
      events: Parameters<typeof dispatcher.onWebhookEvents>[1],
    ) => void (await dispatcher.onWebhookEvents(provider, events)),
  };

  return {
    registry,
    vault,
    starter,
    dispatcher,
    sync,
    documents,
    transport,
    outbox,
    approvals,
    activities,
    connections,
    webhooks,
  };
}

export type Services = ReturnType<typeof createServices>;
