// Connecting a Stripe account: Connect OAuth as an OAuthProvider, or a pasted restricted key.
import type { ConnectedAccount, OAuthGrant, OAuthProvider, TokenSet } from '../types.js';
import { IntegrationError } from '../errors.js';
import { createStripeClient, type StripeClient } from './client.js';
import { restrictedKeyScope } from './connection.js';
import { withStripeErrors } from './errors.js';
import { StripeAccount, StripeOAuthToken } from './schemas.js';

export interface StripeConnectOptions {
  readonly secretKey: string;
  /** The platform's Connect client id, `ca_…`. */
  readonly clientId: string;
  readonly scope?: 'read_only' | 'read_write';
  /** Simulator base URL: API and Connect hosts both move there. */
  readonly baseUrl?: string;
  readonly now?: () => number;
}

/** How long we remember when a consent started, to recognise an account Stripe created during it. */
const consentMemoryMs = 60 * 60_000;

export interface RestrictedKeyConnection {
  readonly account: ConnectedAccount;
  readonly tokens: TokenSet;
  readonly livemode: boolean;
}

export interface StripeConnect extends OAuthProvider {
  /** Checks a pasted key against the API before it is stored. */
  verifyRestrictedKey(key: string): Promise<RestrictedKeyConnection>;
  deauthorize(accountId: string): Promise<void>;
}

const restrictedKeyPattern = /^rk_(test|live)_[A-Za-z0-9]+$/;

export function accountName(raw: StripeAccount): string {
  return raw.business_profile?.name ?? raw.settings?.dashboard?.display_name ?? raw.email ?? raw.id;
}

function authorizeUrlOn(generated: string, baseUrl: string | undefined): string {
  if (!baseUrl) return generated;
  // The SDK always writes https://<host>/ for Connect; a simulator listens on its own origin.
  const url = new URL(generated);
  const base = new URL(baseUrl);
  url.protocol = base.protocol;
  url.host = base.host;
  return url.toString();
}

function toTokens(raw: unknown, previous?: TokenSet): { tokens: TokenSet; accountId: string } {
  const t = StripeOAuthToken.parse(raw);
  const refreshToken = t.refresh_token ?? previous?.refreshToken;
  return {
    accountId: t.stripe_user_id,
    tokens: { accessToken: t.access_token, ...(refreshToken && { refreshToken }), ...(t.scope && { scope: t.scope }) },
  };
}

function platformClient(o: StripeConnectOptions): StripeClient {
  return createStripeClient({ apiKey: o.secretKey, ...(o.baseUrl && { baseUrl: o.baseUrl }) });
}

async function verifyRestrictedKey(o: StripeConnectOptions, key: string): Promise<RestrictedKeyConnection> {
  if (!restrictedKeyPattern.test(key)) {
    throw new IntegrationError('invalid', 'Expected a Stripe restricted key (rk_live_… or rk_test_…)', {
      provider: 'stripe',
    });
  }
  const client = createStripeClient({ apiKey: key, ...(o.baseUrl && { baseUrl: o.baseUrl }) });
  const account = StripeAccount.parse(await client.call((s, opts) => s.accounts.retrieveCurrent({}, opts)));
  // Fail at connect time, not at the first sync, when the key cannot read invoices.
  await client.call((s, opts) => s.invoices.list({ limit: 1 }, opts));
  return {
    account: { accountId: account.id, name: accountName(account) },
    tokens: { accessToken: key, scope: restrictedKeyScope },
    livemode: key.startsWith('rk_live_'),
  };
}

