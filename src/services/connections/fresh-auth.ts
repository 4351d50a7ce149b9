// Access tokens refreshed ahead of expiry, at most once across every worker: the refresh runs under a row lock
// (SELECT … FOR UPDATE) and the rotated refresh token is written in the same transaction. A second caller
// waits on the lock, re-reads the row and finds fresh tokens, so no refresh token is ever spent twice.
// Connections that share a grant (several organisations of one ledger) share the lock and the rotated tokens.
import { asc, eq, inArray, or } from 'drizzle-orm';
import { IntegrationError, isIntegrationError } from '../../../integrations/errors.js';
import type { ConnectionAuth, OAuthProvider, TokenSet } from '../../../integrations/types.js';
import type { Database } from '../db/index.js';
import { connections } from '../db/schema.js';
import type { KeyRing } from '../security/cipher.js';
import { mutexFor } from './mutex.js';
import { ConnectionNotFoundError, getRow, toConnection, type ConnectionRow } from './records.js';
import { mergeRefreshed, openTokens, refreshDue, sealedTokenColumns } from './tokens.js';
import type { ConnectionBrokenEvent } from './types.js';

export interface FreshAuthDeps {
  readonly db: Database;
  readonly keyRing: KeyRing;
  readonly now: () => number;
  readonly refreshMarginMs: number;
  readonly onBroken: (event: ConnectionBrokenEvent) => Promise<void>;
}

type Outcome =
  | { readonly kind: 'fresh'; readonly auth: ConnectionAuth }
  | { readonly kind: 'broken'; readonly events: readonly ConnectionBrokenEvent[]; readonly error: unknown }
  | { readonly kind: 'unusable'; readonly row: ConnectionRow }
  | { readonly kind: 'moved' };

export const isInvalidGrant = (e: unknown) =>
  isIntegrationError(e) && e.kind === 'auth' && e.details.code === 'invalid_grant';

/** An `auth` error that also says which state the connection is in, so a disconnected one can be told apart. */
export class ConnectionUnusableError extends IntegrationError {
  constructor(
    readonly connectionId: string,
    readonly status: string,
    provider: string,
  ) {
    super('auth', `Connection ${connectionId} is ${status}; the owner must reconnect it`, { provider, code: status });
  }
}

export function unusableError(row: Pick<ConnectionRow, 'id' | 'provider' | 'status'>): ConnectionUnusableError {
  return new ConnectionUnusableError(row.id, row.status, row.provider);
}

function usableTokens(d: FreshAuthDeps, row: ConnectionRow): TokenSet {
  const tokens = openTokens(d.keyRing, row);
  if (!tokens)
    throw new IntegrationError('auth', `Connection ${row.id} holds no tokens; the owner must reconnect it`, {
      provider: row.provider,
      code: 'no_tokens',
    });
  return tokens;
}

export function brokenEvent(row: ConnectionRow, reason: string, nowMs: number): ConnectionBrokenEvent {
  const c = toConnection(row);
  return {
    kind: 'connection_broken',
    connectionId: c.id,
    organisationId: c.organisationId,
    provider: c.provider,
    reason,
    at: new Date(nowMs).toISOString(),
  };
}

/** Connections made from one grant hold the same tokens, so they refresh under one lock: the grant's. */
export const lockKeyOf = (row: Pick<ConnectionRow, 'id' | 'grantId'>) => row.grantId ?? row.id;

async function refreshLocked(
  d: FreshAuthDeps,
  connectionId: string,
  grantId: string | null,
  provider: OAuthProvider,
): Promise<Outcome> {
  return d.db.transaction(async (tx): Promise<Outcome> => {
    // The connection and, when it shares its grant, every connection of that grant, locked in id order.
    const scope = grantId
      ? or(eq(connections.id, connectionId), eq(connections.grantId, grantId))
      : eq(connections.id, connectionId);
    const group = await tx.select().from(connections).where(scope).orderBy(asc(connections.id)).for('update');
    const row = group.find((r) => r.id === connectionId);
    if (!row) throw new ConnectionNotFoundError(connectionId);
    // Reconnected from a new grant since we looked: its tokens are new, so start over under the new grant's lock.
    if (row.grantId !== grantId) return { kind: 'moved' };
    if (row.status !== 'active') return { kind: 'unusable', row };
    const tokens = usableTokens(d, row);
    if (!refreshDue(tokens, d.now(), d.refreshMarginMs))
      return { kind: 'fresh', auth: { accountId: row.accountId, tokens } };
    const holders = group.filter(
      (r) => r.id === row.id || (r.grantId === grantId && r.status === 'active' && r.tokenCiphertext !== null),
    );
    const stamp = new Date(d.now());
    let next: TokenSet;
    try {
      next = mergeRefreshed(tokens, await provider.refresh(tokens));
    } catch (error) {
      if (!isInvalidGrant(error)) throw error;
      const reason = 'The provider refused the refresh token (invalid_grant)';
      // Returned rather than thrown so that the status change commits. The grant is dead for every holder.
      await tx
        .update(connections)
        .set({ status: 'needs_reconnect', lastError: reason, updatedAt: stamp })
        .where(
          inArray(
            connections.id,
            holders.map((h) => h.id),
          ),
        );
      return { kind: 'broken', events: holders.map((h) => brokenEvent(h, reason, d.now())), error };
    }
    // The rotated refresh token replaces the spent one in every holder, in the same transaction.
    for (const holder of holders) {
      await tx
        .update(connections)
        .set({ ...sealedTokenColumns(d.keyRing, holder.id, next), updatedAt: stamp })
        .where(eq(connections.id, holder.id));
    }
    return { kind: 'fresh', auth: { accountId: row.accountId, tokens: next } };
  });
}

/** `read`: the connection's row as the caller just read it, which the first attempt uses instead of reading it again. */
export async function getFreshAuth(
  d: FreshAuthDeps,
  connectionId: string,
  provider: OAuthProvider,
  read?: ConnectionRow,
): Promise<ConnectionAuth> {
  for (let attempt = 0; ; attempt += 1) {
    const row = attempt === 0 && read?.id === connectionId ? read : await getRow(d.db, connectionId);
    if (row.status !== 'active') throw unusableError(row);
    const tokens = usableTokens(d, row);
    if (!refreshDue(tokens, d.now(), d.refreshMarginMs)) return { accountId: row.accountId, tokens };
    const outcome = await mutexFor(d.db).run(lockKeyOf(row), () =>
      refreshLocked(d, connectionId, row.grantId, provider),
    );
    switch (outcome.kind) {
      case 'fresh':
        return outcome.auth;
      case 'moved':
        if (attempt < 2) continue;
        throw new IntegrationError(
          'transient',
          `Connection ${connectionId} was reconnected while refreshing; try again`,
          { provider: row.provider },
        );
      case 'unusable':
        throw unusableError(outcome.row);
      case 'broken':
        for (const event of outcome.events) await d.onBroken(event);
        throw outcome.error;
    }
  }
}
