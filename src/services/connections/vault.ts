// The connection vault: connections and their sealed tokens. Tokens leave it only as a ConnectionAuth handed
// to a connector; they are never logged and never stored in clear.
import { randomUUID } from 'node:crypto';
import { and, eq, isNotNull, ne, sql } from 'drizzle-orm';
import type { ConnectedAccount, OAuthProvider, TokenSet } from '../../../integrations/types.js';
import type { Database } from '../db/index.js';
import { connections } from '../db/schema.js';
import type { ProviderKey } from '../../domain/model.js';
import type { Logger } from '../logger.js';
import type { KeyRing } from '../security/cipher.js';
import { errorSummary } from './error-summary.js';
import { brokenEvent, getFreshAuth, lockKeyOf } from './fresh-auth.js';
import { mutexFor } from './mutex.js';
import {
  findRow,
  getRow,
  listByOrganisation,
  listInUseByAccounts,
  toConnection,
  type ConnectionRow,
} from './records.js';
import { openTokens, sealedTokenColumns, wipedTokenColumns } from './tokens.js';
import type { Connection, ConnectionBrokenEvent } from './types.js';

/** A sync pass that failed has ended: its progress stops showing as running (what it read stays shown). */
const progressEnded = (at: Date) =>
  sql`case when ${connections.syncProgress} is not null and not (${connections.syncProgress} ? 'finishedAt')
    then ${connections.syncProgress} || jsonb_build_object('finishedAt', ${at.toISOString()}::text)
    else ${connections.syncProgress} end`;

export interface VaultDeps {
  readonly db: Database;
  readonly keyRing: KeyRing;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Refresh this long before the access token expires; default 5 minutes. */
  readonly refreshMarginMs?: number;
  /** Called once per transition to needs_reconnect. */
  readonly onBroken?: (event: ConnectionBrokenEvent) => void | Promise<void>;
}

export interface NewConnection {
  readonly organisationId: string;
  readonly provider: ProviderKey;
  readonly accountId: string;
  readonly name: string;
  readonly sandbox?: boolean;
  readonly tokens: TokenSet;
  /** Shared by the connections made from one grant; a new one when absent. */
  readonly grantId?: string;
  /** 'api_key' for a key the owner pasted; a grant to our app otherwise. */
  readonly credential?: 'oauth' | 'api_key';
}