export function createStripeConnect(o: StripeConnectOptions): StripeConnect {
  const platform = platformClient(o);
  const deauthorize = (accountId: string) =>
    withStripeErrors(
      async () =>
        void (await platform.call((s, opts) =>
          s.oauth.deauthorize({ client_id: o.clientId, stripe_user_id: accountId }, opts),
        )),
    );

  const now = o.now ?? Date.now;
  const consentsStarted = new Map<string, number>();

  /**
   * An account Stripe created during the consent itself, with no invoices, is what a merchant whose Standard
   * account another platform controls ends up with: OAuth with read_write cannot connect such an account (June
   * 2021), so Stripe's onboarding makes a separate, new one. Stripe reports no error, so we look.
   */
  async function refuseEmptyNewAccount(account: StripeAccount, state: string | undefined): Promise<void> {
    const started = state === undefined ? undefined : consentsStarted.get(state);
    if (state !== undefined) consentsStarted.delete(state);
    if (started === undefined || account.created === undefined || account.created * 1000 <= started) return;
    const invoices = await platform.call((s, opts) =>
      s.invoices.list({ limit: 1 }, { ...opts, stripeAccount: account.id }),
    );
    if (invoices.data.length > 0) return;
    // Nothing to sync from it, and the owner's real account stays unconnected: let go of it and say why.
    await deauthorize(account.id).catch(() => undefined);
    throw new IntegrationError(
      'invalid',
      `Stripe connected a new, empty Stripe account (${accountName(account)}) instead of your existing one. That happens when your ` +
        'Stripe account is managed by another platform: Stripe then lets a platform connect only a separate, new account. ' +
        'Connect with a restricted key instead (Connections page, "Stripe restricted key"), which reads your existing account.',
      { provider: 'stripe', code: 'account_controlled_elsewhere' },
    );
  }

  return {
    provider: 'stripe',
    authorizeUrl: ({ state, redirectUri }) => {
      const at = now();
      for (const [k, t] of consentsStarted) if (at - t > consentMemoryMs) consentsStarted.delete(k);
      consentsStarted.set(state, at);
      return authorizeUrlOn(
        platform.sdk.oauth.authorizeUrl({
          response_type: 'code',
          client_id: o.clientId,
          scope: o.scope ?? 'read_write',
          state,
          redirect_uri: redirectUri,
        }),
        o.baseUrl,
      );
    },

    exchangeCode: ({ query }) =>
      withStripeErrors(async (): Promise<OAuthGrant> => {
        if (query.error)
          throw new IntegrationError(
            'auth',
            `Stripe Connect was not granted: ${query.error_description ?? query.error}`,
            { provider: 'stripe', code: query.error },
          );
        if (!query.code)
          throw new IntegrationError('invalid', 'Stripe Connect callback has no code', { provider: 'stripe' });
        const code = query.code;
        const { tokens, accountId } = toTokens(
          await platform.call((s, opts) => s.oauth.token({ grant_type: 'authorization_code', code }, opts)),
        );
        const account = StripeAccount.parse(await platform.call((s, opts) => s.accounts.retrieve(accountId, {}, opts)));
        await refuseEmptyNewAccount(account, query.state);
        return { tokens, accounts: [{ accountId, name: accountName(account) }] };
      }),

    refresh: (tokens) =>
      withStripeErrors(async () => {
        // Restricted keys and Connect access tokens do not expire; only a Connect refresh token can mint a new one.
        if (tokens.scope === restrictedKeyScope || !tokens.refreshToken) return tokens;
        const refreshToken = tokens.refreshToken;
        return toTokens(
          await platform.call((s, opts) =>
            s.oauth.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, opts),
          ),
          tokens,
        ).tokens;
      }),

    revoke: (tokens) =>
      withStripeErrors(async () => {
        // A restricted key can only be rolled by its owner in the Dashboard; forgetting it is all we can do.
        if (tokens.scope === restrictedKeyScope) return;
        const asAccount = createStripeClient({ apiKey: tokens.accessToken, ...(o.baseUrl && { baseUrl: o.baseUrl }) });
        let accountId: string;
        try {
          accountId = StripeAccount.parse(await asAccount.call((s, opts) => s.accounts.retrieveCurrent({}, opts))).id;
        } catch (e) {
          if (e instanceof IntegrationError && e.kind === 'auth') return; // the grant is already gone
          throw e;
        }
        await deauthorize(accountId);
      }),

    verifyRestrictedKey: (key) => withStripeErrors(() => verifyRestrictedKey(o, key)),
    deauthorize,
  };
}
