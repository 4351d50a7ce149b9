// createServices(config): every long-lived service of a Shortfall process, built once at boot (STYLE.md B3 #5).
// The server and the worker take what they need from it; tests build narrower slices themselves.
import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities/index.js';
import type { CaseActivityDeps } from '../../activities/cases.js';
import type { ProviderConfigs, ProviderRegistry } from '../../integrations/registry.js';
import { createProviders, type ProviderSetup } from '../../integrations/providers.js';
import { IntegrationError } from '../../integrations/errors.js';
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
import { createPaymentLinks } from '../services/ledger/payment-links.js';
import type { Logger } from '../services/logger.js';
import { createOutbox } from '../services/mail/outbox.js';
import { createMailTransport } from '../services/mail/transport.js';
import { sandboxProviderSetup, type SandboxProviders } from './sandbox.js';
import { parseKeyRing } from '../services/security/cipher.js';
import { CLIENT_LINK_TTL_MS } from '../services/security/client-links.js';
import { createProcessRateLimiter, createSharedRateLimiter } from '../services/limits/shared-limiter.js';
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

/** The configured providers, each at its own address unless a base URL points elsewhere (a proxy, a region). */
function configuredProviderSetup(config: Config): ProviderSetup {
  const baseUrls: Record<string, string> = {};
  for (const [key, c] of Object.entries(config.providers)) {
    const baseUrl = (c as { baseUrl?: string } | undefined)?.baseUrl;
    if (baseUrl) baseUrls[key] = baseUrl;
  }
  return { configs: config.providers as ProviderConfigs, baseUrls };
}

/**
 * How the case activities reach a connection: fresh auth from the vault on every call, so a connection that needs
 * reconnecting (or is disconnected, or whose refresh token is refused) throws there, inside the activity's error
 * mapping (activities/failures.ts), and fails the activity at once instead of being retried.
 */
export function connectionPorts(
  vault: Pick<ConnectionVault, 'getWithFreshAuth'>,
  registry: Pick<ProviderRegistry, 'get'>,
): Pick<CaseActivityDeps, 'ledger' | 'evidence'> {
  const authFor = async (connectionId: string) => {
    // One read of the connection's row for both what it is and its tokens.
    const { connection, auth } = await vault.getWithFreshAuth(connectionId, (c) => registry.get(c.provider).oauth);
    return { provider: registry.get(connection.provider), connection, auth };
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
  // The configured accounts (each provider's *_BASE_URL for a proxy or a regional endpoint), or the sandbox
  // simulators on the embedded demo. Every process on this database shares one budget per provider account.
  // Embedded PGlite is opened by this process alone, so its budget can live in memory (no transaction per request).
  const processLimiter = i.db.kind === 'pglite' ? createProcessRateLimiter(db) : undefined;
  const rateLimiter = processLimiter ?? createSharedRateLimiter(db);
  const { registry, apiKey } = createProviders({
    ...(i.sandbox ? sandboxProviderSetup(i.sandbox, config) : configuredProviderSetup(config)),
    rateLimiter,
  });

  const starter = createCaseStarter({ db, client, taskQueue, logger, ...(i.now ? { now: i.now } : {}) });
  const documents = createDocumentStore(db, config.documents);
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
  const dispatcher = createSyncDispatcher({
    db,
    client,
    taskQueue,
    cases: starter,
    logger,
    forgetAccount: (provider, accountId) =>
      registry.configured().some((k) => k === provider) ? registry.get(provider).forget?.(accountId) : undefined,
  });
  const sync = createSyncStore({
    db,
    policy: { ...defaultDetectionPolicy, staleAfterDays: config.detection.staleAfterDays },
    ...(i.now ? { now: i.now } : {}),
  });
  const approvals = createApprovalStore(db, i.secrets.appSecret);
  const ports = connectionPorts(vault, registry);
  const paymentLinks = createPaymentLinks({ db, ledger: ports.ledger, logger, ...(i.now ? { now: i.now } : {}) });

  const activities = createActivities({
    cases: {
      db,
      outbox,
      approvals,
      documents,
      publicUrl: config.http.publicUrl,
      replyDomain: config.mail.replyDomain,
      clientLinks: { secret: i.secrets.appSecret, ttlMs: CLIENT_LINK_TTL_MS },
      paymentLinks,
      ...ports,
    },
    sync: { connections: vault, providers: registry, sync, cases: starter },
  });

  const connections = createConnectionsPort({
    db,
    vault,
    states: createOAuthStateStore({ db }),
    pending: createPendingGrantStore({ db, keyRing }),
    providers: registry,
    logger,
    redirectUri: (p) => `${config.http.publicUrl}/oauth/${p}/callback`,
    sandbox: () => Boolean(i.sandbox),
    ...(apiKey && { apiKey }),
    ...connectionLifecycle(dispatcher, starter),
  });

  const webhooks = {
    verifiers: registry.verifiers(),
    db,
    logger,
    // PGlite has one connection; the Postgres pool has ten, shared with everything else the process does.
    inboxConcurrency: i.db.kind === 'postgres' ? 3 : 1,
    onEvents: async (
      provider: Parameters<typeof dispatcher.onWebhookEvents>[0],
      events: Parameters<typeof dispatcher.onWebhookEvents>[1],
    ) => void (await dispatcher.onWebhookEvents(provider, events)),
  };

  return {
    registry,
    /** Writes what the embedded limiter keeps in memory (the day's counts); nothing to do on Postgres. */
    flushLimits: async () => processLimiter?.flush(),
    vault,
    starter,
    dispatcher,
    sync,
    documents,
    transport,
    outbox,
    approvals,
    paymentLinks,
    activities,
    connections,
    webhooks,
  };
}

export type Services = ReturnType<typeof createServices>;

/**
 * At every start: documents an older install kept under <data dir>/documents move into the database, once (until
 * then they are read from the disk). What this process cannot see or verify is logged and left for the fallback.
 */
export async function moveLegacyDocuments(services: Pick<Services, 'documents'>, logger: Logger): Promise<void> {
  const moved = await services.documents.importLegacyFiles();
  if (moved.imported > 0)
    logger.info({ documents: moved.imported }, 'documents moved from the data directory into the database');
  if (moved.missing.length + moved.mismatched.length > 0)
    logger.warn(
      { missing: moved.missing, mismatched: moved.mismatched },
      'documents recorded on disk that this process could not import (another process may hold them)',
    );
}
