// Xero's identity service in miniature: authorization codes, 30-minute access tokens, rotating refresh
// tokens with a 30-minute grace reuse, revocation, and the per-app list of connected tenants.
import { randomBytes, randomUUID } from 'node:crypto';
import { xeroBroadOnlyScopes, xeroGranularScopesFrom, xeroLimits } from '../../integrations/xero/limits.js';
import type { Clock } from './clock.js';
import { restoreFields } from '../shared/snapshot.js';
import { unauthorized } from './errors.js';

export interface SimClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Allowed redirect URIs; any URI is accepted when absent. */
  readonly redirectUris?: readonly string[];
  /** When the app was created (YYYY-MM-DD); absent means today. From 2 March 2026 only granular scopes are offered. */
  readonly createdAt?: string;
}

/** Apps created from 2 March 2026 may not request the broad scopes (developer.xero.com/faq/granular-scopes). */
export function refusedScopes(client: SimClient, scopes: readonly string[]): string[] {
  const created = client.createdAt ?? new Date().toISOString().slice(0, 10);
  if (created < xeroGranularScopesFrom) return [];
  return scopes.filter((s) => (xeroBroadOnlyScopes as readonly string[]).includes(s));
}

export class ConnectionLimitError extends Error {
  constructor(readonly limit: number) {
    super(
      `This app needs to move to a higher Xero tier before it can connect to more Xero organisations (limit ${limit}).`,
    );
  }
}

export interface SimConnection {
  readonly id: string;
  readonly tenantId: string;
  authEventId: string;
  readonly createdAt: number;
  updatedAt: number;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly expires_in: number;
  readonly token_type: 'Bearer';
  readonly refresh_token?: string;
  readonly scope: string;
}

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description?: string,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

export interface Grant {
  readonly id: string;
  readonly clientId: string;
  readonly scope: string;
  revoked: boolean;
}

interface AuthCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly tenantIds: readonly string[];
  readonly expiresAt: number;
  used: boolean;
}

export interface RefreshRecord {
  readonly grantId: string;
  readonly issuedAt: number;
  rotatedAt?: number;
  graceUsesLeft: number;
}

export interface IdentitySnapshot {
  readonly grants: ReadonlyMap<string, Grant>;
  readonly accessTokens: ReadonlyMap<string, { grantId: string; expiresAt: number }>;
  readonly refreshTokens: ReadonlyMap<string, RefreshRecord>;
  readonly connectionsByClient: ReadonlyMap<string, Map<string, SimConnection>>;
}

const codeLifetimeMs = 5 * 60_000;
const token = (bytes = 32) => randomBytes(bytes).toString('base64url');

export class IdentityServer {
  private readonly clients = new Map<string, SimClient>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, { grantId: string; expiresAt: number }>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly connectionsByClient = new Map<string, Map<string, SimConnection>>();
  readonly tokenRequests: { grantType: string; outcome: string }[] = [];

  constructor(
    private readonly clock: Clock,
    clients: readonly SimClient[],
    /** Most organisations one app may have connected (its tier: Starter 5). */
    public connectionLimit: number = Number.POSITIVE_INFINITY,
  ) {
    for (const c of clients) this.clients.set(c.clientId, c);
  }

  client(clientId: string): SimClient | undefined {
    return this.clients.get(clientId);
  }

  authenticateClient(clientId: string | undefined, secret: string | undefined): SimClient {
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    if (!client || client.clientSecret !== secret) throw new OAuthError(401, 'invalid_client');
    return client;
  }

  issueCode(input: { clientId: string; redirectUri: string; scope: string; tenantIds: readonly string[] }): string {
    const code = token();
    this.codes.set(code, { ...input, expiresAt: this.clock() + codeLifetimeMs, used: false });
    return code;
  }

  exchangeCode(client: SimClient, code: string | undefined, redirectUri: string | undefined): TokenResponse {
    const record = code === undefined ? undefined : this.codes.get(code);
    const outcome = (o: string) => this.tokenRequests.push({ grantType: 'authorization_code', outcome: o });
    if (
      !record ||
      record.used ||
      record.clientId !== client.clientId ||
      record.expiresAt < this.clock() ||
      record.redirectUri !== redirectUri
    ) {
      outcome('invalid_grant');
      throw new OAuthError(400, 'invalid_grant');
    }
    record.used = true;
    const grant: Grant = { id: randomUUID(), clientId: client.clientId, scope: record.scope, revoked: false };
    this.grants.set(grant.id, grant);
    this.connect(client.clientId, record.tenantIds);
    outcome('ok');
    return this.issueTokens(grant);
  }

  /** A grant made without the consent screen, for tests that only need working tokens. */
  grant(clientId: string, tenantIds: readonly string[], scope: string): TokenResponse {
    const grant: Grant = { id: randomUUID(), clientId, scope, revoked: false };
    this.grants.set(grant.id, grant);
    this.connect(clientId, tenantIds);
    return this.issueTokens(grant);
  }

