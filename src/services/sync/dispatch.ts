// Wakes connection-sync workflows: after a webhook, after a reconnect, or to start one for a new connection.
// Webhooks only say "something changed"; the sync pass reads what, through the connector. The exception is a
// withdrawn grant, which no sync could read: that connection is disconnected here and its cases are paused.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { withdrawsAccess } from '../../../integrations/types.js';
import type { NormalizedWebhookEvent } from '../../../integrations/types.js';
import type { Database } from '../db/index.js';
import type { ProviderKey } from '../../domain/model.js';
import type { Logger } from '../logger.js';
import { createCaseStarter, type CaseStarter } from '../cases/starter.js';
import { markDeauthorized } from '../connections/deauthorize.js';
import { listActiveByAccounts } from '../connections/records.js';
import {
  connectionSyncWorkflowId,
  reconnectedSignal,
  syncNowSignal,
  type ConnectionSyncWorkflow,
} from '../../../workflows/connection-sync/definitions.js';

export interface SyncDispatcherDeps {
  readonly db: Database;
  readonly client: Client;
  readonly taskQueue: string;
  /** Defaults to a case starter on the same client and task queue. */
  readonly cases?: Pick<CaseStarter, 'signalConnectionBroken'>;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Drops what the provider keeps in this process for an account that withdrew access (its key, its caches). */
  readonly forgetAccount?: (provider: ProviderKey, accountId: string) => void;
}

export const deauthorizedReason = 'deauthorized';

export function createSyncDispatcher(d: SyncDispatcherDeps) {
  const cases = d.cases ?? createCaseStarter({ db: d.db, client: d.client, taskQueue: d.taskQueue });
  const now = d.now ?? Date.now;
  const log = d.logger?.child({ module: 'sync.dispatch' });
  const options = (connectionId: string) => ({
    workflowId: connectionSyncWorkflowId(connectionId),
    taskQueue: d.taskQueue,
    args: [{ connectionId }] as [{ connectionId: string }],
  });

  /** Starts the connection's sync if it is not running, and asks it to sync now either way. */
  async function syncNow(connectionId: string): Promise<void> {
    await d.client.workflow.signalWithStart<ConnectionSyncWorkflow, []>('connectionSyncWorkflow', {
      ...options(connectionId),
      signal: syncNowSignal,
      signalArgs: [],
    });
  }

  /** After the owner reconnects: the sync resumes the connection's cases and syncs at once. */
  async function reconnected(connectionId: string): Promise<void> {
    await d.client.workflow.signalWithStart<ConnectionSyncWorkflow, []>('connectionSyncWorkflow', {
      ...options(connectionId),
      signal: reconnectedSignal,
      signalArgs: [],
    });
  }

  /** After a disconnect: the sync has nothing left to read, even if it was parked waiting for a reconnect. */
  async function stop(connectionId: string): Promise<void> {
    try {
      await d.client.workflow.getHandle(connectionSyncWorkflowId(connectionId)).cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  /** Every step is safe to repeat, so the inbox may retry an event that failed half way. */
  async function disconnectWithdrawn(event: NormalizedWebhookEvent): Promise<number> {
    const ids = await markDeauthorized(
      d.db,
      { provider: event.provider, accountId: event.accountId, at: new Date(event.occurredAt) },
      new Date(now()),
    );
    d.forgetAccount?.(event.provider, event.accountId);
    for (const connectionId of ids) {
      log?.warn(
        { connectionId, provider: event.provider, eventId: event.eventId },
        'connection deauthorized at the provider',
      );
      await stop(connectionId);
      // Without the ledger a case cannot see payments: it pauses its payment clocks and tells the owner.
      await cases.signalConnectionBroken(connectionId, deauthorizedReason);
    }
    return ids.length;
  }

  /** The webhook inbox's onEvents: disconnects withdrawn grants, then one syncNow per connection the other events concern. */
  async function onWebhookEvents(
    provider: ProviderKey,
    events: readonly NormalizedWebhookEvent[],
  ): Promise<{ woken: number; disconnected: number }> {
    let disconnected = 0;
    for (const event of events.filter(withdrawsAccess)) disconnected += await disconnectWithdrawn(event);
    const accounts = [...new Set(events.filter((e) => !withdrawsAccess(e)).map((e) => e.accountId))];
    const targets = await listActiveByAccounts(d.db, provider, accounts);
    for (const connection of targets) await syncNow(connection.id);
    return { woken: targets.length, disconnected };
  }

  return { syncNow, reconnected, stop, onWebhookEvents };
}

export type SyncDispatcher = ReturnType<typeof createSyncDispatcher>;
