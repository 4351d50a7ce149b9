// Access tokens refreshed ahead of expiry, at most once across every worker: the refresh runs under a row lock
// (SELECT … FOR UPDATE) and the rotated refresh token is written in the same transaction. A second caller
// waits on the lock, re-reads the row and finds fresh tokens, so no refresh token is ever spent twice.
import { eq } from 'drizzle-orm';
import { IntegrationError, isIntegrationError } from '../../integrations/errors.js';
import type { ConnectionAuth, OAuthProvider, TokenSet } from '../../integrations/types.js';
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
  | { readonly kind: 'broken'; readonly event: ConnectionBrokenEvent; readonly error: unknown }
  | { readonly kind: 'unusable'; readonly row: ConnectionRow };

export const isInvalidGrant = (e: unknown) => isIntegrationError(e) && e.kind === 'auth' && e.details.code === 'invalid_grant';

export function unusableError(row: Pick<ConnectionRow, 'id' | 'provider' | 'status'>): IntegrationError {
  return new IntegrationError('auth', `Connection ${row.id} is ${row.status}; the owner must reconnect it`, { provider: row.provider, code: row.status });
}

function usableTokens(d: FreshAuthDeps, row: ConnectionRow): TokenSet {
  const tokens = openTokens(d.keyRing, row);
  if (!tokens) throw new IntegrationError('auth', `Connection ${row.id} holds no tokens; the owner must reconnect it`, { provider: row.provider, code: 'no_tokens' });
  return tokens;
}

export function brokenEvent(row: ConnectionRow, reason: string, nowMs: number): ConnectionBrokenEvent {
  const c = toConnection(row);
  return { kind: 'connection_broken', connectionId: c.id, organisationId: c.organisationId, provider: c.provider, reason, at: new Date(nowMs).toISOString() };
}

async function refreshLocked(d: FreshAuthDeps, connectionId: string, provider: OAuthProvider): Promise<Outcome> {
  return d.db.transaction(async (tx): Promise<Outcome> => {
    const [row] = await tx.select().from(connections).where(eq(connections.id, connectionId)).for('update');
    if (!row) throw new ConnectionNotFoundError(connectionId);
    if (row.status !== 'active') return { kind: 'unusable', row };
    const tokens = usableTokens(d, row);
    if (!refreshDue(tokens, d.now(), d.refreshMarginMs)) return { kind: 'fresh', auth: { accountId: row.accountId, tokens } };
    let next: TokenSet;
    try {
      next = mergeRefreshed(tokens, await provider.refresh(tokens));
    } catch (error) {
      if (!isInvalidGrant(error)) throw error;
      const reason = 'The provider refused the refresh token (invalid_grant)';
      // Returned rather than thrown so that the status change commits.
      await tx.update(connections).set({ status: 'needs_reconnect', lastError: reason, updatedAt: new Date(d.now()) }).where(eq(connections.id, row.id));
      return { kind: 'broken', event: brokenEvent(row, reason, d.now()), error };
    }
    await tx.update(connections).set({ ...sealedTokenColumns(d.keyRing, row.id, next), updatedAt: new Date(d.now()) }).where(eq(connections.id, row.id));
    return { kind: 'fresh', auth: { accountId: row.accountId, tokens: next } };
  });
}

export async function getFreshAuth(d: FreshAuthDeps, connectionId: string, provider: OAuthProvider): Promise<ConnectionAuth> {
  const row = await getRow(d.db, connectionId);
  if (row.status !== 'active') throw unusableError(row);
  const tokens = usableTokens(d, row);
  if (!refreshDue(tokens, d.now(), d.refreshMarginMs)) return { accountId: row.accountId, tokens };
  const outcome = await mutexFor(d.db).run(connectionId, () => refreshLocked(d, connectionId, provider));
  switch (outcome.kind) {
    case 'fresh':
      return outcome.auth;
    case 'unusable':
      throw unusableError(outcome.row);
    case 'broken':
      await d.onBroken(outcome.event);
      throw outcome.error;
  }
}
