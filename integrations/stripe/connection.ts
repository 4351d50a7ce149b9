// Two ways a Stripe account is connected: Connect OAuth (platform key + Stripe-Account header) or a
// restricted key the merchant pasted (the key itself, no header). The TokenSet's scope tells them apart.
import type { ConnectionAuth, RequestScheduler } from '../types.js';
import { createStripeClient, type StripeClient } from './client.js';

/** TokenSet.scope for a connection made with a restricted key rather than Connect OAuth. */
export const restrictedKeyScope = 'stripe_restricted_key';

export interface StripePlatform {
  /** The platform's secret key: Connect requests are made with it on behalf of the connected account. */
  readonly secretKey: string;
  readonly baseUrl?: string;
  readonly opsPerSecond?: number;
  readonly maxNetworkRetries?: number;
  readonly timeoutMs?: number;
}

export function stripeClientForConnection(
  auth: ConnectionAuth,
  platform: StripePlatform,
  pacer?: RequestScheduler,
): StripeClient {
  const shared = {
    ...(platform.baseUrl && { baseUrl: platform.baseUrl }),
    ...(platform.opsPerSecond && { opsPerSecond: platform.opsPerSecond }),
    ...(platform.maxNetworkRetries !== undefined && { maxNetworkRetries: platform.maxNetworkRetries }),
    ...(platform.timeoutMs && { timeoutMs: platform.timeoutMs }),
    ...(pacer && { pacer }),
  };
  if (auth.tokens.scope === restrictedKeyScope)
    return createStripeClient({ ...shared, apiKey: auth.tokens.accessToken });
  return createStripeClient({ ...shared, apiKey: platform.secretKey, stripeAccount: auth.accountId });
}
