// Connect OAuth: a consent page at /oauth/authorize, then /oauth/token and /oauth/deauthorize. Errors use
// the OAuth envelope `{ error, error_description }`, which stripe-node turns into StripeOAuthError types.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consentShell, escapeHtml, hiddenField } from '../../shared/consent-page.js';
import type { FormObject } from '../form.js';
import { newId } from '../ids.js';
import type { ParsedBody } from '../pipeline.js';
import type { StripeStore } from '../store.js';

export interface ConnectPlatform {
  readonly clientId: string;
  readonly secretKey: string;
  readonly name: string;
}

interface AuthorizationCode {
  readonly accountId: string;
  readonly scope: string;
  readonly expiresAt: number;
}

const codeLifetimeSeconds = 300;
const scopes = new Set(['read_only', 'read_write']);
const field = (o: FormObject, k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const oauthError = (reply: FastifyReply, status: number, error: string, description: string) =>
  reply.code(status).send({ error, error_description: description });

function formOf(req: FastifyRequest): FormObject {
  const body = req.body as ParsedBody | undefined;
  return body?.kind === 'form' ? body.form : {};
}

function consentPage(store: StripeStore, platform: ConnectPlatform, q: FormObject): string {
  const hidden = ['client_id', 'scope', 'state', 'redirect_uri'].map((k) => hiddenField(k, field(q, k) ?? '')).join('');
  const accounts = [...store.accounts.values()].filter((a) => a.account.id !== store.platformAccountId);
  // The account holding the demo invoice is chosen; without one, Stripe's default of a new account.
  const suggested =
    store.suggestedAccount !== undefined && store.accounts.has(store.suggestedAccount)
      ? store.suggestedAccount
      : undefined;
  const options = accounts
    .sort((a, b) => Number(b.account.id === suggested) - Number(a.account.id === suggested))
    .map(
      (a) =>
        `<option value="${escapeHtml(a.account.id)}"${a.account.id === suggested ? ' selected' : ''}>${escapeHtml(String((a.account.business_profile as { name: string }).name))}</option>`,
    )
    .join('');
  const newAccount = `<option value=""${suggested === undefined ? ' selected' : ''}>Create a new account</option>`;
  return consentShell({
    provider: 'Stripe',
    title: `Connect to ${platform.name}`,
    body: `
<h1>${escapeHtml(platform.name)} would like to connect to your Stripe account</h1>
<p class="lead">Access asked for: ${escapeHtml(field(q, 'scope') ?? 'read_write')}</p>
<form method="post" action="/oauth/authorize">${hidden}
<label for="account">Account</label>
<select id="account" name="account">${suggested === undefined ? newAccount + options : options + newAccount}</select>
<label for="account_name">Business name</label>
<span class="hint" id="account_name-hint">Used only when you create a new account.</span>
<input type="text" id="account_name" name="account_name" value="Connected business" aria-describedby="account_name-hint">
<div><button name="decision" value="approve">Connect</button> <button name="decision" value="deny" class="secondary">Deny</button></div>
</form>`,
  });
}

/** Stripe only redirects to registered http(s) URIs; the simulator at least insists on one. */
function redirectTarget(q: FormObject): URL | undefined {
  try {
    const url = new URL(field(q, 'redirect_uri') ?? '');
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
}

/** One call to a Connect OAuth endpoint (/oauth/token or /oauth/deauthorize), and the status it was answered. */
export interface OAuthRequestRecord {
  readonly path: string;
  readonly grantType?: string;
  readonly stripeUserId?: string;
  readonly status: number;
}

export function oauthRoutes(
  app: FastifyInstance,
  store: StripeStore,
  platform: ConnectPlatform,
  log: OAuthRequestRecord[] = [],
): void {
  const codes = new Map<string, AuthorizationCode>();
  const platformCall = (req: FastifyRequest) => bearer(req) === platform.secretKey;
  // Recorded before the answer goes out, so a client that has its answer finds its call in the log.
  app.addHook('onSend', async (req, reply, payload) => {
    const path = req.routeOptions.url;
    if (req.method === 'POST' && (path === '/oauth/token' || path === '/oauth/deauthorize')) {
      const f = formOf(req);
      const grantType = field(f, 'grant_type');
      const stripeUserId = field(f, 'stripe_user_id');
      log.push({
        path,
        ...(grantType && { grantType }),
        ...(stripeUserId && { stripeUserId }),
        status: reply.statusCode,
      });
    }
    return payload;
  });

  app.get('/oauth/authorize', async (req, reply) => {
    const q = req.query as FormObject;
    if (field(q, 'client_id') !== platform.clientId)
      return reply.code(400).type('text/html').send('<p>Invalid client_id</p>');
    if (field(q, 'response_type') !== 'code' || !scopes.has(field(q, 'scope') ?? 'read_write') || !redirectTarget(q))
      return reply.code(400).type('text/html').send('<p>Invalid request</p>');
    return reply.type('text/html').send(consentPage(store, platform, q));
  });

  app.post('/oauth/authorize', async (req, reply) => {
    const f = formOf(req);
    const redirect = redirectTarget(f);
    if (field(f, 'client_id') !== platform.clientId || !redirect)
      return reply.code(400).type('text/html').send('<p>Invalid request</p>');
    if (field(f, 'state')) redirect.searchParams.set('state', field(f, 'state') ?? '');
    if (field(f, 'decision') !== 'approve') {
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set('error_description', 'The user denied your request');
      return reply.redirect(redirect.toString(), 302);
    }
    const scope = field(f, 'scope') ?? 'read_write';
    const chosen = field(f, 'account');
    // Since June 2021 a platform using read_write cannot connect a Standard account another platform controls:
    // Stripe's onboarding has the user create a separate account, which connects instead (docs.stripe.com,
    // "OAuth changes for platform-controlled Standard accounts"). Only Extensions may still connect it.
    const elsewhere = chosen !== undefined && store.controlledElsewhere.has(chosen) && scope === 'read_write';
    const accountId =
      chosen && !elsewhere
        ? chosen
        : store.createAccount({ name: field(f, 'account_name') || 'Connected business' }).account.id;
    const code = newId('ac', 32);
    codes.set(code, { accountId, scope, expiresAt: store.now() + codeLifetimeSeconds });
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('scope', scope);
    return reply.redirect(redirect.toString(), 302);
  });

  app.post('/oauth/token', async (req, reply) => {
    if (!platformCall(req)) return oauthError(reply, 401, 'invalid_client', 'Invalid client secret');
    const f = formOf(req);
    const grant = field(f, 'grant_type');
    let accountId: string;
    if (grant === 'authorization_code') {
      const code = field(f, 'code') ?? '';
      const found = codes.get(code);
      codes.delete(code); // single use, even when it has expired
      if (!found || found.expiresAt < store.now())
        return oauthError(reply, 400, 'invalid_grant', `Authorization code does not exist: ${code}`);
      accountId = found.accountId;
      store.connections.set(accountId, { accessToken: '', refreshToken: newId('rt', 32), scope: found.scope });
    } else if (grant === 'refresh_token') {
      const token = field(f, 'refresh_token');
      const match = [...store.connections.entries()].find(([, c]) => c.refreshToken === token);
      if (!match) return oauthError(reply, 400, 'invalid_grant', `Refresh token does not exist: ${token ?? ''}`);
      accountId = match[0];
    } else {
      return oauthError(reply, 400, 'unsupported_grant_type', `Unsupported grant type: ${grant ?? ''}`);
    }
    const connection = store.connections.get(accountId);
    if (!connection) return oauthError(reply, 400, 'invalid_grant', 'The account is no longer connected');
    connection.accessToken = store.issueKey(accountId, 'oauth');
    return {
      access_token: connection.accessToken,
      livemode: false,
      refresh_token: connection.refreshToken,
      scope: connection.scope,
      stripe_publishable_key: newId('pk_test', 24),
      stripe_user_id: accountId,
      token_type: 'bearer',
    };
  });

  app.post('/oauth/deauthorize', async (req, reply) => {
    if (!platformCall(req)) return oauthError(reply, 401, 'invalid_client', 'Invalid client secret');
    const f = formOf(req);
    const accountId = field(f, 'stripe_user_id') ?? '';
    if (field(f, 'client_id') !== platform.clientId)
      return oauthError(reply, 401, 'invalid_client', `No such application: '${field(f, 'client_id') ?? ''}'`);
    if (!deauthorizeAccount(store, platform, accountId)) {
      return oauthError(
        reply,
        401,
        'invalid_client',
        `This application is not connected to stripe account ${accountId}, or that account does not exist.`,
      );
    }
    return { stripe_user_id: accountId };
  });
}

/**
 * Ends the platform's Connect grant on an account, whoever ends it (the platform at /oauth/deauthorize, or the
 * account's owner in the Dashboard): its OAuth keys stop working and account.application.deauthorized is emitted.
 * False when the platform was not connected to the account.
 */
export function deauthorizeAccount(store: StripeStore, platform: ConnectPlatform, accountId: string): boolean {
  const data = store.account(accountId);
  if (!data || !store.connections.delete(accountId)) return false;
  for (const [key, grant] of store.keys)
    if (grant.kind === 'oauth' && grant.accountId === accountId) store.keys.delete(key);
  store.emit(data, 'account.application.deauthorized', {
    id: platform.clientId,
    object: 'application',
    created: store.now(),
    name: platform.name,
  });
  return true;
}
