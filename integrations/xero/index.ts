// The Xero provider: what the registry and the routes need, nothing SDK-shaped.
export { createXeroConnector, type XeroConnectorConfig } from './connector.js';
export { withOpenInvoiceSweep } from './cursor.js';
export { xeroIdempotencyKey } from './idempotency.js';
export { TenantLimiter, XeroTenantLimiters, readRateHeaders, type RateSnapshot } from './limiter.js';
export { xeroLimits, type XeroRateLimit } from './limits.js';
export { createXeroOAuth, xeroScopes, type XeroOAuthConfig, type XeroOAuthProvider } from './oauth.js';
export { createXeroProvider, type XeroProviderConfig } from './provider.js';
export { xeroUrls, xeroUrlsAt, type XeroUrls } from './urls.js';
export { createXeroWebhookVerifier, signatureHeader } from './webhook.js';
