// Activities of the connection-sync workflow: pull and store one page of the change feed or of the daily
// sweep, apply the case actions it produced, and the connection status changes the workflow decides on.
// Each is safe to retry.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ConnectionVault } from '../src/services/connections/vault.js';
import type { CaseStarter } from '../src/services/cases/starter.js';
import type { CaseAction } from '../src/domain/case-actions.js';
import type { SyncStore } from '../src/services/sync/store.js';
import type { ProviderRegistry } from '../integrations/registry.js';
import type { ChangeBatch } from '../integrations/types.js';
import type { ReconciliationResult } from '../workflows/connection-sync/definitions.js';
import type {
  AppliedActions,
  SweepPageResult,
  SyncActivities,
  SyncAndApplyResult,
  SyncPageInput,
  SyncPageResult,
} from '../workflows/connection-sync/activities.js';
import { disconnectedFailureType, integrationCall } from './failures.js';

export interface SyncActivityDeps {
  readonly connections: Pick<
    ConnectionVault,
    'get' | 'getFreshAuth' | 'markNeedsReconnect' | 'markRestored' | 'recordSyncError'
  >;
  readonly providers: Pick<ProviderRegistry, 'get'>;
  readonly sync: Pick<SyncStore, 'applyBatch' | 'reconcileBatch' | 'recordReconciliation' | 'acknowledge'>;
  readonly cases: Pick<CaseStarter, 'openOrSignalCase' | 'signalConnectionBroken' | 'signalConnectionRestored'>;
  /** Defaults to the running activity's heartbeat. */
  readonly heartbeat?: (details: unknown) => void;
  readonly heartbeatEveryMs?: number;
}

/** Heartbeats while a slow provider call runs, so a dead worker is noticed without failing a live one. */
async function beating<T>(beat: () => void, everyMs: number, body: () => Promise<T>): Promise<T> {
  beat();
  const timer = setInterval(beat, everyMs);
  try {
    return await body();
  } finally {
    clearInterval(timer);
  }
}

export function createSyncActivities(d: SyncActivityDeps): SyncActivities {
  const heartbeat = d.heartbeat ?? ((details: unknown) => Context.current().heartbeat(details));
  const everyMs = d.heartbeatEveryMs ?? 10_000;

  /** One page from the incremental cursor, or (`backfill`) from no cursor at all: a full re-read. */
  async function pull(input: SyncPageInput, from: 'cursor' | 'backfill'): Promise<ChangeBatch> {
    const connection = await d.connections.get(input.connectionId);
    if (connection.status === 'disconnected')
      throw ApplicationFailure.nonRetryable(`Connection ${connection.id} was disconnected`, disconnectedFailureType);
    const provider = d.providers.get(connection.provider);
    const auth = await d.connections.getFreshAuth(connection.id, provider.oauth);
    const cursor = from === 'cursor' ? connection.syncCursor : undefined;
    return beating(
      () => heartbeat({ pageCursor: input.pageCursor }),
      everyMs,
      () =>
        provider.connector(auth).pullChanges({
          ...(cursor !== undefined && { cursor }),
          ...(input.pageCursor !== undefined && { pageCursor: input.pageCursor }),
        }),
    );
  }

  /** Each action in turn, acknowledged once applied, heartbeating between them (a page may start many cases). */
  async function apply(
    connectionId: string,
    actions: readonly CaseAction[],
    beat: () => void = () => undefined,
  ): Promise<AppliedActions> {
    const counts = { started: 0, signalled: 0, skipped: 0 };
    for (const action of actions) {
      const outcome = await d.cases.openOrSignalCase(action);
      counts[outcome.kind]++;
      await d.sync.acknowledge(connectionId, [action.trigger]);
      beat();
    }
    return counts;
  }

  const syncPage = (input: SyncPageInput): Promise<SyncPageResult> =>
    integrationCall(async () => {
      const batch = await pull(input, 'cursor');
      const actions = await d.sync.applyBatch(input.connectionId, batch, { first: input.pageCursor === undefined });
      heartbeat({ pageCursor: batch.nextCursor });
      const stored = {
        invoices: batch.invoices.length,
        payments: batch.payments.length,
        creditNotes: batch.creditNotes.length,
        disputes: batch.disputes.length,
      };
      return { actions, stored, ...(batch.nextCursor !== undefined && { nextPageCursor: batch.nextCursor }) };
    });

  return {
    syncPage,

    async syncAndApplyPage(input: SyncPageInput): Promise<SyncAndApplyResult> {
      const { actions, ...page } = await syncPage(input);
      const applied = await apply(input.connectionId, actions, () => heartbeat({ pageCursor: page.nextPageCursor }));
      return { ...page, applied };
    },

    sweepPage: (input: SyncPageInput): Promise<SweepPageResult> =>
      integrationCall(async () => {
        const batch = await pull(input, 'backfill');
        // A connector may page on from its backfill into its change feed (some do): that part is the sync's, so
        // the sweep ends on the backfill's last page. A page cursor already on the feed (handed out before
        // connectors said where the feed begins) reads nothing more either.
        if (!batch.backfill) return { actions: [], scanned: 0, repaired: 0 };
        const { actions, scanned, repaired } = await d.sync.reconcileBatch(input.connectionId, batch);
        const next = batch.nextIsFeed ? undefined : batch.nextCursor;
        heartbeat({ pageCursor: next });
        return { actions, scanned, repaired, ...(next !== undefined && { nextPageCursor: next }) };
      }),

    applyCaseActions: (input: { connectionId: string; actions: readonly CaseAction[] }): Promise<AppliedActions> =>
      apply(input.connectionId, input.actions),

    async recordReconciliation(input: { connectionId: string; result: ReconciliationResult }): Promise<void> {
      await d.sync.recordReconciliation(input.connectionId, input.result);
    },

    async markConnectionBroken(input: { connectionId: string; reason: string }): Promise<void> {
      await d.connections.markNeedsReconnect(input.connectionId, input.reason);
      await d.cases.signalConnectionBroken(input.connectionId, input.reason);
    },

    async markConnectionRestored(input: { connectionId: string }): Promise<void> {
      await d.connections.markRestored(input.connectionId);
      await d.cases.signalConnectionRestored(input.connectionId);
    },

    async recordSyncFailure(input: { connectionId: string; message: string }): Promise<void> {
      await d.connections.recordSyncError(input.connectionId, input.message);
    },
  };
}

export type { SweepPageResult, SyncActivities, SyncAndApplyResult, SyncPageInput, SyncPageResult };
