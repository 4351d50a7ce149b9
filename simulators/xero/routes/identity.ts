// Identity endpoints: discovery, the consent screen, token and revocation (form-encoded, client auth by
// HTTP Basic or in the body), and /connections (Bearer).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consentPage } from '../consent-page.js';
import { notFound, SimError } from '../errors.js';
import { OAuthError, refusedScopes, type SimClient } from '../identity.js';
import type { SimState } from '../state.js';

type Form = Record<string, string | string[] | undefined>;

/**
 * A fault queued by admin.failNext for this identity path (only one naming it in pathIncludes: an unqualified
 * fault is for the Accounting API), thrown as the simulator's answer.
 */
function identityFault(state: SimState, path: string): void {
  const fault = state.faults.find(
    (f) => f.remaining > 0 && f.pathIncludes !== undefined && path.toLowerCase().includes(f.pathIncludes.toLowerCase()),
  );
  if (!fault) return;
  fault.remaining -= 1;
  throw new SimError(fault.status, fault.body ?? '', `injected ${fault.status}`, fault.headers);
}

export const knownScopes = new Set([
  'offline_access',
  'openid',
  'profile',
  'email',
  'accounting.transactions',
  'accounting.transactions.read',
  'accounting.contacts',
  'accounting.contacts.read',
  'accounting.settings',
  'accounting.settings.read',
  'accounting.reports.read',
  'accounting.journals.read',
  'accounting.attachments',
  'accounting.attachments.read',
  'accounting.budgets.read',
  'accounting.invoices',
  'accounting.invoices.read',
  'accounting.payments',
  'accounting.payments.read',
  'accounting.banktransactions',
  'accounting.banktransactions.read',
  'accounting.manualjournals',
  'accounting.manualjournals.read',
]);

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

function clientOf(state: SimState, req: FastifyRequest, form: Form): SimClient {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic) {
    const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    return state.identity.authenticateClient(formDecode(id), formDecode(secret));
  }
  return state.identity.authenticateClient(one(form.client_id), one(form.client_secret));
}

function redirect(reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>) {
  const target = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) target.searchParams.set(k, v);
  return reply.redirect(target.toString(), 302);
}

function approve(
  state: SimState,
  reply: FastifyReply,
  req: { clientId: string; redirectUri: string; scope: string; state?: string | undefined },
  requested: readonly string[],
) {
  // At its tier's connection limit Xero links no further organisation: the user is stopped on Xero's own page
  // and never comes back to the app (a guess at the exact page; see integrations/xero/FACTS.md).
  const tenantIds = state.identity.admissible(req.clientId, requested);
  if (tenantIds.length === 0 && requested.length > 0) {
    const limit = state.identity.connectionLimit;
    return reply
      .code(403)
      .type('text/html')
      .send(
        `<h1>Connection limit reached</h1><p>${state.providerName} needs to move to a higher Xero tier before it can connect to more Xero organisations (limit ${limit}).</p>`,
      );
  }
  const code = state.identity.issueCode({
    clientId: req.clientId,
    redirectUri: req.redirectUri,
    scope: req.scope,
    tenantIds,
  });
  return redirect(reply, req.redirectUri, { code, scope: req.scope, state: req.state });
}

