// The Xero entry for the provider registry: config slice in, OAuth client, per-connection connectors and the
// webhook verifier out. Connectors for the same tenant share one limiter, since Xero's limits are per tenant.
import type { ProviderServices } from '../registry.js';
import { createXeroConnector } from './connector.js';
import { XeroTenantLimiters } from './limiter.js';
import { createXeroOAuth, type XeroOAuthProvider } from './oauth.js';
import { xeroUrls, xeroUrlsAt } from './urls.js';
import { createXeroWebhookVerifier } from './webhook.js';

export interface XeroProviderConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookKey?: string | undefined;
  /** Space-separated as XERO_SCOPES holds them, or a list; the broad set when absent. */
  readonly scopes?: string | readonly string[] | undefined;
  /** Every endpoint on this one host (the simulator, for tests and the embedded demo); Xero's hosts otherwise. */
  readonly baseUrl?: string | undefined;
}

export function createXeroProvider(config: XeroProviderConfig, limiters: XeroTenantLimiters = new XeroTenantLimiters()): ProviderServices & { readonly oauth: XeroOAuthProvider } {
  const urls = config.baseUrl ? xeroUrlsAt(config.baseUrl) : xeroUrls;
  const scopes = typeof config.scopes === 'string' ? config.scopes.split(/\s+/).filter(Boolean) : config.scopes;
  const key = config.webhookKey;
  return {
    oauth: createXeroOAuth({ clientId: config.clientId, clientSecret: config.clientSecret, urls, ...(scopes && { scopes }) }),
    connector: (auth) => createXeroConnector({ auth, apiBasePath: urls.accountingApi, limiter: limiters.forTenant(auth.accountId) }),
    ...(key && { verifier: createXeroWebhookVerifier({ webhookKey: key }) }),
  };
}
