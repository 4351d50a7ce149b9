// Settings the owner saves reach the cases already open: each running case of the organisation is signalled the
// new profile (organisationSettingsSignal), and its letters drafted and deadlines computed from then on use it.
// The signal carries the Settings revision, so sending it again (a retried save, two saves racing) changes nothing
// a case already has. Cases are read a page at a time and signalled a batch at a time, so an organisation with
// thousands of open cases neither loads them all nor opens thousands of calls at once.
import type { WorkflowClient } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, asc, eq, gt, lt, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { cases, organisations } from '../db/schema.js';
import { organisationSettingsSignal } from '../../../workflows/dispute-case/definitions.js';
import { organisationProfile } from './input.js';
import { closedStatuses } from './records.js';

export interface SettingsSignalResult {
  /** Open cases that received the new settings. */
  readonly signalled: number;
  /** Cases that had finished meanwhile (nothing to change). */
  readonly finished: number;
  /** Cases the signal could not reach (Temporal refused or was unreachable); they keep the settings they had. */
  readonly failed: number;
}

export interface SettingsSignalOptions {
  /** Cases read per page. */
  readonly pageSize?: number;
  /** Signals in flight at once. */
  readonly batchSize?: number;
  readonly log?: { warn(obj: object, msg: string): void };
}

/** Signals every open case of the organisation its current Settings (revision and profile, read from the database). */
export async function signalSettingsToOpenCases(
  db: Database,
  workflows: Pick<WorkflowClient, 'getHandle'>,
  organisationId: string,
  { pageSize = 200, batchSize = 20, log }: SettingsSignalOptions = {},
): Promise<SettingsSignalResult> {
  const organisation = await organisationProfile(db, organisationId);
  const change = { revision: organisation.settingsRevision ?? 0, organisation };
  let signalled = 0;
  let finished = 0;
  let failed = 0;
  let after = '';
  for (;;) {
    // A case still starting is signalled too: its workflow may have read the settings before they were saved.
    const page = await db
      .select({ id: cases.id, workflowId: cases.workflowId })
      .from(cases)
      .where(
        and(
          eq(cases.organisationId, organisationId),
          notInArray(cases.status, [...closedStatuses]),
          ...(after ? [gt(cases.id, after)] : []),
        ),
      )
      .orderBy(asc(cases.id))
      .limit(pageSize);
    for (let i = 0; i < page.length; i += batchSize) {
      const batch = page.slice(i, i + batchSize);
      const results = await Promise.allSettled(
        batch.map((row) => workflows.getHandle(row.workflowId).signal(organisationSettingsSignal, change)),
      );
      let reached = 0;
      results.forEach((r, j) => {
        if (r.status === 'fulfilled') signalled++;
        else if (r.reason instanceof WorkflowNotFoundError) finished++;
        else {
          failed++;
          log?.warn({ err: r.reason, caseId: batch[j]!.id }, 'settings not signalled to an open case');
          return;
        }
        reached++;
      });
      // Temporal answered none of a batch: the rest would wait just as long (the owner's save, a stopping server).
      // The revision stays owed, and the sweep sends it again.
      if (reached === 0) return { signalled, finished, failed };
    }
    if (page.length < pageSize) break;
    after = page.at(-1)!.id;
  }
  // Every open case has this revision now: nothing is owed until the next save. Until then (a case Temporal could
  // not reach, or a server that stopped mid-way), redeliverSettings sends it again.
  if (failed === 0)
    await db
      .update(organisations)
      .set({ settingsDeliveredRevision: sql`greatest(${organisations.settingsDeliveredRevision}, ${change.revision})` })
      .where(eq(organisations.id, organisationId));
  return { signalled, finished, failed };
}

/**
 * Sends saved Settings again to the open cases of every organisation some case is still owed them by: a save whose
 * signals failed, or a process that stopped between saving and signalling. Idempotent: a case keeps only a newer
 * revision than its own.
 */
export async function redeliverSettings(
  db: Database,
  workflows: Pick<WorkflowClient, 'getHandle'>,
  options: SettingsSignalOptions = {},
): Promise<{ readonly organisations: number } & SettingsSignalResult> {
  const owed = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(lt(organisations.settingsDeliveredRevision, organisations.settingsRevision));
  const total = { organisations: owed.length, signalled: 0, finished: 0, failed: 0 };
  for (const { id } of owed) {
    const r = await signalSettingsToOpenCases(db, workflows, id, options);
    total.signalled += r.signalled;
    total.finished += r.finished;
    total.failed += r.failed;
  }
  return total;
}