export function identityRoutes(state: SimState) {
  return async (app: FastifyInstance) => {
    app.get('/.well-known/openid-configuration', async () => ({
      issuer: state.baseUrl,
      authorization_endpoint: `${state.baseUrl}/connect/authorize`,
      token_endpoint: `${state.baseUrl}/connect/token`,
      revocation_endpoint: `${state.baseUrl}/connect/revocation`,
      jwks_uri: `${state.baseUrl}/.well-known/openid-configuration/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: [...knownScopes].filter((s) => s !== 'openid'),
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    }));
    // The simulator issues no id_token (openid is refused at consent), so there are no signing keys.
    app.get('/.well-known/openid-configuration/jwks', async () => ({ keys: [] }));

    app.get('/connect/authorize', async (req, reply) => {
      const q = req.query as Form;
      const client = state.identity.client(one(q.client_id) ?? '');
      const redirectUri = one(q.redirect_uri) ?? '';
      // A bad client or redirect URI must not redirect anywhere (RFC 6749 §4.1.2.1).
      if (
        !client ||
        !URL.canParse(redirectUri) ||
        (client.redirectUris && !client.redirectUris.includes(redirectUri))
      ) {
        return reply
          .code(400)
          .type('text/html')
          .send('<h1>unauthorized_client</h1><p>Unknown client_id or redirect_uri.</p>');
      }
      const request = { clientId: client.clientId, redirectUri, scope: one(q.scope) ?? '', state: one(q.state) };
      if (one(q.response_type) !== 'code')
        return redirect(reply, redirectUri, { error: 'unsupported_response_type', state: request.state });
      const scopes = request.scope.split(' ').filter(Boolean);
      const unknown = scopes.filter((s) => !knownScopes.has(s));
      if (scopes.length === 0 || unknown.length)
        return redirect(reply, redirectUri, { error: 'invalid_scope', state: request.state });
      const broad = refusedScopes(client, scopes);
      if (broad.length > 0) {
        return redirect(reply, redirectUri, {
          error: 'invalid_scope',
          error_description: `Invalid scope for client: ${broad.join(' ')}`,
          state: request.state,
        });
      }
      if (scopes.includes('openid')) {
        return redirect(reply, redirectUri, {
          error: 'invalid_scope',
          error_description: 'the simulator issues no id_token; leave out openid',
          state: request.state,
        });
      }
      const consent = state.consent;
      if (consent.mode === 'deny')
        return redirect(reply, redirectUri, { error: 'access_denied', state: request.state });
      if (consent.mode === 'auto') return approve(state, reply, request, consent.tenantIds ?? [...state.orgs.keys()]);
      const tenants = [...state.orgs.values()].map((o) => ({ tenantId: o.tenantId, name: o.name }));
      return reply.type('text/html').send(consentPage(request, tenants, state.suggestedTenants));
    });

    app.post('/connect/authorize/decision', async (req, reply) => {
      const form = req.body as Form;
      const client = state.identity.client(one(form.client_id) ?? '');
      const redirectUri = one(form.redirect_uri) ?? '';
      if (!client || !URL.canParse(redirectUri))
        return reply.code(400).type('text/html').send('<h1>unauthorized_client</h1>');
      const request = { clientId: client.clientId, redirectUri, scope: one(form.scope) ?? '', state: one(form.state) };
      const tenantIds = many(form.tenantId).filter((id) => state.orgs.has(id));
      if (one(form.decision) !== 'allow' || tenantIds.length === 0)
        return redirect(reply, redirectUri, { error: 'access_denied', state: request.state });
      return approve(state, reply, request, tenantIds);
    });

    app.post('/connect/token', async (req, reply) => {
      const form = (req.body ?? {}) as Form;
      const client = clientOf(state, req, form);
      const grantType = one(form.grant_type);
      reply.header('cache-control', 'no-store');
      if (state.tokenLatencyMs) await new Promise((resolve) => setTimeout(resolve, state.tokenLatencyMs));
      if (grantType === 'authorization_code')
        return state.identity.exchangeCode(client, one(form.code), one(form.redirect_uri));
      if (grantType === 'refresh_token') return state.identity.refresh(client, one(form.refresh_token));
      throw new OAuthError(400, 'unsupported_grant_type');
    });

    app.post('/connect/revocation', async (req, reply) => {
      const form = (req.body ?? {}) as Form;
      state.identity.revoke(clientOf(state, req, form), one(form.token));
      return reply.code(200).send();
    });

    app.get('/connections', async (req) => {
      identityFault(state, req.url);
      const { clientId } = state.identity.authenticate(req.headers.authorization);
      const authEventId = one((req.query as Form).authEventId);
      return state.identity
        .connections(clientId)
        .filter((c) => authEventId === undefined || c.authEventId === authEventId)
        .map((c) => ({
          id: c.id,
          authEventId: c.authEventId,
          tenantId: c.tenantId,
          tenantType: 'ORGANISATION',
          tenantName: state.orgs.get(c.tenantId)?.name ?? c.tenantId,
          createdDateUtc: new Date(c.createdAt).toISOString(),
          updatedDateUtc: new Date(c.updatedAt).toISOString(),
        }));
    });

    app.delete('/connections/:id', async (req, reply) => {
      identityFault(state, req.url);
      const { clientId } = state.identity.authenticate(req.headers.authorization);
      const { id } = req.params as { id: string };
      if (!state.identity.disconnect(clientId, id)) throw notFound(`Connection ${id}`);
      return reply.code(204).send();
    });
  };
}
