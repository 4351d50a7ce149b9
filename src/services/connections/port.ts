// The connections page's port (src/services/ports.ts): the OAuth round trip through the state store and the
// provider registry, the owner's choice among the organisations a grant reaches, a pasted API key, listing
// and disconnecting, all stored through the vault.
import { eq } from 'drizzle-orm';
import { isIntegrationError } from '../../../integrations/errors.js';
import { providerLabel, type ProviderRegistry } from '../../../integrations/registry.js';
import type { ConnectedAccount, TokenSet } from '../../../integrations/types.js';
import type { Database } from '../db/index.js';
import { users } from '../db/schema.js';
import type { ProviderKey } from '../../domain/model.js';
import type { ConnectionsPort, ConnectionSummary, PortResult } from '../ports.js';
import type { Logger } from '../logger.js';
import { errorSummary } from './error-summary.js';
import type { OAuthStateStore, StateCheck } from './oauth-states.js';
import type { PendingGrantCheck, PendingGrantStore } from './pending-grants.js';
import { listAccountIdsInUse, listInUseByAccounts } from './records.js';
import type { Connection } from './types.js';
import type { ConnectionVault } from './vault.js';

export interface ConnectionsPortDeps {
  readonly db: Database;
  readonly vault: ConnectionVault;
  readonly states: OAuthStateStore;
  /** Grants reaching several organisations wait here for the owner's choice. */
  readonly pending: PendingGrantStore;
  readonly logger?: Logger;
  readonly providers: Pick<ProviderRegistry, 'get'>;
  readonly redirectUri: (provider: ProviderKey) => string;
  readonly sandbox?: (provider: ProviderKey) => boolean;
  /** The provider that connects with a key the owner pastes (a restricted API key), and its check of a key. */
  readonly apiKey?: {
    readonly provider: ProviderKey;
    verify(key: string): Promise<{ account: ConnectedAccount; tokens: TokenSet; livemode: boolean }>;
  };
  /** Start the connection's sync, or resume it when the owner reconnected a broken one. */
  readonly onConnected: (connection: Connection, restored: boolean) => Promise<void>;
  readonly onDisconnected: (connection: Connection) => Promise<void>;
}

const stateMessages: Record<Exclude<StateCheck, { ok: true }>['reason'], string> = {
  unknown: 'That sign-in attempt is not one we started. Please connect again from this page.',
  used: 'That sign-in link was already used. Please connect again from this page.',
  expired: 'That sign-in attempt took longer than ten minutes. Please connect again.',
  mismatch: 'That sign-in attempt was started by someone else. Please connect again from this page.',
};

const choiceMessages: Record<Exclude<PendingGrantCheck, { ok: true }>['reason'], string> = {
  unknown: 'That choice of organisations is not one we have for you. Please connect again from this page.',
  used: 'Those organisations were already chosen: see your connections below.',
  expired: 'That choice took longer than ten minutes. Please connect again.',
};

const summary = (c: Connection): ConnectionSummary => ({
  id: c.id,
  provider: c.provider,
  name: c.name,
  status: c.status,
  sandbox: c.sandbox,
  lastSyncAt: c.lastSyncAt,
  lastError: c.lastError,
  syncProgress: c.syncProgress,
  hardExpiresAt: c.hardExpiresAt,
});

/** Refusals whose own message tells the owner what to do (a scope the app may not ask for, a foreign-controlled account). */
const explainedCodes = new Set(['invalid_scope', 'unauthorized_client', 'account_controlled_elsewhere']);

/** Refusals the owner can act on become messages; anything else (a provider outage, a bug) is thrown. */
function refused(e: unknown, message: string): PortResult<never> {
  if (isIntegrationError(e) && (e.kind === 'auth' || e.kind === 'invalid')) {
    return { ok: false, message: e.details.code && explainedCodes.has(e.details.code) ? e.message : message };
  }
  throw e;
}

export interface ConnectionsService extends ConnectionsPort {
  /** Unlinks at the provider what choices left to expire reached, unless a connection relies on it; how many. */
  releaseExpiredChoices(): Promise<number>;
}

