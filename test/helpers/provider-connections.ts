// The connections port the app uses (src/services/connections/port.ts) over the real vault, OAuth state store
// and pending-grant store on a test's database, with the real provider registry pointed at our provider
// simulators, as src/app/deps.ts wires it on the embedded demo. The simulators start on first need (a page that
// only lists connections never starts them), so route tests that do not connect anything stay fast.
// Also: the owner's side of a provider's consent page (allow or cancel, as a browser would submit it).
import { randomBytes } from 'node:crypto';
import type { ProviderKey } from '../../src/domain/model.js';
import type { ApiKeyConnect } from '../../integrations/providers.js';
import type { ProviderRegistry } from '../../integrations/registry.js';
import { createConnectionsPort } from '../../src/services/connections/port.js';
import { createOAuthStateStore } from '../../src/services/connections/oauth-states.js';
import { createPendingGrantStore } from '../../src/services/connections/pending-grants.js';
import type { Connection } from '../../src/services/connections/types.js';
import { createConnectionVault, type ConnectionVault } from '../../src/services/connections/vault.js';
import type { Database } from '../../src/services/db/index.js';
import type { ConnectionsPort, ConnectionSummary } from '../../src/services/ports.js';
import { isInvalidGrant } from '../../src/services/connections/fresh-auth.js';
import { parseKeyRing, type KeyRing } from '../../src/services/security/cipher.js';
import type { QuickbooksSimulator } from '../../simulators/quickbooks/index.js';
import type { StripeSimulator } from '../../simulators/stripe/index.js';
import type { XeroSimulator } from '../../simulators/xero/index.js';

// The simulators and the provider SDKs load only in a test that reaches a provider: every web test file builds
// this port, and most never connect anything.
const loadProviders = async () => {
  const [
    { createProviders },
    { startQuickbooksSimulator },
    { simulatorClient, startXeroSimulator },
    { startStripeSimulator },
  ] = await Promise.all([
    import('../../integrations/providers.js'),
    import('../../simulators/quickbooks/index.js'),
    import('../../simulators/xero/index.js'),
    import('../../simulators/stripe/index.js'),
  ]);
  return { createProviders, startQuickbooksSimulator, simulatorClient, startXeroSimulator, startStripeSimulator };
};

/** The three simulators and the providers Shortfall builds for them (its app keys at the simulators' addresses). */
export interface ProviderSimulators {
  readonly quickbooks: QuickbooksSimulator;
  readonly xero: XeroSimulator;
  readonly stripe: StripeSimulator;
  readonly registry: ProviderRegistry;
  readonly apiKey: ApiKeyConnect;
  /** The app's credentials at the QuickBooks simulator (for its revocation endpoint). */
  readonly quickbooksApp: { readonly clientId: string; readonly clientSecret: string };
  /** The app's credentials at the Xero simulator. */
  readonly xeroApp: { readonly clientId: string; readonly clientSecret: string };
  close(): Promise<void>;
}

/** Starts QuickBooks, Xero (no organisations yet, consent page on) and Stripe, with Shortfall's apps on them. */
export async function startProviderSimulators(publicUrl: string): Promise<ProviderSimulators> {
  const { createProviders, startQuickbooksSimulator, simulatorClient, startXeroSimulator, startStripeSimulator } =
    await loadProviders();
  const [quickbooks, xero, stripe] = await Promise.all([
    startQuickbooksSimulator(),
    startXeroSimulator({ validate: false, consent: { mode: 'page' }, tenants: [] }),
    startStripeSimulator(),
  ]);
  const app = quickbooks.admin.createApp({ redirectUris: [`${publicUrl}/oauth/quickbooks/callback`] });
  const platform = stripe.admin.platform;
  const { registry, apiKey } = createProviders({
    configs: {
      quickbooks: { clientId: app.clientId, clientSecret: app.clientSecret, environment: 'sandbox' },
      xero: { clientId: simulatorClient.clientId, clientSecret: simulatorClient.clientSecret },
      stripe: { secretKey: platform.secretKey, connectClientId: platform.clientId },
    },
    baseUrls: { quickbooks: quickbooks.url, xero: xero.url, stripe: stripe.url },
  });
  if (!apiKey) throw new Error('the Stripe simulator should allow connecting with a restricted key');
  await registry.ready(); // as a server does before it listens (integrations/providers.ts)
  return {
    quickbooks,
    xero,
    stripe,
    registry,
    apiKey,
    quickbooksApp: { clientId: app.clientId, clientSecret: app.clientSecret },
    xeroApp: { clientId: simulatorClient.clientId, clientSecret: simulatorClient.clientSecret },
    async close() {
      await Promise.all([quickbooks.close(), xero.close(), stripe.close()]);
    },
  };
}

