// Intuit's OAuth endpoints: the consent page (appcenter), the token endpoint and revocation.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { OAuthEndpoint, SimulatorCore } from './core.js';
import { consentShell, escapeHtml, hiddenField } from '../shared/consent-page.js';
import type { App } from './oauth-server.js';

const accountingScope = 'com.intuit.quickbooks.accounting';

const AuthorizeQuery = z.object({
  client_id: z.string(),
  redirect_uri: z.string(),
  response_type: z.string(),
  scope: z.string(),
  state: z.string().optional(),
  /** Simulator only: skip the page and consent at once, for tests that follow the redirect with fetch. */
  auto: z.literal('1').optional(),
  realmId: z.string().optional(),
});
type AuthorizeQuery = z.infer<typeof AuthorizeQuery>;

const ConsentForm = z.object({
  client_id: z.string(),
  redirect_uri: z.string(),
  state: z.string().default(''),
  realmId: z.string(),
  decision: z.enum(['allow', 'deny']),
});

const TokenForm = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal('authorization_code'), code: z.string(), redirect_uri: z.string() }),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string() }),
]);

function redirectBack(reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>) {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return reply.redirect(url.toString(), 302);
}

function consentPage(core: SimulatorCore, q: AuthorizeQuery, app: App): string {
  const companies = [...core.companies.values()];
  // The company holding the demo invoice comes first and is chosen, so "Connect" needs no thought.
  const suggested =
    core.suggestedRealm !== undefined && core.companies.has(core.suggestedRealm)
      ? core.suggestedRealm
      : companies[0]?.realmId;
  const options = companies
    .sort((a, b) => Number(b.realmId === suggested) - Number(a.realmId === suggested))
    .map(
      (c) =>
        `<option value="${escapeHtml(c.realmId)}"${c.realmId === suggested ? ' selected' : ''}>${escapeHtml(c.settings.name)}</option>`,
    )
    .join('');
  return consentShell({
    provider: 'QuickBooks Online',
    title: 'Connect your QuickBooks company',
    body: `
<h1>Connect your QuickBooks company</h1>
<p class="lead"><strong>${escapeHtml(app.name)}</strong> asks to read and write your company's accounting data (invoices, payments, credit memos).</p>
<form method="post" action="/connect/oauth2/consent">
${hiddenField('client_id', q.client_id)}${hiddenField('redirect_uri', q.redirect_uri)}${hiddenField('state', q.state ?? '')}
<label for="realm">Company</label>
<select id="realm" name="realmId">${options}</select>
<div><button name="decision" value="allow">Connect</button> <button name="decision" value="deny" class="secondary">Cancel</button></div>
</form>`,
  });
}

/** The next queued status for this endpoint (admin.failNextOAuth), taken: nothing is issued or revoked. */
function takeOAuthFault(core: SimulatorCore, endpoint: OAuthEndpoint): number | undefined {
  const i = core.oauthFaults.findIndex((f) => f.endpoint === endpoint);
  return i < 0 ? undefined : core.oauthFaults.splice(i, 1)[0]!.status;
}

/** What Intuit's edge answers during an outage: an HTML page, not the OAuth JSON error. */
const outage = (status: number) => `<!doctype html><title>${status}</title><h1>Service Unavailable</h1>`;

export function registerOAuthRoutes(server: FastifyInstance, core: SimulatorCore): void {
  server.get('/connect/oauth2', async (req, reply) => {
    const parsed = AuthorizeQuery.safeParse(req.query);
    const app = parsed.success ? core.oauth.app(parsed.data.client_id) : undefined;
    // An unknown client or redirect URI gets an error page, never a redirect (RFC 6749 §4.1.2.1).
    if (!parsed.success || !app || !app.redirectUris.has(parsed.data.redirect_uri)) {
      return reply.code(400).type('text/html').send('<!doctype html><h1>Invalid client or redirect_uri</h1>');
    }
    const q = parsed.data;
    if (q.response_type !== 'code')
      return redirectBack(reply, q.redirect_uri, { error: 'unsupported_response_type', state: q.state });
    if (!q.scope.split(/\s+/).includes(accountingScope))
      return redirectBack(reply, q.redirect_uri, { error: 'invalid_scope', state: q.state });
    const realmId = q.auto
      ? (q.realmId ?? core.autoConsentRealm ?? core.companies.keys().next().value)
      : core.autoConsentRealm;
    if (realmId === undefined || !core.companies.has(realmId))
      return reply.type('text/html').send(consentPage(core, q, app));
    return redirectBack(reply, q.redirect_uri, {
      code: core.oauth.issueCode(app, q.redirect_uri, realmId),
      state: q.state,
      realmId,
    });
  });

  server.post('/connect/oauth2/consent', async (req, reply) => {
    const form = ConsentForm.safeParse(req.body);
    const app = form.success ? core.oauth.app(form.data.client_id) : undefined;
    if (
      !form.success ||
      !app ||
      !app.redirectUris.has(form.data.redirect_uri) ||
      !core.companies.has(form.data.realmId)
    ) {
      return reply.code(400).type('text/html').send('<!doctype html><h1>Invalid consent</h1>');
    }
    const { redirect_uri: redirectUri, state, realmId, decision } = form.data;
    if (decision === 'deny') return redirectBack(reply, redirectUri, { error: 'access_denied', state });
    return redirectBack(reply, redirectUri, { code: core.oauth.issueCode(app, redirectUri, realmId), state, realmId });
  });

  server.post('/oauth2/v1/tokens/bearer', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const app = core.oauth.authenticate(req.headers.authorization);
    if (!app) return reply.code(401).send({ error: 'invalid_client' });
    const form = TokenForm.safeParse(req.body);
    if (!form.success) return reply.code(400).send({ error: 'invalid_request' });
    const grantType = form.data.grant_type;
    if (core.tokenLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, core.tokenLatencyMs));
    const injected = takeOAuthFault(core, 'token');
    if (injected) {
      core.oauthRequests.push({ endpoint: 'token', grantType, outcome: String(injected) });
      return reply.code(injected).type('text/html').send(outage(injected));
    }
    const withHardExpiry = req.headers['x-include-refresh-token-hard-expires-in'] === 'true';
    const tokens =
      form.data.grant_type === 'authorization_code'
        ? core.oauth.exchangeCode(app, form.data.code, form.data.redirect_uri, withHardExpiry)
        : core.oauth.refresh(app, form.data.refresh_token, withHardExpiry);
    core.oauthRequests.push({ endpoint: 'token', grantType, outcome: tokens ? 'ok' : 'invalid_grant' });
    return tokens ? reply.send(tokens) : reply.code(400).send({ error: 'invalid_grant' });
  });

  // intuit-oauth posts JSON here, node-quickbooks a form; both carry `token`.
  server.post('/v2/oauth2/tokens/revoke', async (req, reply) => {
    const app = core.oauth.authenticate(req.headers.authorization);
    if (!app) return reply.code(401).send({ error: 'invalid_client' });
    const body = z.object({ token: z.string() }).safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'invalid_request' });
    const injected = takeOAuthFault(core, 'revoke');
    if (injected) {
      core.oauthRequests.push({ endpoint: 'revoke', outcome: String(injected) });
      return reply.code(injected).type('text/html').send(outage(injected));
    }
    core.oauth.revoke(app, body.data.token);
    core.oauthRequests.push({ endpoint: 'revoke', outcome: 'ok' });
    return reply.code(200).send();
  });
}
