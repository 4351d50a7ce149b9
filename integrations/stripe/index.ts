// Public surface of the Stripe provider folder.
export { createStripeClient, type StripeClient, type StripeClientOptions } from './client.js';
export { restrictedKeyScope, stripeClientForConnection, type StripePlatform } from './connection.js';
export { createStripeConnector, type StripeConnector, type StripeConnectorOptions } from './connector.js';
export { requestKeyMetadata, type CreditNoteReason } from './credit-notes.js';
export { fromStripeAmount, stripeExponent, toStripeAmount } from './currency.js';
export { toIntegrationError } from './errors.js';
export { syncedEventTypes } from './events.js';
export {
  createStripeDisputeEvidence,
  type DisputeEvidenceFileField,
  type DisputeEvidenceFiles,
  type DisputeEvidencePort,
  type DisputeEvidenceText,
  type DisputeEvidenceTextField,
  type DisputeState,
  type EvidenceFile,
} from './evidence.js';
export { stripeLimits } from './limits.js';
export {
  accountName,
  createStripeConnect,
  type RestrictedKeyConnection,
  type StripeConnect,
  type StripeConnectOptions,
} from './oauth.js';
export { createStripePacer } from './pacing.js';
export { createStripeWebhookVerifier, isDeauthorization, type StripeWebhookOptions } from './webhook.js';