export function createConnectionsPort(d: ConnectionsPortDeps): ConnectionsService {
  async function organisationOf(userId: string): Promise<string> {
    const [user] = await d.db.select({ organisationId: users.organisationId }).from(users).where(eq(users.id, userId));
    if (!user) throw new Error(`No user ${userId}`);
    return user.organisationId;
  }

  /** Stores every account of the grant first, then starts their syncs: they all hold the same tokens. */
  async function store(
    organisationId: string,
    provider: ProviderKey,
    accounts: readonly ConnectedAccount[],
    tokens: TokenSet,
    sandbox: boolean,
    credential: 'oauth' | 'api_key' = 'oauth',
  ): Promise<ConnectionSummary[]> {
    const made = await d.vault.connectGrant({ organisationId, provider, accounts, tokens, sandbox, credential });
    for (const { connection, restored } of made) await d.onConnected(connection, restored);
    return made.map(({ connection }) => summary(connection));
  }

  /**
   * Organisations the owner left out are disconnected at the provider, so Shortfall holds no access it was
   * not asked for; except one that some Shortfall connection still relies on, through this grant or another.
   */
  async function releaseUnchosen(
    provider: ProviderKey,
    tokens: TokenSet,
    unchosen: readonly ConnectedAccount[],
  ): Promise<void> {
    const oauth = d.providers.get(provider).oauth;
    if (!oauth.disconnectAccount || unchosen.length === 0) return;
    const inUse = new Set(
      (
        await listInUseByAccounts(
          d.db,
          provider,
          unchosen.map((a) => a.accountId),
        )
      ).map((c) => c.accountId),
    );
    for (const account of unchosen.filter((a) => !inUse.has(a.accountId))) {
      try {
        await oauth.disconnectAccount({ tokens, accountId: account.accountId });
      } catch (err) {
        d.logger?.warn(
          { provider, error: errorSummary(err) },
          'could not disconnect an organisation the owner did not choose',
        );
      }
    }
  }

  /**
   * The provider's cap on connected accounts (an app tier's, such as 5 on a ledger's starter tier), counted over every organisation's
   * connections: accounts already connected somewhere do not count twice. A message when `accounts` would pass it.
   */
  /** The setting that raises the cap, where the provider's app has tiers. */
  const tierSetting = (provider: ProviderKey) => {
    const setting = d.providers.get(provider).oauth.connectionLimitSetting;
    return setting ? ` (${setting})` : '';
  };

  async function overConnectionLimit(
    provider: ProviderKey,
    accounts: readonly ConnectedAccount[],
  ): Promise<string | undefined> {
    const limit = d.providers.get(provider).oauth.connectionLimit;
    if (limit === undefined) return undefined;
    const inUse = await listAccountIdsInUse(d.db, provider);
    const fresh = accounts.filter((a) => !inUse.has(a.accountId));
    if (fresh.length === 0 || inUse.size + fresh.length <= limit) return undefined;
    d.logger?.warn(
      { provider, limit, connected: inUse.size, refused: fresh.length },
      'connection limit of the provider app reached',
    );
    return (
      `Shortfall's ${providerLabel(provider)} app may connect at most ${limit} organisations on its current ${providerLabel(provider)} plan, and ${inUse.size} ` +
      `already are, so ${fresh.map((a) => a.name).join(', ')} could not be connected. Ask whoever runs Shortfall to move the app to a higher ` +
      `${providerLabel(provider)} tier${tierSetting(provider)}, or disconnect an organisation you no longer need.`
    );
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
        grant = await d.providers
          .get(provider)
          .oauth.exchangeCode({ query: { ...query }, redirectUri: d.redirectUri(provider) });
      } catch (e) {
        return refused(e, `${providerLabel(provider)} did not grant access. Please try again.`);
      }
      const sandbox = d.sandbox?.(provider) ?? false;
      if (grant.accounts.length === 0)
        return { ok: false, message: `${providerLabel(provider)} did not share an organisation with Shortfall.` };
      if (grant.accounts.length === 1) {
        const full = await overConnectionLimit(provider, grant.accounts);
        if (full) {
          await releaseUnchosen(provider, grant.tokens, grant.accounts);
          return { ok: false, message: full };
        }
        return {
          ok: true,
          value: {
            kind: 'connected',
            connections: await store(organisationId, provider, grant.accounts, grant.tokens, sandbox),
          },
        };
      }
      return {
        ok: true,
        value: { kind: 'choose', choiceId: await d.pending.save({ userId, provider, grant, sandbox }) },
      };
    },

    async choice(userId, choiceId) {
      const seen = await d.pending.peek(choiceId, userId);
      if (!seen.ok) return { ok: false, message: choiceMessages[seen.reason] };
      const { pending } = seen;
      const existing = await d.vault.listByOrganisation(await organisationOf(userId));
      const statusOf = (accountId: string) =>
        existing.find((c) => c.provider === pending.provider && c.accountId === accountId)?.status;
      return {
        ok: true,
        value: {
          id: pending.id,
          provider: pending.provider,
          expiresAt: pending.expiresAt,
          accounts: pending.grant.accounts.map((a) => ({ ...a, status: statusOf(a.accountId) })),
        },
      };
    },

    async choose(userId, choiceId, accountIds) {
      const seen = await d.pending.peek(choiceId, userId);
      if (!seen.ok) return { ok: false, message: choiceMessages[seen.reason] };
      const offered = seen.pending.grant.accounts;
      const chosen = offered.filter((a) => accountIds.includes(a.accountId));
      if (chosen.length === 0) return { ok: false, message: 'Choose at least one organisation to connect.' };
      if (chosen.length !== new Set(accountIds).size)
        return { ok: false, message: 'Choose among the organisations listed.' };
      const full = await overConnectionLimit(seen.pending.provider, chosen);
      if (full) return { ok: false, message: full };
      const taken = await d.pending.take(choiceId, userId);
      if (!taken.ok) return { ok: false, message: choiceMessages[taken.reason] };
      const { provider, grant, sandbox } = taken.pending;
      let made;
      try {
        made = await store(await organisationOf(userId), provider, chosen, grant.tokens, sandbox);
      } catch (e) {
        await d.pending.giveBack(choiceId); // storing is safe to repeat: the owner can submit the choice again
        throw e;
      }
      await d.pending.finish(choiceId);
      await releaseUnchosen(
        provider,
        grant.tokens,
        offered.filter((a) => !chosen.includes(a)),
      );
      return { ok: true, value: made };
    },

    async cancelChoice(userId, choiceId) {
      const taken = await d.pending.take(choiceId, userId);
      // Connect nothing means keep nothing: every offered organisation no connection relies on is unlinked.
      if (!taken.ok) return;
      await d.pending.finish(choiceId);
      await releaseUnchosen(taken.pending.provider, taken.pending.grant.tokens, taken.pending.grant.accounts);
    },

    list: (organisationId) => d.vault.listByOrganisation(organisationId).then((list) => list.map(summary)),

    async disconnect(organisationId, connectionId) {
      const connection = await d.vault.find(connectionId);
      if (!connection || connection.organisationId !== organisationId) return false;
      const provider = d.providers.get(connection.provider);
      await d.vault.disconnect(connectionId, provider.oauth);
      provider.forget?.(connection.accountId);
      await d.onDisconnected(connection);
      return true;
    },

    async releaseExpiredChoices() {
      const expired = await d.pending.takeExpired();
      for (const { id, provider, grant } of expired) {
        await releaseUnchosen(provider, grant.tokens, grant.accounts);
        await d.pending.finish(id);
      }
      return expired.length;
    },

    async saveApiKey(organisationId, key) {
      const apiKey = d.apiKey;
      if (!apiKey) return { ok: false, message: 'Connecting with a key is not set up on this Shortfall.' };
      const name = providerLabel(apiKey.provider);
      let verified;
      try {
        verified = await apiKey.verify(key);
      } catch (e) {
        return refused(
          e,
          `${name} did not accept that key, or it cannot read invoices. Check its permissions and paste it again.`,
        );
      }
      const [connection] = await store(
        organisationId,
        apiKey.provider,
        [verified.account],
        verified.tokens,
        !verified.livemode,
        'api_key',
      );
      return { ok: true, value: connection! };
    },
  };
}
