// Intuit's OAuth 2.0 server, in memory: apps, one-use codes, grants, 1-hour access tokens, and refresh tokens
// that rotate on every use. Production rotates less often (reportedly daily, reference/ledgers.md §2.3); every
// use is the strict reading, so a second refresh with a spent token fails here exactly as a race would there.
import { randomBytes } from 'node:crypto';

export const tokenLifetimes = {
  accessSeconds: 3600,
  /** Rolling refresh-token lifetime (~101 days), renewed by every refresh. */
  refreshSeconds: 8_726_400,
  /** Absolute cap on a grant's refresh tokens: five years from consent. */
  hardCapSeconds: 5 * 365 * 24 * 3600,
  codeSeconds: 600,
} as const;

export interface App {
  readonly clientId: string;
  /** What the consent page calls the app (Intuit shows the developer's app name, never its client id). */
  readonly name: string;
  readonly clientSecret: string;
  readonly redirectUris: ReadonlySet<string>;
}

export interface Grant {
  readonly clientId: string;
  readonly realmId: string;
  readonly hardExpiresAtMs: number;
  revoked: boolean;
}

interface Issued {
  readonly grant: Grant;
  readonly expiresAtMs: number;
  spent: boolean;
}

interface Code extends Issued {
  readonly redirectUri: string;
}

export interface TokenResponse {
  readonly token_type: 'bearer';
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in: number;
  readonly x_refresh_token_expires_in: number;
  readonly x_refresh_token_hard_expires_in?: number;
}

export interface OAuthSnapshot {
  readonly apps: readonly { clientId: string; clientSecret: string; name?: string; redirectUris: readonly string[] }[];
  readonly grants: readonly Grant[];
  readonly access: readonly { value: string; grant: number; expiresAtMs: number }[];
  readonly refresh: readonly { value: string; grant: number; expiresAtMs: number }[];
}

export type Access =
  | { readonly ok: true; readonly realmId: string; readonly clientId: string }
  | { readonly ok: false; readonly reason: string };

const token = (bytes = 32) => randomBytes(bytes).toString('base64url');

export class OAuthServer {
  private readonly apps = new Map<string, App>();
  private readonly codes = new Map<string, Code>();
  private readonly accessTokens = new Map<string, Issued>();
  private readonly refreshTokens = new Map<string, Issued>();

  constructor(private readonly clock: () => number) {}

  registerApp(input: {
    clientId?: string;
    clientSecret?: string;
    name?: string;
    redirectUris: readonly string[];
  }): App {
    const app = {
      clientId: input.clientId ?? `sim-${token(9)}`,
      name: input.name ?? 'Shortfall',
      clientSecret: input.clientSecret ?? token(),
      redirectUris: new Set(input.redirectUris),
    };
    this.apps.set(app.clientId, app);
    return app;
  }

  app(clientId: string): App | undefined {
    return this.apps.get(clientId);
  }

  /** The app named by an HTTP Basic `client_id:client_secret` header, if the secret matches. */
  authenticate(authorization: string | undefined): App | undefined {
    const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const app = this.apps.get(decoded.slice(0, colon));
    return app && app.clientSecret === decoded.slice(colon + 1) ? app : undefined;
  }

  issueCode(app: App, redirectUri: string, realmId: string): string {
    const code = token(24);
    const grant = {
      clientId: app.clientId,
      realmId,
      hardExpiresAtMs: this.clock() + tokenLifetimes.hardCapSeconds * 1000,
      revoked: false,
    };
    this.codes.set(code, {
      grant,
      redirectUri,
      expiresAtMs: this.clock() + tokenLifetimes.codeSeconds * 1000,
      spent: false,
    });
    return code;
  }

  exchangeCode(app: App, code: string, redirectUri: string, withHardExpiry: boolean): TokenResponse | undefined {
    const issued = this.codes.get(code);
    if (!issued || !this.usable(issued, app) || issued.redirectUri !== redirectUri) return undefined;
    issued.spent = true;
    return this.tokens(issued.grant, withHardExpiry);
  }

  refresh(app: App, refreshToken: string, withHardExpiry: boolean): TokenResponse | undefined {
    const issued = this.refreshTokens.get(refreshToken);
    if (!issued || !this.usable(issued, app)) return undefined;
    issued.spent = true;
    return this.tokens(issued.grant, withHardExpiry);
  }

