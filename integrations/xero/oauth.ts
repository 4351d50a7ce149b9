// Xero OAuth 2.0 through xero-node: consent URL, code exchange, /connections, refresh with rotation, revoke.
// xero-node discovers identity.xero.com itself unless handed an openid-client Client, so we always hand it
// one built from the configured URLs (production by default, the simulator in tests).
import { Issuer, custom, type Client, type TokenSet as OpenIdTokenSet } from 'openid-client';
import { XeroClient } from 'xero-node';
import { IntegrationError } from '../errors.js';
import type { ConnectedAccount, OAuthGrant, OAuthProvider, TokenSet } from '../types.js';
import { deleteConnection, listConnections, type ConnectionsApi } from './connections.js';
import { fromOAuthFailure } from './errors.js';
import { xeroLimits } from './limits.js';
import { XeroTokenResponse } from './schemas.js';
import { xeroUrls, type XeroUrls } from './urls.js';

export const xeroScopes = {
  /** Apps created before 2 March 2026 (allowed until September 2027): the broad transactions scope. */
  broad: ['offline_access', 'accounting.transactions', 'accounting.contacts.read', 'accounting.settings.read'],
  /**
   * Apps created on or after 2 March 2026 get only granular scopes (developer.xero.com/faq/granular-scopes).
   * accounting.invoices covers Invoices, CreditNotes (and their allocations and history); we only read payments,
   * contacts and settings, so those are the read-only variants.
   */
  granular: [
    'offline_access',
    'accounting.invoices',
    'accounting.payments.read',
    'accounting.contacts.read',
    'accounting.settings.read',
  ],
} as const;
export type XeroScopeSet = keyof typeof xeroScopes;

export interface XeroOAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Exact scopes (XERO_SCOPES); else the scope set's. */
  readonly scopes?: readonly string[];
  /** granular (default, apps created from 2 March 2026) or broad (older apps). */
  readonly scopeSet?: XeroScopeSet;
  /** Most organisations the app may have connected (its Xero tier); Shortfall refuses more with a clear message. */
  readonly connectionLimit?: number;
  readonly urls?: XeroUrls;
  readonly now?: () => number;
  readonly httpTimeoutMs?: number;
}

