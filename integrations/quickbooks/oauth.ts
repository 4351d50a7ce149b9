// Intuit OAuth 2.0 through intuit-oauth: consent URL, code exchange, refresh with rotation, revoke.
import OAuthClient from 'intuit-oauth';
import { z } from 'zod';
import { IntegrationError, type IntegrationErrorKind } from '../errors.js';
import type { OAuthGrant, OAuthProvider, TokenSet } from '../types.js';
import { quickbooksLimits } from './limits.js';
import { QboTokenResponse } from './schemas.js';
import { intuitUrls, type QuickbooksUrls } from './urls.js';

export const accountingScope = 'com.intuit.quickbooks.accounting';

export interface QuickbooksOAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly environment?: 'sandbox' | 'production';
  readonly urls?: Pick<QuickbooksUrls, 'authorize' | 'token' | 'revoke' | 'userInfo'>;
  readonly now?: () => number;
}

type OAuthUrls = NonNullable<QuickbooksOAuthConfig['urls']>;

const staticUrls = () => ({
  authorize: OAuthClient.authorizeEndpoint,
  token: OAuthClient.tokenEndpoint,
  revoke: OAuthClient.revokeEndpoint,
  userInfoSandbox: OAuthClient.userinfo_endpoint_sandbox,
  userInfoProduction: OAuthClient.userinfo_endpoint_production,
});

function restoreStaticUrls(saved: ReturnType<typeof staticUrls>): void {
  OAuthClient.authorizeEndpoint = saved.authorize;
  OAuthClient.tokenEndpoint = saved.token;
  OAuthClient.revokeEndpoint = saved.revoke;
  OAuthClient.userinfo_endpoint_sandbox = saved.userInfoSandbox;
  OAuthClient.userinfo_endpoint_production = saved.userInfoProduction;
}

const iso = (ms: number) => new Date(ms).toISOString();
const after = (issuedAt: number, seconds: number | undefined) =>
  seconds === undefined ? undefined : iso(issuedAt + seconds * 1000);

function toTokenSet(body: unknown, issuedAt: number, previous?: TokenSet): TokenSet {
  const parsed = QboTokenResponse.safeParse(body);
  if (!parsed.success) {
    throw new IntegrationError(
      'invalid',
      `QuickBooks returned an unexpected token response: ${z.prettifyError(parsed.error)}`,
      { provider: 'quickbooks', cause: parsed.error },
    );
  }
  const t = parsed.data;
  const refreshExpiresAt = after(issuedAt, t.x_refresh_token_expires_in);
  // The hard cap is fixed at consent; keep the one we know when a response leaves it out.
  const hardExpiresAt = after(issuedAt, t.x_refresh_token_hard_expires_in) ?? previous?.hardExpiresAt;
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: iso(issuedAt + t.expires_in * 1000),
    ...(refreshExpiresAt && { refreshExpiresAt }),
    ...(hardExpiresAt && { hardExpiresAt }),
    scope: accountingScope,
  };
}

// intuit-oauth throws plain Errors decorated with `error` (the OAuth error code) and the HTTP response.
const OAuthFailure = z.object({
  error: z.string().optional(),
  authResponse: z.object({ response: z.object({ status: z.number().optional() }).nullish() }).nullish(),
  response: z.object({ status: z.number().optional() }).nullish(),
  code: z.string().optional(),
});

function kindOf(status: number | undefined, code: string | undefined): IntegrationErrorKind {
  if (code === 'invalid_grant' || code === 'invalid_client' || status === 401) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === undefined || status >= 500) return 'transient';
  return 'invalid';
}