  /** Revoking either token of a grant ends the whole grant. Unknown tokens are ignored (RFC 7009). */
  revoke(app: App, tokenValue: string): void {
    const issued = this.refreshTokens.get(tokenValue) ?? this.accessTokens.get(tokenValue);
    if (issued && issued.grant.clientId === app.clientId) issued.grant.revoked = true;
  }

  access(accessToken: string): Access {
    const issued = this.accessTokens.get(accessToken);
    if (!issued || issued.grant.revoked) return { ok: false, reason: 'Token revocation or invalid token' };
    if (issued.expiresAtMs <= this.clock()) return { ok: false, reason: 'Token expired' };
    return { ok: true, realmId: issued.grant.realmId, clientId: issued.grant.clientId };
  }

  /** Tokens without the consent round trip, for tests and the demo. */
  grant(app: App, realmId: string): TokenResponse {
    return this.tokens(
      {
        clientId: app.clientId,
        realmId,
        hardExpiresAtMs: this.clock() + tokenLifetimes.hardCapSeconds * 1000,
        revoked: false,
      },
      true,
    );
  }

  /** Every grant issued, revoked or not (copies), oldest first. */
  snapshotGrants(): Grant[] {
    const seen = new Set<Grant>();
    for (const map of [this.codes, this.accessTokens, this.refreshTokens])
      for (const i of map.values()) seen.add(i.grant);
    return [...seen].map((g) => ({ ...g }));
  }

  /** What outlives a restart: apps, and every grant's tokens still usable (spent, expired and revoked ones answer alike). */
  snapshot(): OAuthSnapshot {
    const now = this.clock();
    const grants: Grant[] = [];
    const index = new Map<Grant, number>();
    const ref = (g: Grant) => {
      if (!index.has(g)) index.set(g, grants.push(g) - 1);
      return index.get(g)!;
    };
    const live = (tokens: Map<string, Issued>) =>
      [...tokens]
        .filter(([, i]) => !i.spent && !i.grant.revoked && i.expiresAtMs > now)
        .map(([value, i]) => ({ value, grant: ref(i.grant), expiresAtMs: i.expiresAtMs }));
    const access = live(this.accessTokens);
    const refresh = live(this.refreshTokens);
    return {
      apps: [...this.apps.values()].map((a) => ({
        clientId: a.clientId,
        clientSecret: a.clientSecret,
        name: a.name,
        redirectUris: [...a.redirectUris],
      })),
      grants: grants.map((g) => ({ ...g })),
      access,
      refresh,
    };
  }

  restore(saved: OAuthSnapshot): void {
    for (const app of saved.apps) this.registerApp(app);
    const grants = saved.grants.map((g) => ({ ...g }));
    const put = (into: Map<string, Issued>, list: OAuthSnapshot['access']) => {
      for (const t of list) {
        const grant = grants[t.grant];
        if (grant) into.set(t.value, { grant, expiresAtMs: t.expiresAtMs, spent: false });
      }
    };
    put(this.accessTokens, saved.access);
    put(this.refreshTokens, saved.refresh);
  }

  private usable(issued: Issued, app: App): boolean {
    return (
      !issued.spent &&
      !issued.grant.revoked &&
      issued.expiresAtMs > this.clock() &&
      issued.grant.clientId === app.clientId
    );
  }

  private tokens(grant: Grant, withHardExpiry: boolean): TokenResponse {
    const now = this.clock();
    const hardSeconds = Math.floor((grant.hardExpiresAtMs - now) / 1000);
    const refreshSeconds = Math.min(tokenLifetimes.refreshSeconds, hardSeconds);
    const access = token();
    const refresh = token();
    this.accessTokens.set(access, { grant, expiresAtMs: now + tokenLifetimes.accessSeconds * 1000, spent: false });
    this.refreshTokens.set(refresh, { grant, expiresAtMs: now + refreshSeconds * 1000, spent: false });
    return {
      token_type: 'bearer',
      access_token: access,
      refresh_token: refresh,
      expires_in: tokenLifetimes.accessSeconds,
      x_refresh_token_expires_in: refreshSeconds,
      ...(withHardExpiry && { x_refresh_token_hard_expires_in: hardSeconds }),
    };
  }
}