export interface SimulatedConnectionsOptions {
  readonly publicUrl: string;
  /** Connections made from a simulator whose provider this shows as simulated are sandbox connections. */
  readonly sandbox?: (provider: ProviderKey) => boolean;
  /** The vault's clock; Date.now unless given. */
  readonly now?: () => number;
}

/** What the port asked of the connection's sync: start it, resume it, or stop it (src/services/sync/lifecycle.ts). */
export type LifecycleEvent = `${'connected' | 'restored' | 'disconnected'}:${string}`;

export interface SimulatedConnections {
  /** The real port; any call that reaches a provider starts the simulators first. */
  readonly port: ConnectionsPort;
  readonly db: Database;
  readonly vault: ConnectionVault;
  readonly keyRing: KeyRing;
  /** Each connection's sync started, resumed or stopped, in order (no Temporal here to run them). */
  readonly lifecycle: readonly LifecycleEvent[];
  /** The simulators, started on first call. */
  simulators(): Promise<ProviderSimulators>;
  close(): Promise<void>;
}

export function simulatedConnections(db: Database, o: SimulatedConnectionsOptions): SimulatedConnections {
  let starting: Promise<ProviderSimulators> | undefined;
  let started: ProviderSimulators | undefined;
  const simulators = () =>
    (starting ??= startProviderSimulators(o.publicUrl).then((s) => {
      started = s;
      return s;
    }));
  const keyRing = parseKeyRing(`k1:${randomBytes(32).toString('base64')}`);
  const vault = createConnectionVault({ db, keyRing, ...(o.now && { now: o.now }) });
  const lifecycle: LifecycleEvent[] = [];
  const real = createConnectionsPort({
    db,
    vault,
    states: createOAuthStateStore({ db }),
    pending: createPendingGrantStore({ db, keyRing }),
    providers: {
      get: (provider) => {
        if (!started) throw new Error('the provider simulators are not started: reach them through the port');
        return started.registry.get(provider);
      },
    },
    redirectUri: (p) => `${o.publicUrl}/oauth/${p}/callback`,
    sandbox: o.sandbox ?? (() => true),
    apiKey: { provider: 'stripe', verify: async (key) => (await simulators()).apiKey.verify(key) },
    onConnected: async (c: Connection, restored: boolean) =>
      void lifecycle.push(`${restored ? 'restored' : 'connected'}:${c.id}`),
    onDisconnected: async (c: Connection) => void lifecycle.push(`disconnected:${c.id}`),
  });
  /** The same call, once the simulators are up. */
  const withProviders =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await simulators();
      return call(...args);
    };
  const port: ConnectionsPort = {
    startUrl: withProviders(real.startUrl),
    completeCallback: withProviders(real.completeCallback),
    choice: real.choice,
    choose: withProviders(real.choose),
    cancelChoice: withProviders(real.cancelChoice),
    list: real.list,
    disconnect: withProviders(real.disconnect),
    saveApiKey: real.saveApiKey,
  };
  return {
    port,
    db,
    vault,
    keyRing,
    lifecycle,
    simulators,
    async close() {
      if (starting) await (await starting).close();
    },
  };
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]!) : undefined;
};

/**
 * The owner on a simulator's consent page: opens the authorize URL and presses Allow (with what the page has
 * chosen, or `accounts`) or Cancel, as a browser submits the form. Returns where the provider sends the browser
 * back: Shortfall's callback, as a path with its query.
 */
