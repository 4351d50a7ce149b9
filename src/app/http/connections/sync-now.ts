// "Sync now": asks the connection's sync workflow for a pass with the requestSync Update, which starts one only when
// none is running or already asked for, so a second click (or a second teammate) never starts a second pass.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  connectionSyncWorkflowId,
  requestSyncUpdate,
  type SyncRequestOutcome,
} from '../../../../workflows/connection-sync/definitions.js';
import type { ConnectionSummary } from '../../../services/ports.js';
import type { WebDeps } from '../deps.js';
import type { NoticeKey } from '../notices.js';
import { PageError } from '../page-error.js';

export type SyncNow = { kind: 'notice'; notice: NoticeKey } | { kind: 'message'; message: string };

const notices: Record<Exclude<SyncRequestOutcome, 'needs_reconnect'>, NoticeKey> = {
  started: 'sync_started',
  already_running: 'sync_running',
  already_requested: 'sync_running',
};

const reconnect = 'This connection needs reconnecting before it can sync: use Reconnect beside it.';

export async function requestSync(
  deps: Pick<WebDeps, 'workflows' | 'settings'>,
  connection: ConnectionSummary,
): Promise<SyncNow> {
  if (connection.status === 'needs_reconnect') return { kind: 'message', message: reconnect };
  if (connection.status !== 'active')
    return { kind: 'message', message: 'This connection is disconnected: connect it again to sync it.' };
  try {
    const outcome = await deps.workflows.withDeadline(Date.now() + deps.settings.temporalTimeoutsMs.update, () =>
      deps.workflows.getHandle(connectionSyncWorkflowId(connection.id)).executeUpdate(requestSyncUpdate),
    );
    return outcome === 'needs_reconnect'
      ? { kind: 'message', message: reconnect }
      : { kind: 'notice', notice: notices[outcome] };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError)
      return {
        kind: 'message',
        message:
          'The sync of this connection is not running just now, so it could not start. Connect it again to restart it.',
      };
    throw new PageError(
      503,
      'temporal_unavailable',
      'Temporarily unavailable',
      'The sync could not be reached just now, so nothing was started. Try again in a minute.',
      { cause: err },
    );
  }
}
