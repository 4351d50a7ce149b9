// The Stripe entry for the provider registry, plus the dispute-evidence port the case activities use.
// One pacer per connected account (Stripe's rate limits are per account, shared by every client we build for it),
// kept with the account's client and invoice links in a bounded cache that a disconnect empties (accounts.ts).
import { createHash } from 'node:crypto';
import { IntegrationError } from '../errors.js';
import type { ProviderServices } from '../registry.js';
import type {
  ConnectionAuth,
  DisputeEvidencePort,
  OAuthProvider,
  RequestScheduler,
  SharedRateLimiter,
} from '../types.js';
import { createAccountCache, type AccountCacheOptions } from './accounts.js';
import type { StripeClient } from './client.js';
import { restrictedKeyScope, stripeClientForConnection, type StripePlatform } from './connection.js';
import { createStripeConnector } from './connector.js';
import { createInvoiceLinks, type InvoiceLinks } from './reader.js';
import {
  createStripeDisputeEvidence,
  type DisputeEvidenceFiles,
  type DisputeEvidenceText,
  type DisputeEvidenceTextField,
} from './evidence.js';
import { stripeLimits } from './limits.js';
import { createStripeConnect } from './oauth.js';
import { createStripePacer } from './pacing.js';
import { createStripeWebhookVerifier } from './webhook.js';

export interface StripeProviderConfig {
  readonly secretKey?: string | undefined;
  readonly connectClientId?: string | undefined;
  readonly webhookSecret?: string | undefined;
  /** Events about the platform's own account carry no `account` field. */
  readonly platformAccountId?: string | undefined;
  /** Every Stripe host on this one base URL (the simulator). */
  readonly baseUrl?: string | undefined;
  /** Counts each account's requests across every process of the deployment; without it each process paces alone. */
  readonly rateLimiter?: SharedRateLimiter | undefined;
  /** How many accounts' clients, pacers and invoice links are kept, and for how long unused. */
  readonly accountCache?: AccountCacheOptions | undefined;
}

interface AccountState {
  readonly pacer: RequestScheduler;
  readonly links: InvoiceLinks;
  client?: { readonly credential: string; readonly client: StripeClient };
}

// Without a Connect platform, owners paste a restricted key instead; OAuth then explains itself.
const noConnect: OAuthProvider = {
  provider: 'stripe',
  authorizeUrl: () => {
    throw new IntegrationError('invalid', 'Stripe Connect is not configured here: paste a restricted key instead.');
  },
  exchangeCode: () => Promise.reject(new IntegrationError('invalid', 'Stripe Connect is not configured here.')),
  refresh: (tokens) => Promise.resolve(tokens), // API keys and Connect grants do not expire
  revoke: () => Promise.resolve(),
};

export function createStripeServices(config: StripeProviderConfig) {
  const platform: StripePlatform = {
    secretKey: config.secretKey ?? '',
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
  };
  // Live keys get Stripe's live limit; everything else (test mode, the simulator) the test-mode one.
  const opsPerSecond =
    config.secretKey?.startsWith('sk_live') || config.secretKey?.startsWith('rk_live')
      ? stripeLimits.opsPerSecond.live
      : stripeLimits.opsPerSecond.test;
  // Stripe publishes a rate per account but no figure for its concurrency limiter.
  const shared = config.rateLimiter;
  // Per account: one pacer, the invoice links, and one SDK instance for as long as its credentials stay the same
  // (building one, its HTTP agent and its resources, cost a few ms of CPU on every activity that reached the
  // account). The credential is known by its hash: the raw key lives only in the SDK client, which goes with the
  // account when it is evicted or disconnected.
  const accounts = createAccountCache(
    (accountId): AccountState => ({
      pacer: shared
        ? shared.forAccount('stripe', accountId, { requests: opsPerSecond, perMs: 1000 })
        : createStripePacer(opsPerSecond),
      links: createInvoiceLinks(),
    }),
    config.accountCache,
  );
  const client = (auth: ConnectionAuth, state: AccountState): StripeClient => {
    const credential =
      auth.tokens.scope === restrictedKeyScope
        ? `key:${createHash('sha256').update(auth.tokens.accessToken).digest('base64url')}`
        : 'platform';
    if (state.client?.credential === credential) return state.client.client;
    const made = stripeClientForConnection(auth, platform, state.pacer);
    state.client = { credential, client: made };
    return made;
  };
  const connector = (auth: ConnectionAuth) => {
    const state = accounts.get(auth.accountId);
    return createStripeConnector({ client: client(auth, state), accountId: auth.accountId, invoiceLinks: state.links });
  };

  /** Uploads the case documents as dispute_evidence files, then stages or submits the evidence. */
  function evidence(auth: ConnectionAuth): DisputeEvidencePort {
    const c = connector(auth);
    const port = createStripeDisputeEvidence(c.client, c.reader);
    return {
      async stage(i: {
        disputeId: string;
        fields: Readonly<Record<string, string>>;
        files: readonly { name: string; content: Buffer }[];
        key: string;
      }) {
        const uploaded = await Promise.all(
          i.files.map((f) => port.uploadEvidenceFile(new Uint8Array(f.content), f.name, 'dispute_evidence')),
        );
        // Stripe takes one file per field: the first document is the service documentation.
        const fileIds: DisputeEvidenceFiles = uploaded[0] ? { service_documentation: uploaded[0].fileId } : {};
        await port.stageEvidence(i.disputeId, textFields(i.fields), fileIds, i.key);
      },
      async submit(i: { disputeId: string; key: string }) {
        await port.submitEvidence(i.disputeId, i.key);
      },
    };
  }

  const services: ProviderServices = {
    oauth:
      config.secretKey && config.connectClientId
        ? createStripeConnect({
            secretKey: config.secretKey,
            clientId: config.connectClientId,
            ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
          })
        : noConnect,
    connector,
    disputeEvidence: evidence,
    forget: (accountId) => void accounts.delete(accountId),
    ...(config.webhookSecret
      ? {
          verifier: createStripeWebhookVerifier({
            secrets: [config.webhookSecret],
            platformAccountId: config.platformAccountId ?? 'platform',
          }),
        }
      : {}),
  };

  return { services, evidence, accounts };
}

const textFieldNames: readonly DisputeEvidenceTextField[] = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_tracking_number',
  'uncategorized_text',
];

/** Stripe's customer_communication is a file field; its summary travels in uncategorized_text instead. */
function textFields(fields: Readonly<Record<string, string>>): DisputeEvidenceText {
  const text: DisputeEvidenceText = {};
  for (const name of textFieldNames) if (fields[name]) text[name] = fields[name];
  const communication = fields.customer_communication;
  if (communication)
    text.uncategorized_text = [text.uncategorized_text, `Correspondence with the customer:\n${communication}`]
      .filter(Boolean)
      .join('\n\n');
  return text;
}

export const createStripeProvider = (config: StripeProviderConfig): ProviderServices =>
  createStripeServices(config).services;