  refresh(client: SimClient, refreshToken: string | undefined): TokenResponse {
    const now = this.clock();
    const record = refreshToken === undefined ? undefined : this.refreshTokens.get(refreshToken);
    const grant = record && this.grants.get(record.grantId);
    const reject = (why: string): never => {
      this.tokenRequests.push({ grantType: 'refresh_token', outcome: why });
      throw new OAuthError(400, 'invalid_grant');
    };
    if (!record || !grant || grant.revoked || grant.clientId !== client.clientId) return reject('invalid_grant');
    if (now - record.issuedAt > xeroLimits.refreshIdleMs) return reject('expired');
    if (record.rotatedAt !== undefined) {
      // The previous token may be replayed once within the grace window, for a client that lost the answer.
      if (now - record.rotatedAt > xeroLimits.refreshGraceMs || record.graceUsesLeft === 0) return reject('reused');
      record.graceUsesLeft -= 1;
      this.tokenRequests.push({ grantType: 'refresh_token', outcome: 'grace' });
      return this.issueTokens(grant);
    }
    record.rotatedAt = now;
    record.graceUsesLeft = 1;
    this.tokenRequests.push({ grantType: 'refresh_token', outcome: 'ok' });
    return this.issueTokens(grant);
  }

  /** RFC 7009: unknown tokens are not an error. Revoking ends the grant and its tenants' connections. */
  revoke(client: SimClient, tokenValue: string | undefined): void {
    const grantId =
      tokenValue === undefined
        ? undefined
        : (this.refreshTokens.get(tokenValue)?.grantId ?? this.accessTokens.get(tokenValue)?.grantId);
    const grant = grantId === undefined ? undefined : this.grants.get(grantId);
    if (!grant || grant.clientId !== client.clientId) return;
    grant.revoked = true;
    this.connectionsByClient.get(client.clientId)?.clear();
  }

  /** The app behind a bearer token; 401 for unknown, expired or revoked tokens. */
  authenticate(authorization: string | undefined): { clientId: string } {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const access = bearer === undefined ? undefined : this.accessTokens.get(bearer);
    const grant = access && this.grants.get(access.grantId);
    if (!access || !grant) throw unauthorized('AuthenticationUnsuccessful');
    if (access.expiresAt <= this.clock())
      throw unauthorized(`TokenExpired: token expired at ${new Date(access.expiresAt).toISOString()}`);
    if (grant.revoked) throw unauthorized('AuthenticationUnsuccessful: token has been revoked');
    return { clientId: grant.clientId };
  }

  connections(clientId: string): SimConnection[] {
    return [...(this.connectionsByClient.get(clientId)?.values() ?? [])];
  }

  isConnected(clientId: string, tenantId: string): boolean {
    return this.connectionsByClient.get(clientId)?.has(tenantId.toLowerCase()) ?? false;
  }

  disconnect(clientId: string, connectionId: string): boolean {
    const byTenant = this.connectionsByClient.get(clientId);
    const found = [...(byTenant?.values() ?? [])].find((c) => c.id === connectionId.toLowerCase());
    if (found) byTenant?.delete(found.tenantId);
    return found !== undefined;
  }

  /** The tenants a consent may link: already connected ones, then new ones while the app's tier allows. */
  admissible(clientId: string, tenantIds: readonly string[]): string[] {
    const byTenant = this.connectionsByClient.get(clientId);
    let room = this.connectionLimit - (byTenant?.size ?? 0);
    return tenantIds.filter((t) => {
      if (byTenant?.has(t.toLowerCase())) return true;
      if (room <= 0) return false;
      room -= 1;
      return true;
    });
  }

  private connect(clientId: string, tenantIds: readonly string[]): void {
    if (tenantIds.length > 0 && this.admissible(clientId, tenantIds).length < tenantIds.length)
      throw new ConnectionLimitError(this.connectionLimit);
    const now = this.clock();
    const authEventId = randomUUID();
    const byTenant = this.connectionsByClient.get(clientId) ?? new Map<string, SimConnection>();
    this.connectionsByClient.set(clientId, byTenant);
    for (const tenantId of tenantIds.map((t) => t.toLowerCase())) {
      const existing = byTenant.get(tenantId);
      if (existing) Object.assign(existing, { authEventId, updatedAt: now });
      else byTenant.set(tenantId, { id: randomUUID(), tenantId, authEventId, createdAt: now, updatedAt: now });
    }
  }

  /** Grants, live tokens and connected tenants as plain data; codes and the token log are not kept. */
  snapshot(): IdentitySnapshot {
    const now = this.clock();
    return {
      grants: this.grants,
      accessTokens: new Map([...this.accessTokens].filter(([, t]) => t.expiresAt > now)),
      refreshTokens: new Map([...this.refreshTokens].filter(([, r]) => now - r.issuedAt <= xeroLimits.refreshIdleMs)),
      connectionsByClient: this.connectionsByClient,
    };
  }

  restore(saved: IdentitySnapshot): void {
    restoreFields(this, saved, ['grants', 'accessTokens', 'refreshTokens', 'connectionsByClient']);
  }

  private issueTokens(grant: Grant): TokenResponse {
    const now = this.clock();
    const access = token();
    this.accessTokens.set(access, { grantId: grant.id, expiresAt: now + xeroLimits.accessTokenSeconds * 1000 });
    const offline = grant.scope.split(' ').includes('offline_access');
    const refresh = offline ? token() : undefined;
    if (refresh) this.refreshTokens.set(refresh, { grantId: grant.id, issuedAt: now, graceUsesLeft: 0 });
    return {
      access_token: access,
      expires_in: xeroLimits.accessTokenSeconds,
      token_type: 'Bearer',
      ...(refresh && { refresh_token: refresh }),
      scope: grant.scope,
    };
  }
}
