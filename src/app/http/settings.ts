// The slice of configuration the web app reads, computed once from Config (STYLE.md B2 #12).
import type { Config } from '../config.js';
import { providerKeys, type ProviderKey } from '../../../integrations/registry.js';

/** live: real provider credentials; simulated: our simulators/ stand in; unavailable: not configured. */
export type ProviderMode = 'live' | 'simulated' | 'unavailable';

export interface RateLimits {
  /** Requests per minute per client address. */
  readonly signIn: number;
  readonly approvals: number;
  /** The client's response page (a signed link like an approval); the approvals limit when unset. */
  readonly respond?: number;
  readonly inbound: number;
  readonly notFound: number;
}

export interface WebSettings {
  readonly production: boolean;
  readonly publicUrl: string;
  readonly appSecret: string;
  /** The local mailbox page: only while mail is not sent over SMTP, and never in production. */
  readonly mailbox: boolean;
  readonly providers: Readonly<Record<ProviderKey, ProviderMode>> & Readonly<Partial<Record<string, ProviderMode>>>;
  readonly limits: RateLimits;
  /** How long a page waits for the case workflow: a Query, and an Update (which waits for the worker). */
  readonly temporalTimeoutsMs: { readonly query: number; readonly update: number };
}

export const defaultLimits: RateLimits = { signIn: 10, approvals: 30, respond: 20, inbound: 120, notFound: 60 };
export const defaultTemporalTimeoutsMs = { query: 5_000, update: 20_000 };

function providerMode(config: Config, key: ProviderKey): ProviderMode {
  if (config.simulators) return 'simulated';
  if (key === 'stripe') return config.providers.stripe?.connectClientId ? 'live' : 'unavailable';
  return config.providers[key] ? 'live' : 'unavailable';
}

/** `appSecret` is the resolved one (config, or the generated local secret). */
export function webSettings(config: Config, appSecret: string): WebSettings {
  return {
    production: config.env === 'production',
    publicUrl: config.http.publicUrl,
    appSecret,
    mailbox: !config.mail.smtpUrl && config.env !== 'production',
    providers: Object.fromEntries(providerKeys.map((k) => [k, providerMode(config, k)])) as Record<
      ProviderKey,
      ProviderMode
    >,
    limits: defaultLimits,
    temporalTimeoutsMs: defaultTemporalTimeoutsMs,
  };
}

export const isSecureOrigin = (s: Pick<WebSettings, 'publicUrl'>) => s.publicUrl.startsWith('https:');
