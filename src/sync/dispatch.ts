// Wakes connection-sync workflows: after a webhook, after a reconnect, or to start one for a new connection.
// Webhooks only say "something changed"; the sync pass reads what, through the connector.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { NormalizedWebhookEvent } from '../../integrations/types.js';
import type { Database } from '../db/index.js';
import type { ProviderKey } from '../domain/model.js';
import { listActiveByAccounts } from '../connections/records.js';
import {
  connectionSyncWorkflowId, reconnectedSignal, syncNowSignal, type ConnectionSyncWorkflow,
} from '../../workflows/connection-sync/definitions.js';

export interface SyncDispatcherDeps {
  readonly db: Database;
  readonly client: Client;
  readonly taskQueue: string;
}

export function createSyncDispatcher(d: SyncDispatcherDeps) {
  const options = (connectionId: string) => ({ workflowId: connectionSyncWorkflowId(connectionId), taskQueue: d.taskQueue, args: [{ connectionId }] as [{ connectionId: string }] });

  /** Starts the connection's sync if it is not running, and asks it to sync now either way. */
  async function syncNow(connectionId: string): Promise<void> {
    await d.client.workflow.signalWithStart<ConnectionSyncWorkflow, []>('connectionSyncWorkflow', { ...options(connectionId), signal: syncNowSignal, signalArgs: [] });
  }

  /** After the owner reconnects: the sync resumes the connection's cases and syncs at once. */
  async function reconnected(connectionId: string): Promise<void> {
    await d.client.workflow.signalWithStart<ConnectionSyncWorkflow, []>('connectionSyncWorkflow', { ...options(connectionId), signal: reconnectedSignal, signalArgs: [] });
  }

  /** The webhook inbox's onEvents: one syncNow per connection the events concern. Returns how many were woken. */
  async function onWebhookEvents(provider: ProviderKey, events: readonly NormalizedWebhookEvent[]): Promise<number> {
    const accounts = [...new Set(events.map((e) => e.accountId))];
    const targets = await listActiveByAccounts(d.db, provider, accounts);
    for (const connection of targets) await syncNow(connection.id);
    return targets.length;
  }

  /** After a disconnect: the sync has nothing left to read, even if it was parked waiting for a reconnect. */
  async function stop(connectionId: string): Promise<void> {
    try {
      await d.client.workflow.getHandle(connectionSyncWorkflowId(connectionId)).cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  return { syncNow, reconnected, stop, onWebhookEvents };
}

export type SyncDispatcher = ReturnType<typeof createSyncDispatcher>;
