// The connection vault: connections and their sealed tokens. Tokens leave it only as a ConnectionAuth handed
// to a connector; they are never logged and never stored in clear.
import { randomUUID } from 'node:crypto';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { OAuthProvider, TokenSet } from '../../integrations/types.js';
import type { Database } from '../db/index.js';
import { connections } from '../db/schema.js';
import type { ProviderKey } from '../domain/model.js';
import type { Logger } from '../logger.js';
import type { KeyRing } from '../security/cipher.js';
import { errorSummary } from './error-summary.js';
import { brokenEvent, getFreshAuth } from './fresh-auth.js';
import { mutexFor } from './mutex.js';
import { findRow, getRow, listByOrganisation, toConnection } from './records.js';
import { openTokens, sealedTokenColumns, wipedTokenColumns } from './tokens.js';
import type { Connection, ConnectionBrokenEvent } from './types.js';

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
}

export function createConnectionVault(deps: VaultDeps) {
  const { db, keyRing } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger?.child({ module: 'connections.vault' });
  const onBroken = async (event: ConnectionBrokenEvent) => {
    log?.warn({ connectionId: event.connectionId, provider: event.provider, reason: event.reason }, 'connection needs reconnect');
    await deps.onBroken?.(event);
  };
  const authDeps = { db, keyRing, now, refreshMarginMs: deps.refreshMarginMs ?? 5 * 60_000, onBroken };
  const stamp = () => new Date(now());

  /** Creates the connection, or stores new tokens for an account this organisation connected before. */
  async function connect(input: NewConnection): Promise<{ connection: Connection; restored: boolean }> {
    const id = randomUUID();
    const identity = { organisationId: input.organisationId, provider: input.provider, accountId: input.accountId };
    const [created] = await db.insert(connections)
      .values({ id, ...identity, name: input.name, sandbox: input.sandbox ?? false, ...sealedTokenColumns(keyRing, id, input.tokens), authorizedAt: stamp() })
      .onConflictDoNothing({ target: [connections.organisationId, connections.provider, connections.accountId] })
      .returning();
    if (created) return { connection: toConnection(created), restored: false };
    const [existing] = await db.select({ id: connections.id }).from(connections)
      .where(and(eq(connections.organisationId, identity.organisationId), eq(connections.provider, identity.provider), eq(connections.accountId, identity.accountId)));
    if (!existing) throw new Error('connection vanished during reconnect');
    // Same lock as a refresh, so an in-flight refresh of the old grant cannot overwrite the new tokens.
    return mutexFor(db).run(existing.id, () => db.transaction(async (tx) => {
      const [before] = await tx.select().from(connections).where(eq(connections.id, existing.id)).for('update');
      const [after] = await tx.update(connections)
        .set({ name: input.name, sandbox: input.sandbox ?? false, ...sealedTokenColumns(keyRing, existing.id, input.tokens), authorizedAt: stamp(), status: 'active', lastError: null, updatedAt: stamp() })
        .where(eq(connections.id, existing.id)).returning();
      return { connection: toConnection(after!), restored: before!.status !== 'active' };
    }));
  }

  async function markNeedsReconnect(connectionId: string, reason: string): Promise<ConnectionBrokenEvent | undefined> {
    const [row] = await db.update(connections).set({ status: 'needs_reconnect', lastError: reason, updatedAt: stamp() })
      .where(and(eq(connections.id, connectionId), eq(connections.status, 'active'))).returning();
    if (!row) return undefined;
    const event = brokenEvent(row, reason, now());
    await onBroken(event);
    return event;
  }

  /** True when the connection went from needs_reconnect back to active. */
  async function markRestored(connectionId: string): Promise<boolean> {
    const rows = await db.update(connections).set({ status: 'active', lastError: null, updatedAt: stamp() })
      .where(and(eq(connections.id, connectionId), eq(connections.status, 'needs_reconnect'), isNotNull(connections.tokenCiphertext))).returning({ id: connections.id });
    return rows.length > 0;
  }

  /** Revokes at the provider when it can; the local tokens are wiped either way, the owner asked to disconnect. */
  async function disconnect(connectionId: string, provider: OAuthProvider): Promise<{ revoked: boolean }> {
    return mutexFor(db).run(connectionId, async () => {
      const row = await getRow(db, connectionId);
      const tokens = openTokens(keyRing, row);
      let revoked = false;
      if (tokens) {
        try {
          await provider.revoke(tokens);
          revoked = true;
        } catch (err) {
          log?.warn({ connectionId, provider: row.provider, error: errorSummary(err) }, 'token revoke failed');
        }
      }
      await db.update(connections).set({ ...wipedTokenColumns, status: 'disconnected', updatedAt: stamp() }).where(eq(connections.id, connectionId));
      return { revoked };
    });
  }

  async function recordSyncError(connectionId: string, message: string): Promise<void> {
    await db.update(connections).set({ lastError: message, updatedAt: stamp() }).where(eq(connections.id, connectionId));
  }

  return {
    connect,
    find: async (connectionId: string) => {
      const row = await findRow(db, connectionId);
      return row && toConnection(row);
    },
    get: async (connectionId: string) => toConnection(await getRow(db, connectionId)),
    listByOrganisation: (organisationId: string) => listByOrganisation(db, organisationId),
    getFreshAuth: (connectionId: string, provider: OAuthProvider) => getFreshAuth(authDeps, connectionId, provider),
    markNeedsReconnect,
    markRestored,
    disconnect,
    recordSyncError,
  };
}

export type ConnectionVault = ReturnType<typeof createConnectionVault>;
