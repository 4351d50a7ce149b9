// The QuickBooks Online provider: what the registry and the routes need, nothing SDK-shaped.
export { createQuickbooksConnector, type QuickbooksConnectorConfig } from './connector.js';
export { RealmLimiters, createRealmLimiter } from './limiter.js';
export { quickbooksLimits, type RateLimit } from './limits.js';
export { MeteredReads, monthlyReadCapCode, type MeteredReadsOptions } from './metered.js';
export { accountingScope, createQuickbooksOAuth, type QuickbooksOAuthConfig } from './oauth.js';
export { createQuickbooksProvider, type QuickbooksProviderConfig } from './provider.js';
export { quickbooksRequestId } from './request-id.js';
export { intuitSandboxApi, intuitUrls, quickbooksUrlsAt, type QuickbooksUrls } from './urls.js';
export { createQuickbooksWebhookVerifier, signatureHeader } from './webhook.js';
