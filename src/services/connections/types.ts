// What the rest of the app sees of a connection: never its tokens.
import type { ProviderKey } from '../../domain/model.js';
import type { SyncProgress } from '../../domain/sync-progress.js';

export type ConnectionStatus = 'active' | 'needs_reconnect' | 'disconnected';

export interface Connection {
  readonly id: string;
  readonly organisationId: string;
  readonly provider: ProviderKey;
  readonly accountId: string;
  readonly name: string;
  readonly status: ConnectionStatus;
  readonly sandbox: boolean;
  readonly syncCursor?: string;
  readonly lastSyncAt?: string;
  readonly lastError?: string;
  readonly syncProgress?: SyncProgress;
  readonly lastReconciledAt?: string;
  readonly lastReconciledRepaired?: number;
  readonly tokenExpiresAt?: string;
  readonly refreshExpiresAt?: string;
  readonly hardExpiresAt?: string;
}

/** Raised once, when a connection stops working: callers alert the owner and pause the connection's cases. */
export interface ConnectionBrokenEvent {
  readonly kind: 'connection_broken';
  readonly connectionId: string;
  readonly organisationId: string;
  readonly provider: ProviderKey;
  readonly reason: string;
  readonly at: string;
}