export function createConnectionVault(deps: VaultDeps) {
  const { db, keyRing } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger?.child({ module: 'connections.vault' });
  // Never throws: when a grant breaks, every holder must hear of it, and a failure telling one (Temporal down)
  // must not silence the rest. Each connection's sync re-signals its cases when it next fails on the grant.
  const onBroken = async (event: ConnectionBrokenEvent) => {
    log?.warn(
      { connectionId: event.connectionId, provider: event.provider, reason: event.reason },
      'connection needs reconnect',
    );
    try {
      await deps.onBroken?.(event);
    } catch (err) {
      log?.error(
        { connectionId: event.connectionId, error: errorSummary(err) },
        'could not act on a broken connection',
      );
    }
  };
  const authDeps = { db, keyRing, now, refreshMarginMs: deps.refreshMarginMs ?? 5 * 60_000, onBroken };
  // While disconnecting: a grant found dead on the way out needs no "please reconnect" email.
  const quietAuthDeps = { ...authDeps, onBroken: async () => undefined };
  const stamp = () => new Date(now());

  /**
   * Creates the connection, or stores new tokens for an account this organisation connected before. Every
   * connection made from one grant is given the same `grantId`, so their shared tokens rotate together.
   */
  async function connect(input: NewConnection): Promise<{ connection: Connection; restored: boolean }> {
    const id = randomUUID();
    const grantId = input.grantId ?? randomUUID();
    const identity = { organisationId: input.organisationId, provider: input.provider, accountId: input.accountId };
    const [created] = await db
      .insert(connections)
      .values({
        id,
        ...identity,
        grantId,
        credential: input.credential ?? 'oauth',
        name: input.name,
        sandbox: input.sandbox ?? false,
        ...sealedTokenColumns(keyRing, id, input.tokens),
        authorizedAt: stamp(),
      })
      .onConflictDoNothing({ target: [connections.organisationId, connections.provider, connections.accountId] })
      .returning();
    if (created) return { connection: toConnection(created), restored: false };
    const [existing] = await db
      .select({ id: connections.id, grantId: connections.grantId })
      .from(connections)
      .where(
        and(
          eq(connections.organisationId, identity.organisationId),
          eq(connections.provider, identity.provider),
          eq(connections.accountId, identity.accountId),
        ),
      );
    if (!existing) throw new Error('connection vanished during reconnect');
    // Under the old grant's lock, so an in-flight refresh of the old grant cannot overwrite the new tokens.
    return mutexFor(db).run(lockKeyOf(existing), () =>
      db.transaction(async (tx) => {
        const [before] = await tx.select().from(connections).where(eq(connections.id, existing.id)).for('update');
        const [after] = await tx
          .update(connections)
          .set({
            grantId,
            credential: input.credential ?? 'oauth',
            name: input.name,
            sandbox: input.sandbox ?? false,
            ...sealedTokenColumns(keyRing, existing.id, input.tokens),
            authorizedAt: stamp(),
            status: 'active',
            lastError: null,
            updatedAt: stamp(),
          })
          .where(eq(connections.id, existing.id))
          .returning();
        return { connection: toConnection(after!), restored: before!.status !== 'active' };
      }),
    );
  }

  /** One connection per chosen account of one grant; they share its tokens. */
  async function connectGrant(
    input: Omit<NewConnection, 'accountId' | 'name' | 'grantId'> & { accounts: readonly ConnectedAccount[] },
  ) {
    const grantId = randomUUID();
    const made = [];
    for (const account of input.accounts)
      made.push(await connect({ ...input, accountId: account.accountId, name: account.name, grantId }));
    return made;
  }

  async function markNeedsReconnect(connectionId: string, reason: string): Promise<ConnectionBrokenEvent | undefined> {
    const [row] = await db
      .update(connections)
      .set({ status: 'needs_reconnect', lastError: reason, syncProgress: progressEnded(stamp()), updatedAt: stamp() })
      .where(and(eq(connections.id, connectionId), eq(connections.status, 'active')))
      .returning();
    if (!row) return undefined;
    const event = brokenEvent(row, reason, now());
    await onBroken(event);
    return event;
  }

  /** True when the connection went from needs_reconnect back to active. */
  async function markRestored(connectionId: string): Promise<boolean> {
    const rows = await db
      .update(connections)
      .set({ status: 'active', lastError: null, updatedAt: stamp() })
      .where(
        and(
          eq(connections.id, connectionId),
          eq(connections.status, 'needs_reconnect'),
          isNotNull(connections.tokenCiphertext),
        ),
      )
      .returning({ id: connections.id });
    return rows.length > 0;
  }

  /**
   * The owner asked to disconnect, so the local tokens are wiped whatever the provider says. At the provider:
   * while other connections share the grant, only this account leaves it (the provider's per-account disconnect);
   * otherwise the grant is revoked, unless that would end access someone else relies on.
   */
  async function disconnect(connectionId: string, provider: OAuthProvider, attempt = 0): Promise<{ revoked: boolean }> {
    const first = await getRow(db, connectionId);
    const sharers =
      first.grantId === null
        ? []
        : await db
            .select({ id: connections.id })
            .from(connections)
            .where(
              and(
                eq(connections.grantId, first.grantId),
                ne(connections.id, connectionId),
                eq(connections.status, 'active'),
                isNotNull(connections.tokenCiphertext),
              ),
            );
    const plan = sharers.length > 0 ? 'leave' : await revokePlan(first, provider);
    const done =
      plan === 'leave'
        ? await leaveGrant(first, provider)
        : await mutexFor(db).run(lockKeyOf(first), async () => {
            const row = await getRow(db, connectionId);
            if (row.grantId !== first.grantId) return undefined; // reconnected from a new grant meanwhile: decide again
            const tokens = openTokens(keyRing, row);
            let revoked = false;
            if (tokens && plan === 'revoke') {
              try {
                await provider.revoke(tokens);
                revoked = true;
              } catch (err) {
                log?.warn({ connectionId, provider: row.provider, error: errorSummary(err) }, 'token revoke failed');
              }
            }
            await wipe(connectionId);
            return { revoked };
          });
    if (done) return done;
    if (attempt >= 2) throw new Error(`Connection ${connectionId} keeps being reconnected; disconnect it again`);
    return disconnect(connectionId, provider, attempt + 1);
  }

  /**
   * Providers link an app to an account, not to one grant (per user, per company or per
   * account), so revoking ours may end access another connection relies on: another organisation reading the same
   * account ('keep': our copy of the tokens goes, the grant left at the provider expires unused), or, where a
   * revoke reaches every account the user linked, one of those ('leave': only this account is unlinked).
   */
  async function revokePlan(row: ConnectionRow, provider: OAuthProvider): Promise<'revoke' | 'leave' | 'keep'> {
    if (await readElsewhere(row)) {
      log?.info(
        { connectionId: row.id, provider: row.provider },
        'grant left at the provider: another organisation reads this account',
      );
      return 'keep';
    }
    if (!provider.listAccounts || !provider.disconnectAccount || row.status !== 'active') return 'revoke';
    try {
      const { tokens } = await getFreshAuth(quietAuthDeps, row.id, provider);
      const others = (await provider.listAccounts(tokens)).map((a) => a.accountId).filter((id) => id !== row.accountId);
      const inUse = await listInUseByAccounts(db, toConnection(row).provider, others);
      return inUse.some((c) => c.id !== row.id) ? 'leave' : 'revoke';
    } catch (err) {
      // Unsure what a revoke would end: unlink only this account, and let the unused grant expire at the provider.
      log?.warn(
        { connectionId: row.id, provider: row.provider, error: errorSummary(err) },
        'could not list the accounts a revoke would end; unlinking this one only',
      );
      return 'leave';
    }
  }

  /** Undefined when the connection was reconnected from another grant meanwhile: the caller decides again. */
  async function leaveGrant(row: ConnectionRow, provider: OAuthProvider): Promise<{ revoked: boolean } | undefined> {
    let revoked = false;
    // Some providers link an app to an organisation per user, not per grant: another Shortfall organisation reaching the same
    // one (an agency and its client, consented by one person) would lose it too. Then only our copy goes.
    if (provider.disconnectAccount && row.status === 'active' && !(await readElsewhere(row))) {
      try {
        // Fresh auth first (it takes the grant's lock itself): the access token may have expired.
        const auth = await getFreshAuth(quietAuthDeps, row.id, provider);
        await provider.disconnectAccount({ tokens: auth.tokens, accountId: row.accountId });
        revoked = true;
      } catch (err) {
        log?.warn(
          { connectionId: row.id, provider: row.provider, error: errorSummary(err) },
          'account disconnect failed',
        );
      }
    }
    return mutexFor(db).run(lockKeyOf(row), async () => {
      if ((await getRow(db, row.id)).grantId !== row.grantId) return undefined;
      await wipe(row.id);
      return { revoked };
    });
  }

  /** Whether another connection (another organisation's) holds our app's grant to the same provider account. */
  async function readElsewhere(row: ConnectionRow): Promise<boolean> {
    if (row.credential !== 'oauth') return false; // a pasted key is the owner's own, not our app's link
    const others = await db
      .select({ id: connections.id })
      .from(connections)
      .where(
        and(
          eq(connections.provider, row.provider),
          eq(connections.accountId, row.accountId),
          eq(connections.credential, 'oauth'),
          ne(connections.id, row.id),
          ne(connections.status, 'disconnected'),
        ),
      );
    return others.length > 0;
  }

  async function wipe(connectionId: string): Promise<void> {
    await db
      .update(connections)
      .set({ ...wipedTokenColumns, status: 'disconnected', updatedAt: stamp() })
      .where(eq(connections.id, connectionId));
  }

  async function recordSyncError(connectionId: string, message: string): Promise<void> {
    await db
      .update(connections)
      .set({ lastError: message, syncProgress: progressEnded(stamp()), updatedAt: stamp() })
      .where(eq(connections.id, connectionId));
  }

  return {
    connect,
    connectGrant,
    find: async (connectionId: string) => {
      const row = await findRow(db, connectionId);
      return row && toConnection(row);
    },
    get: async (connectionId: string) => toConnection(await getRow(db, connectionId)),
    listByOrganisation: (organisationId: string) => listByOrganisation(db, organisationId),
    getFreshAuth: (connectionId: string, provider: OAuthProvider) => getFreshAuth(authDeps, connectionId, provider),
    /**
     * The connection and fresh auth for it, from one read of its row (a second only when its tokens need refreshing):
     * `oauthOf` names the provider's OAuth side once the row says which provider it is.
     */
    getWithFreshAuth: async (connectionId: string, oauthOf: (connection: Connection) => OAuthProvider) => {
      const row = await getRow(db, connectionId);
      const connection = toConnection(row);
      return { connection, auth: await getFreshAuth(authDeps, connectionId, oauthOf(connection), row) };
    },
    markNeedsReconnect,
    markRestored,
    disconnect,
    recordSyncError,
  };
}

export type ConnectionVault = ReturnType<typeof createConnectionVault>;
