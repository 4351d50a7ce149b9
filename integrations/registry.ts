// The one place that knows every provider (STYLE.md B2 #9). Each provider folder contributes a factory that
// turns its config slice into an OAuth client, a connector per connection and a webhook verifier; wiring a
// provider is one entry in the factories object, and `satisfies ProviderFactories` flags a missing one.
import type { QuickbooksProviderConfig } from './quickbooks/provider.js';
import type { StripeProviderConfig } from './stripe/provider.js';
import type { XeroProviderConfig } from './xero/provider.js';
import type { ConnectionAuth, DisputeEvidencePort, LedgerConnector, OAuthProvider, WebhookVerifier } from './types.js';

/** Every provider Shortfall can connect to: the one list (core code takes a provider's key as data). */
export const providerKeys = ['quickbooks', 'xero', 'stripe'] as const;
export type ProviderKey = (typeof providerKeys)[number];
export const isProviderKey = (key: string): key is ProviderKey => (providerKeys as readonly string[]).includes(key);

/** What core code may know of a provider, declared here so that it never branches on a provider's name. */
interface ProviderTraits {
  /** The provider's name as the owner knows it, for texts that must name it. */
  readonly label: string;
  /** A bookkeeping ledger: card payments taken through a processor are booked on its invoices. */
  readonly bookkeeping: boolean;
  /** The request header that carries its webhook signature (redacted from logs). */
  readonly signatureHeader: string;
}

const traits: Readonly<Record<ProviderKey, ProviderTraits>> = {
  quickbooks: { label: 'QuickBooks Online', bookkeeping: true, signatureHeader: 'intuit-signature' },
  xero: { label: 'Xero', bookkeeping: true, signatureHeader: 'x-xero-signature' },
  stripe: { label: 'Stripe', bookkeeping: false, signatureHeader: 'stripe-signature' },
};

export const providerLabel = (key: string): string => (isProviderKey(key) ? traits[key].label : key);
export const bookkeepingProviders: readonly ProviderKey[] = providerKeys.filter((k) => traits[k].bookkeeping);
export const webhookSignatureHeaders: readonly string[] = providerKeys.map((k) => traits[k].signatureHeader);

/** Each provider's settings, as the provider declares them; the app's configuration fills them in. */
interface ProviderSettings {
  readonly quickbooks: QuickbooksProviderConfig;
  readonly xero: XeroProviderConfig;
  readonly stripe: StripeProviderConfig;
}

export type ProviderConfig<K extends ProviderKey> = ProviderSettings[K];
export type ProviderConfigs = { readonly [K in ProviderKey]?: ProviderConfig<K> };

export interface ProviderServices {
  readonly oauth: OAuthProvider;
  /** A connector acting for one connection; build one per use, with fresh auth from the vault. */
  connector(auth: ConnectionAuth): LedgerConnector;
  /** Absent when the provider's webhook secret is not configured: its webhooks are then refused. */
  readonly verifier?: WebhookVerifier;
  /** Capability: answering card disputes with evidence, for one connection (Stripe). */
  readonly disputeEvidence?: (auth: ConnectionAuth) => DisputeEvidencePort;
  /**
   * Drops what the provider keeps in this process for one account (SDK clients holding its key, caches), once its
   * connection is disconnected or deauthorized. Absent where the provider keeps nothing per account.
   */
  readonly forget?: (accountId: string) => void;
}

export type ProviderFactory<K extends ProviderKey> = (config: ProviderConfig<K>) => ProviderServices;
export type ProviderFactories = { readonly [K in ProviderKey]: ProviderFactory<K> };

export class ProviderNotConfiguredError extends Error {
  override readonly name = 'ProviderNotConfiguredError';
  constructor(readonly provider: string) {
    super(`Provider ${provider} is not configured`);
  }
}

function build(factories: ProviderFactories, configs: ProviderConfigs, key: ProviderKey): ProviderServices | undefined {
  switch (key) {
    case 'quickbooks':
      return configs.quickbooks && factories.quickbooks(configs.quickbooks);
    case 'xero':
      return configs.xero && factories.xero(configs.xero);
    case 'stripe':
      return configs.stripe && factories.stripe(configs.stripe);
  }
}

/**
 * Builds every configured provider's entry at once. The app's providers (integrations/providers.ts) load their code on
 * first use, so a setting only the provider's own code checks fails when that provider is first used (or at ready(),
 * which a process serving HTTP awaits before it listens), not when a worker-only process starts: the settings the
 * app reads are checked at start by src/app/config.ts.
 */
export function createProviderRegistry(factories: ProviderFactories, configs: ProviderConfigs) {
  const built = new Map<ProviderKey, ProviderServices>();
  for (const key of providerKeys) {
    const services = build(factories, configs, key);
    if (services) built.set(key, services);
  }
  return {
    get(key: string): ProviderServices {
      const services = isProviderKey(key) ? built.get(key) : undefined;
      if (!services) throw new ProviderNotConfiguredError(key);
      return services;
    },
    configured: (): ProviderKey[] => [...built.keys()],
    verifiers: (): Partial<Record<ProviderKey, WebhookVerifier>> =>
      Object.fromEntries([...built].flatMap(([key, s]) => (s.verifier ? [[key, s.verifier]] : []))),
  };
}

export type ProviderRegistry = ReturnType<typeof createProviderRegistry>;
