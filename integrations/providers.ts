// Builds every configured provider from its settings, with the capabilities that stand beside the registry (a key
// the owner pastes instead of an OAuth consent): the one place that constructs providers by name, so the app's
// wiring (src/app/deps.ts) hands over settings and stays provider-neutral.
import { createQuickbooksProvider } from './quickbooks/provider.js';
import { createProviderRegistry, type ProviderConfigs, type ProviderKey } from './registry.js';
import { createStripeConnect } from './stripe/oauth.js';
import { createStripeServices } from './stripe/provider.js';
import type { ConnectedAccount, SharedRateLimiter, TokenSet } from './types.js';
import { createXeroProvider } from './xero/provider.js';

export interface ProviderSetup {
  readonly configs: ProviderConfigs;
  /** Where a provider's API answers when not at its own address (the sandbox's simulators). */
  readonly baseUrls?: Partial<Record<ProviderKey, string>>;
  /** One budget per provider account shared by every process (src/services/limits); per process when absent. */
  readonly rateLimiter?: SharedRateLimiter | undefined;
}

/** Capability: connecting with a restricted API key the owner pastes, checked with the provider first. */
export interface ApiKeyConnect {
  readonly provider: ProviderKey;
  verify(key: string): Promise<{ account: ConnectedAccount; tokens: TokenSet; livemode: boolean }>;
}

export function createProviders(setup: ProviderSetup) {
  const base = setup.baseUrls ?? {};
  const stripeConfig = setup.configs.stripe;
  const rateLimiter = setup.rateLimiter;
  const stripe = createStripeServices({
    ...stripeConfig,
    ...(base.stripe ? { baseUrl: base.stripe } : {}),
    rateLimiter,
  });
  const registry = createProviderRegistry(
    {
      quickbooks: (c) => createQuickbooksProvider({ ...c, baseUrl: base.quickbooks, rateLimiter }),
      xero: (c) => createXeroProvider({ ...c, baseUrl: base.xero, rateLimiter }),
      stripe: () => stripe.services,
    },
    setup.configs,
  );
  const connect =
    stripeConfig?.secretKey !== undefined || base.stripe
      ? createStripeConnect({
          secretKey: stripeConfig?.secretKey ?? '',
          clientId: stripeConfig?.connectClientId ?? '',
          ...(base.stripe ? { baseUrl: base.stripe } : {}),
        })
      : undefined;
  const apiKey: ApiKeyConnect | undefined = connect && {
    provider: 'stripe',
    verify: (key) => connect.verifyRestrictedKey(key),
  };
  return { registry, ...(apiKey && { apiKey }) };
}
