// Reads of the connections table, mapped to the token-free Connection view.
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { connections } from '../db/schema.js';
import { isProviderKey } from '../../../integrations/registry.js';
import type { ProviderKey } from '../../domain/model.js';
import type { Connection, ConnectionStatus } from './types.js';

export type ConnectionRow = typeof connections.$inferSelect;

export class ConnectionNotFoundError extends Error {
  override readonly name = 'ConnectionNotFoundError';
  constructor(readonly connectionId: string) {
    super(`No connection ${connectionId}`);
  }
}

const iso = (d: Date | null) => d?.toISOString();

function providerOf(row: ConnectionRow): ProviderKey {
  const key = isProviderKey(row.provider) ? row.provider : undefined;
  if (!key) throw new Error(`Connection ${row.id} has unknown provider ${row.provider}`);
  return key;
}

export function toConnection(row: ConnectionRow): Connection {
  return {
    id: row.id,
    organisationId: row.organisationId,
    provider: providerOf(row),
    accountId: row.accountId,
    name: row.name,
    status: row.status as ConnectionStatus,
    sandbox: row.sandbox,
    syncCursor: row.syncCursor ?? undefined,
    lastSyncAt: iso(row.lastSyncAt),
    lastError: row.lastError ?? undefined,
    ...(row.syncProgress && { syncProgress: row.syncProgress }),
    lastReconciledAt: iso(row.lastReconciledAt),
    lastReconciledRepaired: row.lastReconciledRepaired ?? undefined,
    tokenExpiresAt: iso(row.tokenExpiresAt),
    refreshExpiresAt: iso(row.refreshExpiresAt),
    hardExpiresAt: iso(row.hardExpiresAt),
  };
}

export async function findRow(db: Database, connectionId: string): Promise<ConnectionRow | undefined> {
  const [row] = await db.select().from(connections).where(eq(connections.id, connectionId));
  return row;
}

export async function getRow(db: Database, connectionId: string): Promise<ConnectionRow> {
  const row = await findRow(db, connectionId);
  if (!row) throw new ConnectionNotFoundError(connectionId);
  return row;
}

export async function listByOrganisation(db: Database, organisationId: string): Promise<Connection[]> {
  const rows = await db
    .select()
    .from(connections)
    .where(eq(connections.organisationId, organisationId))
    .orderBy(asc(connections.createdAt));
  return rows.map(toConnection);
}

/** Webhooks name the provider account; several organisations may have connected the same one. */
export async function listActiveByAccounts(
  db: Database,
  provider: ProviderKey,
  accountIds: readonly string[],
): Promise<Connection[]> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .select()
    .from(connections)
    .where(
      and(
        eq(connections.provider, provider),
        inArray(connections.accountId, [...accountIds]),
        eq(connections.status, 'active'),
      ),
    );
  return rows.map(toConnection);
}

/** Connections of any organisation that still rely on these provider accounts (not disconnected). */
export async function listInUseByAccounts(
  db: Database,
  provider: ProviderKey,
  accountIds: readonly string[],
): Promise<Connection[]> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .select()
    .from(connections)
    .where(
      and(
        eq(connections.provider, provider),
        inArray(connections.accountId, [...accountIds]),
        ne(connections.status, 'disconnected'),
      ),
    );
  return rows.map(toConnection);
}

/** Distinct provider accounts that some organisation's connection still relies on (a tier's connection count). */
export async function listAccountIdsInUse(db: Database, provider: ProviderKey): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ accountId: connections.accountId })
    .from(connections)
    .where(and(eq(connections.provider, provider), ne(connections.status, 'disconnected')));
  return new Set(rows.map((r) => r.accountId));
}
