// A provider's error as the owner reads it (each provider's wire codes live here, with the providers): what happened
// the provider sent (`message=AuthenticationFailed; errorCode=003200; statusCode=401`). The raw text stays
// available beside it for support. Used by the connections page and the broken-connection email.
import type { ProviderKey } from '../src/domain/model.js';
import { providerLabel } from './registry.js';

export interface ExplainedError {
  /** What happened, in plain words. */
  readonly what: string;
  /** What the owner should do about it. */
  readonly action: string;
  /** Shortfall resolves it by itself; nothing to do but wait. */
  readonly transient: boolean;
  readonly raw: string;
}

interface Rule {
  readonly test: RegExp;
  readonly what: (p: string) => string;
  readonly action: (p: string) => string;
  readonly transient?: boolean;
}

const reconnect = (p: string) => `Reconnect ${p} on this page; syncing resumes where it stopped.`;

const rules: readonly Rule[] = [
  {
    // QuickBooks 003200/003100, Xero AuthenticationUnsuccessful/TokenExpired, OAuth invalid_grant, Stripe expired keys.
    test: /AuthenticationFailed|errorCode=0032\d\d|AuthenticationUnsuccessful|TokenExpired|invalid_grant|refresh token|unauthori[sz]ed|statusCode=401|\b401\b|api_key_expired|Invalid API Key|expired_token/i,
    what: (p) => `${p} no longer accepts Shortfall's access: the sign-in expired, or someone revoked it in ${p}.`,
    action: reconnect,
  },
  {
    test: /ApplicationAuthorizationFailed|errorCode=003100|statusCode=403|\b403\b|Forbidden|insufficient.?scope|permission/i,
    what: (p) =>
      `${p} refused Shortfall for this company: the user who connected it may have lost admin rights, or the subscription lapsed.`,
    action: (p) =>
      `Check the company's subscription and that the person connecting is an admin in ${p}, then reconnect it here.`,
  },
  {
    test: /monthly read limit/i,
    what: (p) =>
      `${p} stopped Shortfall's reads for the rest of this calendar month (the app's monthly allowance is spent).`,
    action: () =>
      'Nothing to do here: syncing resumes when the month turns. Whoever runs Shortfall can raise the allowance (QUICKBOOKS_MONTHLY_READ_CAP).',
    transient: true,
  },
  {
    test: /ThrottleExceeded|rate.?limit|Too Many Requests|statusCode=429|\b429\b|daily (call )?limit/i,
    what: (p) => `${p} asked Shortfall to slow down (too many requests in a short time).`,
    action: () => 'Nothing to do: Shortfall waits and tries again by itself.',
    transient: true,
  },
  {
    test: /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|timed? ?out|fetch failed|network|statusCode=5\d\d|\b50[234]\b|Service Unavailable/i,
    what: (p) => `Shortfall could not reach ${p} (a network problem or an outage on their side).`,
    action: () => 'Nothing to do: Shortfall tries again by itself. If it lasts more than a day, reconnect.',
    transient: true,
  },
  {
    test: /revoked|deauthori[sz]ed|disconnected/i,
    what: (p) => `The connection was ended from ${p}'s side.`,
    action: reconnect,
  },
];

export function explainProviderError(provider: ProviderKey, raw: string): ExplainedError {
  const p = providerLabel(provider);
  const rule = rules.find((r) => r.test.test(raw));
  if (rule) return { what: rule.what(p), action: rule.action(p), transient: rule.transient ?? false, raw };
  return {
    what: `${p} refused a request from Shortfall.`,
    action: `If this stays for more than a day, reconnect ${p}; if it comes back, send the details below to whoever runs Shortfall.`,
    transient: false,
    raw,
  };
}
