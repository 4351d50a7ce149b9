// The QuickBooks entry for the provider registry: config slice in, OAuth client, per-connection connectors and
// the webhook verifier out. Connectors for the same realm share one limiter, since Intuit's limits are per realm.
import type { ProviderServices } from '../registry.js';
import type { OAuthGrant, SharedRateLimiter } from '../types.js';
import { createQboClient } from './client.js';
import { QboCompanyInfo } from './schemas.js';
import { createQuickbooksConnector } from './connector.js';
import { RealmLimiters } from './limiter.js';
import { quickbooksLimits, type RateLimit } from './limits.js';
import { MeteredReads } from './metered.js';
import { createQuickbooksOAuth } from './oauth.js';
import { intuitSandboxApi, intuitUrls, quickbooksUrlsAt, type QuickbooksUrls } from './urls.js';
import { createQuickbooksWebhookVerifier } from './webhook.js';

export interface QuickbooksProviderConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly environment: 'sandbox' | 'production';
  readonly webhookVerifierToken?: string | undefined;
  /** Every endpoint on this one host (the simulator, for tests and the embedded demo); Intuit's hosts otherwise. */
  readonly baseUrl?: string | undefined;
  /** Metered reads this app may spend a month (QUICKBOOKS_MONTHLY_READ_CAP); unset: only Intuit's own block stops them. */
  readonly monthlyReadCap?: number | undefined;
  /** The realm's limits as Intuit grants them to this app (QUICKBOOKS_REQUESTS_PER_MINUTE and _CONCURRENT_REQUESTS). */
  readonly rateLimit?: RateLimit | undefined;
  /**
   * Counts each realm's requests across every process of the deployment; without it each process paces alone,
   * and two workers on one realm can exceed Intuit's limits together.
   */
  readonly rateLimiter?: SharedRateLimiter | undefined;
}

// Sandbox and production share Intuit's OAuth endpoints; only the API host differs.
function urlsFor(config: QuickbooksProviderConfig): QuickbooksUrls {
  if (config.baseUrl) return quickbooksUrlsAt(config.baseUrl);
  return config.environment === 'sandbox' ? { ...intuitUrls, api: intuitSandboxApi } : intuitUrls;
}

export function createQuickbooksProvider(
  config: QuickbooksProviderConfig,
  limiters: RealmLimiters = new RealmLimiters(config.rateLimit ?? quickbooksLimits.rateLimit),
  meteredReads: MeteredReads = new MeteredReads({ cap: config.monthlyReadCap }),
): ProviderServices {
  const urls = urlsFor(config);
  const token = config.webhookVerifierToken;
  const limit = config.rateLimit ?? quickbooksLimits.rateLimit;
  const shared = config.rateLimiter;
  const limiterFor = (realmId: string) =>
    shared ? shared.forAccount('quickbooks', realmId, limit) : limiters.forRealm(realmId);
  const oauth = createQuickbooksOAuth({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    environment: config.environment,
    urls,
  });
  /**
   * Intuit's grant names no company, only its realm id: read CompanyInfo with the new token so the connection is
   * named as the owner knows the company. Never fails the connection: without a name it keeps the realm id.
   */
  async function named(grant: OAuthGrant): Promise<OAuthGrant> {
    const accounts = await Promise.all(
      grant.accounts.map(async (a) => {
        try {
          const client = createQboClient({
            realmId: a.accountId,
            accessToken: grant.tokens.accessToken,
            apiUrl: urls.api,
            limiter: limiterFor(a.accountId),
            meteredReads,
          });
          const name = QboCompanyInfo.parse(await client.getCompanyInfo()).CompanyName?.trim();
          return name ? { ...a, name } : a;
        } catch {
          return a;
        }
      }),
    );
    return { ...grant, accounts };
  }
  return {
    oauth: { ...oauth, exchangeCode: async (input) => named(await oauth.exchangeCode(input)) },
    connector: (auth) =>
      createQuickbooksConnector({ auth, apiUrl: urls.api, limiter: limiterFor(auth.accountId), meteredReads }),
    ...(token && { verifier: createQuickbooksWebhookVerifier({ verifierToken: token }) }),
  };
}
