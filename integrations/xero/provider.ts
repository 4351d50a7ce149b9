// The Xero entry for the provider registry: config slice in, OAuth client, per-connection connectors and the
// webhook verifier out. Connectors for the same tenant share one limiter, since Xero's limits are per tenant.
import type { ProviderServices } from '../registry.js';
import type { SharedRateLimiter } from '../types.js';
import { createXeroConnector } from './connector.js';
import { XeroTenantLimiters } from './limiter.js';
import { xeroLimits, xeroTierLimits, type XeroTier } from './limits.js';
import { createXeroOAuth, type XeroOAuthProvider, type XeroScopeSet } from './oauth.js';
import { xeroUrls, xeroUrlsAt } from './urls.js';
import { createXeroWebhookVerifier } from './webhook.js';

export interface XeroProviderConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookKey?: string | undefined;
  /** Space-separated as XERO_SCOPES holds them, or a list; overrides scopeSet. */
  readonly scopes?: string | readonly string[] | undefined;
  /** XERO_SCOPE_SET: granular (default; apps created from 2 March 2026) or broad (older apps). */
  readonly scopeSet?: XeroScopeSet | undefined;
  /** XERO_TIER: the app's Xero tier (default starter), which sets the daily calls and connections below. */
  readonly tier?: XeroTier | undefined;
  /** XERO_DAILY_CALL_LIMIT: overrides the tier's calls per organisation per day. */
  readonly dailyCallLimit?: number | undefined;
  /** XERO_CONNECTION_LIMIT: overrides the tier's connected organisations. */
  readonly connectionLimit?: number | undefined;
  /** Every endpoint on this one host (the simulator, for tests and the embedded demo); Xero's hosts otherwise. */
  readonly baseUrl?: string | undefined;
  /** Counts each tenant's requests across every process of the deployment; without it each process paces alone. */
  readonly rateLimiter?: SharedRateLimiter | undefined;
}

export function createXeroProvider(
  config: XeroProviderConfig,
  limiters?: XeroTenantLimiters,
): ProviderServices & { readonly oauth: XeroOAuthProvider } {
  const urls = config.baseUrl ? xeroUrlsAt(config.baseUrl) : xeroUrls;
  const scopes = typeof config.scopes === 'string' ? config.scopes.split(/\s+/).filter(Boolean) : config.scopes;
  const tier = xeroTierLimits(config.tier, { perDay: config.dailyCallLimit, connections: config.connectionLimit });
  const perTenant =
    limiters ??
    new XeroTenantLimiters({ ...xeroLimits.rateLimit, perDay: tier.perDay }, Date.now, tier.label, config.rateLimiter);
  const key = config.webhookKey;
  return {
    oauth: createXeroOAuth({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      urls,
      connectionLimit: tier.connections,
      ...(scopes && scopes.length > 0 && { scopes }),
      ...(config.scopeSet && { scopeSet: config.scopeSet }),
    }),
    connector: (auth) =>
      createXeroConnector({ auth, apiBasePath: urls.accountingApi, limiter: perTenant.forTenant(auth.accountId) }),
    ...(key && { verifier: createXeroWebhookVerifier({ webhookKey: key }) }),
  };
}
