// Builds every configured provider from its settings, with the capabilities that stand beside the registry (a key
// the owner pastes instead of an OAuth consent): the one place that constructs providers by name, so the app's
// wiring (src/app/deps.ts) hands over settings and stays provider-neutral.
//
// Each provider's code, and its SDK with it (node-quickbooks and intuit-oauth; xero-node and openid-client; stripe),
// loads the first time the process uses that provider, not at start: a worker whose cases are all on one ledger never
// carries the other two SDKs (issue 18: they were about 35 MB of every worker's V8 heap, most of its idle base).
// What must answer synchronously (an OAuth consent URL, a webhook signature check, the app's connection cap) needs
// its provider loaded first: a process that serves HTTP awaits `ready()` before it listens.
import { createProviderRegistry, type ProviderConfigs, type ProviderKey, type ProviderServices } from './registry.js';
import type {
  ConnectedAccount,
  ConnectionAuth,
  DisputeEvidencePort,
  LedgerConnector,
  OAuthProvider,
  SharedRateLimiter,
  TokenSet,
  WebhookVerifier,
} from './types.js';

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

export class ProviderNotLoadedError extends Error {
  override readonly name = 'ProviderNotLoadedError';
  constructor(readonly provider: string) {
    super(
      `Provider ${provider} is loaded on first use and has not been yet: await the registry's ready() before answering synchronously (OAuth consent URLs, webhook signatures)`,
    );
  }
}

/** What a provider offers, known from its settings before its code is loaded. */
interface Shape {
  readonly verifier: boolean;
  readonly disputeEvidence: boolean;
}

/**
 * A provider that loads its code on first use. Everything asynchronous waits for the load; what must answer at once
 * (`authorizeUrl`, `verify`, the optional OAuth members) answers once it is loaded and throws before. Connectors
 * and evidence ports built after the load are the provider's own, with nothing in between.
 */
export function lazyProvider(
  key: ProviderKey,
  load: () => Promise<ProviderServices>,
  shape: Shape,
): { readonly services: ProviderServices; ready(): Promise<ProviderServices> } {
  let loaded: ProviderServices | undefined;
  let loading: Promise<ProviderServices> | undefined;
  const ready = () =>
    (loading ??= load().then(
      (s) => (loaded = s),
      (err: unknown) => {
        loading = undefined; // a failed load (a file missing mid-deploy) is tried again by the next use
        throw err;
      },
    ));
  const now = (): ProviderServices => {
    if (!loaded) throw new ProviderNotLoadedError(key);
    return loaded;
  };

  const oauth: OAuthProvider = {
    provider: key,
    authorizeUrl: (i) => now().oauth.authorizeUrl(i),
    exchangeCode: async (i) => (await ready()).oauth.exchangeCode(i),
    refresh: async (t) => (await ready()).oauth.refresh(t),
    revoke: async (t) => (await ready()).oauth.revoke(t),
    // Optional members: whether the provider has them is its own to say, once loaded.
    get disconnectAccount() {
      const o = now().oauth;
      return o.disconnectAccount?.bind(o);
    },
    get listAccounts() {
      const o = now().oauth;
      return o.listAccounts?.bind(o);
    },
    get connectionLimit() {
      return now().oauth.connectionLimit;
    },
    get connectionLimitSetting() {
      return now().oauth.connectionLimitSetting;
    },
  };

  function connector(auth: ConnectionAuth): LedgerConnector {
    if (loaded) return loaded.connector(auth);
    let real: Promise<LedgerConnector> | undefined;
    const get = () => (real ??= ready().then((s) => s.connector(auth)));
    return {
      provider: key,
      pullChanges: async (i) => (await get()).pullChanges(i),
      getInvoice: async (id) => (await get()).getInvoice(id),
      getInvoicePdf: async (id) => (await get()).getInvoicePdf(id),
      postCreditNote: async (r) => (await get()).postCreditNote(r),
      paymentLink: async (id) => {
        const c = await get();
        return c.paymentLink ? c.paymentLink(id) : null;
      },
    };
  }

  function disputeEvidence(auth: ConnectionAuth): DisputeEvidencePort {
    const own = (s: ProviderServices) => {
      if (!s.disputeEvidence) throw new Error(`${key} takes no dispute evidence`);
      return s.disputeEvidence(auth);
    };
    if (loaded) return own(loaded);
    let real: Promise<DisputeEvidencePort> | undefined;
    const get = () => (real ??= ready().then(own));
    return {
      stage: async (i) => (await get()).stage(i),
      submit: async (i) => (await get()).submit(i),
    };
  }

  const verifier: WebhookVerifier = {
    provider: key,
    verify: (i) => {
      const v = now().verifier;
      if (!v) throw new Error(`${key} has no webhook verifier configured`);
      return v.verify(i);
    },
  };

  return {
    services: {
      oauth,
      connector,
      // Nothing is kept for an account before the provider's code is loaded.
      forget: (accountId) => loaded?.forget?.(accountId),
      ...(shape.verifier && { verifier }),
      ...(shape.disputeEvidence && { disputeEvidence }),
    },
    ready,
  };
}

export function createProviders(setup: ProviderSetup) {
  const base = setup.baseUrls ?? {};
  const stripeConfig = setup.configs.stripe;
  const rateLimiter = setup.rateLimiter;
  const lazy: { ready(): Promise<ProviderServices> }[] = [];
  const keep = <T extends { ready(): Promise<ProviderServices> }>(p: T) => (lazy.push(p), p);
  const registry = createProviderRegistry(
    {
      quickbooks: (c) =>
        keep(
          lazyProvider(
            'quickbooks',
            async () =>
              (await import('./quickbooks/provider.js')).createQuickbooksProvider({
                ...c,
                baseUrl: base.quickbooks,
                rateLimiter,
              }),
            { verifier: Boolean(c.webhookVerifierToken), disputeEvidence: false },
          ),
        ).services,
      xero: (c) =>
        keep(
          lazyProvider(
            'xero',
            async () =>
              (await import('./xero/provider.js')).createXeroProvider({ ...c, baseUrl: base.xero, rateLimiter }),
            { verifier: Boolean(c.webhookKey), disputeEvidence: false },
          ),
        ).services,
      stripe: (c) =>
        keep(
          lazyProvider(
            'stripe',
            async () =>
              (await import('./stripe/provider.js')).createStripeServices({
                ...c,
                ...(base.stripe ? { baseUrl: base.stripe } : {}),
                rateLimiter,
              }).services,
            { verifier: Boolean(c.webhookSecret), disputeEvidence: true },
          ),
        ).services,
    },
    setup.configs,
  );
  let connect: Promise<{ verifyRestrictedKey: ApiKeyConnect['verify'] }> | undefined;
  const apiKey: ApiKeyConnect | undefined =
    stripeConfig?.secretKey !== undefined || base.stripe
      ? {
          provider: 'stripe',
          verify: async (key) => {
            connect ??= import('./stripe/oauth.js').then(({ createStripeConnect }) =>
              createStripeConnect({
                secretKey: stripeConfig?.secretKey ?? '',
                clientId: stripeConfig?.connectClientId ?? '',
                ...(base.stripe ? { baseUrl: base.stripe } : {}),
              }),
            );
            return (await connect).verifyRestrictedKey(key);
          },
        }
      : undefined;
  return {
    registry: {
      ...registry,
      /** Loads every configured provider's code: a process that serves HTTP awaits this before it listens. */
      ready: async (): Promise<void> => void (await Promise.all(lazy.map((p) => p.ready()))),
    },
    ...(apiKey && { apiKey }),
  };
}
