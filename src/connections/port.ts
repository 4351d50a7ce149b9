// The connections page's port (src/web/ports.ts): the OAuth round trip through the state store and the
// provider registry, a pasted Stripe key, listing and disconnecting, all stored through the vault.
import { eq } from 'drizzle-orm';
import { isIntegrationError } from '../../integrations/errors.js';
import type { ProviderRegistry } from '../../integrations/registry.js';
import type { ConnectedAccount, TokenSet } from '../../integrations/types.js';
import type { Database } from '../db/index.js';
import { users } from '../db/schema.js';
import type { ProviderKey } from '../domain/model.js';
import type { ConnectionsPort, ConnectionSummary, PortResult } from '../web/ports.js';
import type { OAuthStateStore, StateCheck } from './oauth-states.js';
import type { Connection } from './types.js';
import type { ConnectionVault } from './vault.js';

export interface ConnectionsPortDeps {
  readonly db: Database;
  readonly vault: ConnectionVault;
  readonly states: OAuthStateStore;
  readonly providers: Pick<ProviderRegistry, 'get'>;
  readonly redirectUri: (provider: ProviderKey) => string;
  readonly sandbox?: (provider: ProviderKey) => boolean;
  /** Stripe's restricted-key check (integrations/stripe StripeConnect.verifyRestrictedKey). */
  readonly verifyStripeKey?: (key: string) => Promise<{ account: ConnectedAccount; tokens: TokenSet; livemode: boolean }>;
  /** Start the connection's sync, or resume it when the owner reconnected a broken one. */
  readonly onConnected: (connection: Connection, restored: boolean) => Promise<void>;
  readonly onDisconnected: (connection: Connection) => Promise<void>;
}

const names: Record<ProviderKey, string> = { quickbooks: 'QuickBooks', xero: 'Xero', stripe: 'Stripe' };
const stateMessages: Record<Exclude<StateCheck, { ok: true }>['reason'], string> = {
  unknown: 'That sign-in attempt is not one we started. Please connect again from this page.',
  used: 'That sign-in link was already used. Please connect again from this page.',
  expired: 'That sign-in attempt took longer than ten minutes. Please connect again.',
  mismatch: 'That sign-in attempt was started by someone else. Please connect again from this page.',
};

const summary = (c: Connection): ConnectionSummary =>
  ({ id: c.id, provider: c.provider, name: c.name, status: c.status, sandbox: c.sandbox, lastSyncAt: c.lastSyncAt, lastError: c.lastError, hardExpiresAt: c.hardExpiresAt });

/** Refusals the owner can act on become messages; anything else (a provider outage, a bug) is thrown. */
function refused(e: unknown, message: string): PortResult<never> {
  if (isIntegrationError(e) && (e.kind === 'auth' || e.kind === 'invalid')) return { ok: false, message };
  throw e;
}

export function createConnectionsPort(d: ConnectionsPortDeps): ConnectionsPort {
  async function organisationOf(userId: string): Promise<string> {
    const [user] = await d.db.select({ organisationId: users.organisationId }).from(users).where(eq(users.id, userId));
    if (!user) throw new Error(`No user ${userId}`);
    return user.organisationId;
  }

  async function store(organisationId: string, provider: ProviderKey, account: ConnectedAccount, tokens: TokenSet, sandbox: boolean): Promise<ConnectionSummary> {
    const { connection, restored } = await d.vault.connect({ organisationId, provider, accountId: account.accountId, name: account.name, tokens, sandbox });
    await d.onConnected(connection, restored);
    return summary(connection);
  }

  return {
    async startUrl(userId, provider) {
      const state = await d.states.issue({ userId, provider });
      return d.providers.get(provider).oauth.authorizeUrl({ state, redirectUri: d.redirectUri(provider) });
    },

    async completeCallback(userId, provider, query) {
      const check = await d.states.consume({ state: query.state ?? '', userId, provider });
      if (!check.ok) return { ok: false, message: stateMessages[check.reason] };
      const organisationId = await organisationOf(userId);
      let grant;
      try {
        grant = await d.providers.get(provider).oauth.exchangeCode({ query: { ...query }, redirectUri: d.redirectUri(provider) });
      } catch (e) {
        return refused(e, `${names[provider]} did not grant access. Please try again.`);
      }
      // One grant, one connection: a second tenant sharing this grant's rotating refresh token would break the first.
      const [account] = grant.accounts;
      if (!account) return { ok: false, message: `${names[provider]} did not share an organisation with Shortfall.` };
      return { ok: true, value: await store(organisationId, provider, account, grant.tokens, d.sandbox?.(provider) ?? false) };
    },

    list: (organisationId) => d.vault.listByOrganisation(organisationId).then((list) => list.map(summary)),

    async disconnect(organisationId, connectionId) {
      const connection = await d.vault.find(connectionId);
      if (!connection || connection.organisationId !== organisationId) return false;
      await d.vault.disconnect(connectionId, d.providers.get(connection.provider).oauth);
      await d.onDisconnected(connection);
      return true;
    },

    async saveStripeKey(organisationId, key) {
      if (!d.verifyStripeKey) return { ok: false, message: 'Stripe is not set up on this Shortfall.' };
      let verified;
      try {
        verified = await d.verifyStripeKey(key);
      } catch (e) {
        return refused(e, 'Stripe did not accept that key, or it cannot read invoices. Check its permissions and paste it again.');
      }
      return { ok: true, value: await store(organisationId, 'stripe', verified.account, verified.tokens, !verified.livemode) };
    },
  };
}