export async function consentAt(
  authorizeUrl: string,
  o: { decision?: 'allow' | 'deny'; accounts?: readonly string[] } = {},
): Promise<string> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  let back: string | null;
  if (page.status === 302) back = page.headers.get('location');
  else {
    const html = await page.text();
    if (page.status !== 200) throw new Error(`the consent page answered ${page.status}: ${html.slice(0, 200)}`);
    const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
    if (!form) throw new Error(`no consent form on ${authorizeUrl}`);
    const body = new URLSearchParams();
    for (const [input] of form[2]!.matchAll(/<input [^>]*>/g)) {
      const type = attr(input, 'type');
      const name = attr(input, 'name')!;
      const value = attr(input, 'value') ?? '';
      if (type === 'hidden') body.append(name, value);
      if (type === 'checkbox' && (o.accounts ? o.accounts.includes(value) : / checked/.test(input)))
        body.append(name, value);
    }
    for (const [, tag, options] of form[2]!.matchAll(/(<select [^>]*>)([\s\S]*?)<\/select>/g)) {
      const offered = [...options!.matchAll(/<option value="([^"]*)"( selected)?>/g)];
      const chosen = o.accounts
        ? offered.find(([, v]) => o.accounts!.includes(decode(v!)))
        : (offered.find(([, , selected]) => selected) ?? offered[0]);
      if (chosen) body.append(attr(tag!, 'name')!, decode(chosen[1]!));
    }
    body.append('decision', o.decision ?? 'allow');
    const answer = await fetch(new URL(form[1]!, authorizeUrl), { method: 'POST', body, redirect: 'manual' });
    if (answer.status !== 302) throw new Error(`the consent form answered ${answer.status}: ${await answer.text()}`);
    back = answer.headers.get('location');
  }
  if (!back) throw new Error('the provider sent the browser nowhere');
  const url = new URL(back);
  return `${url.pathname}${url.search}`;
}

/**
 * The owner connects a company of a simulated ledger through the real port: the company is created at the
 * simulator, then the authorize URL the port issues, the consent page (that company only), and the callback.
 */
export async function connectSimulatedCompany(
  sc: SimulatedConnections,
  userId: string,
  provider: 'quickbooks' | 'xero',
  name: string,
): Promise<ConnectionSummary> {
  const sims = await sc.simulators();
  const accountId =
    provider === 'quickbooks' ? sims.quickbooks.admin.createCompany({ name }) : sims.xero.admin.addTenant({ name });
  const callback = new URL(
    await consentAt(await sc.port.startUrl(userId, provider), { accounts: [accountId] }),
    'https://callback.invalid',
  );
  const done = await sc.port.completeCallback(userId, provider, Object.fromEntries(callback.searchParams));
  if (!done.ok || done.value.kind !== 'connected')
    throw new Error(`connecting ${name} did not complete: ${JSON.stringify(done)}`);
  const [connection] = done.value.connections;
  if (connection?.name !== name) throw new Error(`connected ${connection?.name}, not ${name}`);
  return connection;
}

/**
 * Someone revokes Shortfall's access in the provider (its revocation endpoint, with the grant's refresh token),
 * and the next token refresh, two hours later once the access token has expired, is refused with invalid_grant:
 * the vault marks the connection needs_reconnect, as a sync would find it. Returns the provider's refusal.
 */
export async function revokeAtProvider(sc: SimulatedConnections, connectionId: string): Promise<unknown> {
  const sims = await sc.simulators();
  const connection = await sc.vault.get(connectionId);
  const oauth = sims.registry.get(connection.provider).oauth;
  const { tokens } = await sc.vault.getFreshAuth(connectionId, oauth);
  const [url, client] =
    connection.provider === 'quickbooks'
      ? [`${sims.quickbooks.url}/v2/oauth2/tokens/revoke`, sims.quickbooksApp]
      : connection.provider === 'xero'
        ? [`${sims.xero.url}/connect/revocation`, sims.xeroApp]
        : [undefined, undefined];
  if (!url || !client || !tokens.refreshToken) throw new Error(`no refresh token to revoke at ${connection.provider}`);
  const revoked = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ token: tokens.refreshToken }),
  });
  if (!revoked.ok) throw new Error(`revoking at ${connection.provider} answered ${revoked.status}`);
  const twoHoursLater = createConnectionVault({
    db: sc.db,
    keyRing: sc.keyRing,
    now: () => Date.now() + 2 * 3_600_000,
  });
  try {
    await twoHoursLater.getFreshAuth(connectionId, oauth);
  } catch (refusal) {
    if (isInvalidGrant(refusal)) return refusal;
    throw refusal;
  }
  throw new Error(`${connection.provider} still refreshed a revoked grant`);
}
