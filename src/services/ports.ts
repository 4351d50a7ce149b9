// What the web app needs from parts owned elsewhere. The lead wires implementations in src/app/deps.ts; the web
// code depends only on these shapes, so it is tested with fakes that implement them.
import type { ProviderKey } from '../domain/model.js';
import type { SyncProgress } from '../domain/sync-progress.js';

/** A connection as the connections page shows it: never its tokens. Structurally a subset of connections/types.ts. */
export interface ConnectionSummary {
  readonly id: string;
  readonly provider: ProviderKey;
  readonly name: string;
  readonly status: 'active' | 'needs_reconnect' | 'disconnected';
  readonly sandbox: boolean;
  readonly lastSyncAt?: string | undefined;
  readonly lastError?: string | undefined;
  /** The sync pass under way, or the last one (finishedAt set). */
  readonly syncProgress?: SyncProgress | undefined;
  /** The provider's refresh-token hard cap (years, where it has one): after it the owner must connect again. */
  readonly hardExpiresAt?: string | undefined;
}

/** Expected failures carry a message written for the owner; anything else is thrown. */
export type PortResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A grant with one organisation is connected at once; one with several waits for the owner to choose. */
export type CallbackOutcome =
  | { readonly kind: 'connected'; readonly connections: readonly ConnectionSummary[] }
  | { readonly kind: 'choose'; readonly choiceId: string };

/** The organisations one grant reaches, waiting for the owner to pick which to connect. */
export interface AccountChoice {
  readonly id: string;
  readonly provider: ProviderKey;
  readonly expiresAt: string;
  readonly accounts: readonly {
    readonly accountId: string;
    readonly name: string;
    /** The status of this organisation's existing connection, if it has one. */
    readonly status?: ConnectionSummary['status'] | undefined;
  }[];
}

export interface ConnectionsPort {
  /** The provider's authorisation URL, with a fresh `state` bound to this user and provider. */
  startUrl(userId: string, provider: ProviderKey): Promise<string>;
  /** Checks `state`, exchanges the code and stores the connection; a refused or replayed callback is `ok: false`. */
  completeCallback(
    userId: string,
    provider: ProviderKey,
    query: Readonly<Record<string, string>>,
  ): Promise<PortResult<CallbackOutcome>>;
  /** The choice a callback left for this user; `ok: false` once used, expired, or when it is not theirs. */
  choice(userId: string, choiceId: string): Promise<PortResult<AccountChoice>>;
  /** Connects the chosen organisations (each its own connection) and uses the choice up. */
  choose(
    userId: string,
    choiceId: string,
    accountIds: readonly string[],
  ): Promise<PortResult<readonly ConnectionSummary[]>>;
  /** Drops the choice: nothing is connected. */
  cancelChoice(userId: string, choiceId: string): Promise<void>;
  list(organisationId: string): Promise<readonly ConnectionSummary[]>;
  /** Only a connection of this organisation; false when there is none with that id. */
  disconnect(organisationId: string, connectionId: string): Promise<boolean>;
  /** Validates a pasted restricted API key with the provider that takes one, then stores it sealed like an OAuth token. */
  saveApiKey(organisationId: string, key: string): Promise<PortResult<ConnectionSummary>>;
}