export interface XeroOAuthProvider extends OAuthProvider {
  /** The organisations the grant reaches; the owner picks which to connect. */
  listAccounts(tokens: TokenSet): Promise<ConnectedAccount[]>;
  /** Disconnects one organisation (DELETE /connections/{id}); the grant keeps the others. */
  disconnectAccount(input: { tokens: TokenSet; accountId: string }): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toTokenSet(t: OpenIdTokenSet, issuedAt: number, previous?: TokenSet): TokenSet {
  const parsed = XeroTokenResponse.parse({
    access_token: t.access_token,
    refresh_token: t.refresh_token,
    expires_in: t.expires_in,
    scope: t.scope,
  });
  const refreshToken = parsed.refresh_token ?? previous?.refreshToken;
  return {
    accessToken: parsed.access_token,
    ...(refreshToken && { refreshToken, refreshExpiresAt: iso(issuedAt + xeroLimits.refreshIdleMs) }),
    expiresAt: iso(issuedAt + parsed.expires_in * 1000),
    ...(parsed.scope && { scope: parsed.scope }),
  };
}

export function createXeroOAuth(config: XeroOAuthConfig): XeroOAuthProvider {
  const urls = config.urls ?? xeroUrls;
  const scopes = [...(config.scopes ?? xeroScopes[config.scopeSet ?? 'granular'])];
  if (!scopes.includes('offline_access'))
    throw new RangeError('Xero scopes must include offline_access, or no refresh token is issued');
  const now = config.now ?? Date.now;
  const timeout = config.httpTimeoutMs ?? 10_000;
  const connections: ConnectionsApi = { url: urls.connections, timeoutMs: timeout, now };
  const issuer = new Issuer({
    issuer: urls.issuer,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    revocation_endpoint: urls.revocation,
    jwks_uri: urls.jwks,
  });
  const refreshing = new Map<string, Promise<TokenSet>>();

  function openIdClient(redirectUri?: string): Client {
    const client = new issuer.Client({
      client_id: config.clientId,
      client_secret: config.clientSecret,
      ...(redirectUri && { redirect_uris: [redirectUri] }),
      response_types: ['code'],
    });
    client[custom.clock_tolerance] = 5; // what xero-node's initialize() sets
    client[custom.http_options] = (_url, options) => ({ ...options, timeout });
    return client;
  }

  function xeroClient(redirectUri: string | undefined, state?: string): XeroClient {
    const xero = new XeroClient({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUris: redirectUri ? [redirectUri] : [],
      scopes,
      ...(state && { state }),
    });
    xero.openIdClient = openIdClient(redirectUri);
    return xero;
  }

  async function withTokens<T>(tokens: TokenSet, what: string, work: (xero: XeroClient) => Promise<T>): Promise<T> {
    const xero = xeroClient(undefined);
    xero.setTokenSet({ access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'Bearer' });
    return work(xero).catch((e: unknown) => {
      throw fromOAuthFailure(e, what, now());
    });
  }

  async function listAccounts(tokens: TokenSet): Promise<ConnectedAccount[]> {
    const all = await listConnections(connections, tokens.accessToken);
    // PRACTICE tenants are Xero HQ practices, not ledgers with invoices.
    return all
      .filter((c) => c.tenantType === 'ORGANISATION')
      .map((c) => ({ accountId: c.tenantId, name: c.tenantName ?? c.tenantId }));
  }

  async function exchangeCode({
    query,
    redirectUri,
  }: {
    query: Record<string, string>;
    redirectUri: string;
  }): Promise<OAuthGrant> {
    if (query.error === 'invalid_scope' || query.error === 'unauthorized_client') {
      // Apps created from 2 March 2026 may not ask for the broad scopes; older apps may not yet ask for some others.
      throw new IntegrationError(
        'auth',
        `Xero refused the permissions Shortfall asked for (${scopes.join(' ')})${query.error_description ? `: ${query.error_description}` : ''}. ` +
          'Xero apps created on or after 2 March 2026 must use granular scopes (XERO_SCOPE_SET=granular, the default); older apps set XERO_SCOPE_SET=broad, or list them in XERO_SCOPES.',
        { provider: 'xero', code: query.error },
      );
    }
    if (query.error)
      throw new IntegrationError('auth', `Xero consent was not given: ${query.error_description ?? query.error}`, {
        provider: 'xero',
        code: query.error,
      });
    if (!query.code) throw new IntegrationError('invalid', 'The Xero callback lacks a code', { provider: 'xero' });
    const issuedAt = now();
    // The route checks `state` against the session before calling us; xero-node compares it again.
    const xero = xeroClient(redirectUri, query.state);
    const callback = new URL(redirectUri);
    for (const [name, value] of Object.entries(query)) callback.searchParams.set(name, value);
    const tokenSet = await xero.apiCallback(callback.toString()).catch((e: unknown) => {
      throw fromOAuthFailure(e, 'code exchange', now());
    });
    const tokens = toTokenSet(tokenSet, issuedAt);
    return { tokens, accounts: await listAccounts(tokens) };
  }

  function refresh(tokens: TokenSet): Promise<TokenSet> {
    const refreshToken = tokens.refreshToken;
    if (!refreshToken)
      return Promise.reject(
        new IntegrationError('auth', 'No Xero refresh token to use', { provider: 'xero', code: 'invalid_grant' }),
      );
    // Two refreshes of one token in this process share a request: a second would spend Xero's grace reuse.
    const inFlight = refreshing.get(refreshToken);
    if (inFlight) return inFlight;
    const issuedAt = now();
    const request = withTokens(tokens, 'token refresh', (xero) => xero.refreshToken())
      .then((t) => toTokenSet(t, issuedAt, tokens))
      .finally(() => refreshing.delete(refreshToken));
    refreshing.set(refreshToken, request);
    return request;
  }

  async function revoke(tokens: TokenSet): Promise<void> {
    if (!tokens.refreshToken) {
      // Without a refresh token there is no grant to revoke; disconnecting every tenant has the same effect.
      for (const c of await listConnections(connections, tokens.accessToken))
        await deleteConnection(connections, tokens.accessToken, c.id);
      return;
    }
    await withTokens(tokens, 'revoke', (xero) => xero.revokeToken()).catch((e: unknown) => {
      if (!(e instanceof IntegrationError && e.details.code === 'invalid_grant')) throw e; // already revoked or expired
    });
  }

  async function disconnectAccount({ tokens, accountId }: { tokens: TokenSet; accountId: string }): Promise<void> {
    const connection = (await listConnections(connections, tokens.accessToken)).find((c) => c.tenantId === accountId);
    if (connection) await deleteConnection(connections, tokens.accessToken, connection.id);
  }

  return {
    provider: 'xero',
    ...(config.connectionLimit !== undefined &&
      Number.isFinite(config.connectionLimit) && {
        connectionLimit: config.connectionLimit,
        connectionLimitSetting: 'XERO_TIER',
      }),
    // xero-node's buildConsentUrl() does exactly this, but asynchronously; the interface wants a string.
    authorizeUrl: ({ state, redirectUri }) =>
      openIdClient(redirectUri).authorizationUrl({ redirect_uri: redirectUri, scope: scopes.join(' '), state }),
    exchangeCode,
    refresh,
    revoke,
    listAccounts,
    disconnectAccount,
  };
}