function oauthError(e: unknown, what: string): IntegrationError {
  const f = OAuthFailure.safeParse(e);
  const status = f.success ? (f.data.authResponse?.response?.status ?? f.data.response?.status) : undefined;
  const raw = f.success ? f.data.error || f.data.code : undefined;
  const code = raw && /^[a-z_]+$/.test(raw) ? raw : undefined; // else it is a network error's message
  const kind = kindOf(status, code);
  return new IntegrationError(kind, `QuickBooks ${what} failed${code ? `: ${code}` : ''}`, {
    provider: 'quickbooks',
    cause: e,
    ...(status !== undefined && { status }),
    ...(code && { code }),
    ...(kind === 'rate_limited' && { retryAfterMs: quickbooksLimits.throttleBackoffMs }),
  });
}

export function createQuickbooksOAuth(config: QuickbooksOAuthConfig): OAuthProvider {
  const urls: OAuthUrls = config.urls ?? intuitUrls;
  const now = config.now ?? Date.now;

  // intuit-oauth keeps its endpoints in static fields shared by the whole process and reads them while a call
  // starts, synchronously. Setting them around just that start, on a fresh client (token state is per client
  // too), keeps providers pointed at different hosts, say production and the simulator, out of each other's way.
  function start<T>(redirectUri: string, begin: (client: OAuthClient) => T): T {
    const saved = staticUrls();
    const client = new OAuthClient({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      environment: config.environment ?? 'production',
      redirectUri,
      includeRefreshTokenHardExpiresIn: true,
    });
    client.setAuthorizeURLs({
      authorizeEndpoint: urls.authorize,
      tokenEndpoint: urls.token,
      revokeEndpoint: urls.revoke,
      userInfoEndpoint: urls.userInfo,
    });
    try {
      return begin(client);
    } finally {
      restoreStaticUrls(saved);
    }
  }

  async function exchangeCode({
    query,
    redirectUri,
  }: {
    query: Record<string, string>;
    redirectUri: string;
  }): Promise<OAuthGrant> {
    if (query.error)
      throw new IntegrationError('auth', `QuickBooks consent was not given: ${query.error}`, {
        provider: 'quickbooks',
        code: query.error,
      });
    const realmId = query.realmId;
    if (!query.code || !realmId)
      throw new IntegrationError('invalid', 'The QuickBooks callback lacks code or realmId', {
        provider: 'quickbooks',
      });
    const issuedAt = now();
    const callbackUrl = `${redirectUri}?${new URLSearchParams(query).toString()}`;
    const res = await start(redirectUri, (c) => c.createToken(callbackUrl)).catch((e: unknown) => {
      throw oauthError(e, 'code exchange');
    });
    // No company name comes with the grant; CompanyInfo is an API call for whoever needs the name.
    return { tokens: toTokenSet(res.json, issuedAt), accounts: [{ accountId: realmId, name: realmId }] };
  }

  async function refresh(tokens: TokenSet): Promise<TokenSet> {
    const refreshToken = tokens.refreshToken;
    if (!refreshToken)
      throw new IntegrationError('auth', 'No QuickBooks refresh token to use', {
        provider: 'quickbooks',
        code: 'invalid_grant',
      });
    const issuedAt = now();
    const res = await start('', (c) => c.refreshUsingToken(refreshToken)).catch((e: unknown) => {
      throw oauthError(e, 'token refresh');
    });
    return toTokenSet(res.json, issuedAt, tokens);
  }

  async function revoke(tokens: TokenSet): Promise<void> {
    // Revoking the refresh token ends the whole grant; the access token is the fallback.
    const params = tokens.refreshToken ? { refresh_token: tokens.refreshToken } : { access_token: tokens.accessToken };
    await start('', (c) => c.revoke(params)).catch((e: unknown) => {
      const error = oauthError(e, 'revoke');
      if (error.details.code !== 'invalid_grant') throw error; // already revoked or expired: nothing left to end
    });
  }

  return {
    provider: 'quickbooks',
    authorizeUrl: ({ state, redirectUri }) =>
      start(redirectUri, (c) => c.authorizeUri({ scope: [accountingScope], state })),
    exchangeCode,
    refresh,
    revoke,
  };
}
