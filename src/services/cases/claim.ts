// The cases row is written before its workflow starts (status "starting"), so the case id in the workflow
// input is stable across retries. A resolved case whose invoice is short again is reopened under the same key.
// The key is global, so organisations reading one ledger account share the case: the first to claim it owns it.
// A case reopened after its owner disconnected that account passes to the organisation that still reads it.
import { and, eq, exists, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { cases, connections } from '../db/schema.js';
import type { CaseFacts } from '../../domain/case.js';
import { disputeCaseWorkflowId } from '../../../workflows/dispute-case/definitions.js';
import { sharingConnectionStatuses, startingStatus, type CaseRow } from './records.js';
import { withKeys } from './send-once.js';

export interface ClaimInput {
  readonly organisationId: string;
  readonly connectionId: string;
  readonly caseKey: string;
  readonly facts: CaseFacts;
  readonly customerName?: string;
}

/**
 * The claimed row, or undefined when a running or owner-closed case already holds the key. The row's
 * organisation and connection are the case's owner, which is not the claimant when another organisation reading
 * the same account claimed it first: the caller runs the case as the row says. `inserted` is false when the key was
 * claimed before (a retried start, or a resolved case reopened): its workflow may already run with an earlier input.
 */
export async function claimCase(
  db: Database,
  c: ClaimInput,
  now: Date,
): Promise<(CaseRow & { inserted: boolean }) | undefined> {
  const { facts } = c;
  const ownerStillReads = exists(
    db
      .select({ one: sql`1` })
      .from(connections)
      .where(and(eq(connections.id, cases.connectionId), inArray(connections.status, [...sharingConnectionStatuses]))),
  );
  const figures = {
    kind: facts.kind,
    currency: facts.disputed.currency,
    paidMinor: facts.paid.minor,
    disputedMinor: facts.disputed.minor,
  };
  const [row] = await db
    .insert(cases)
    .values({
      organisationId: c.organisationId,
      caseKey: c.caseKey,
      workflowId: disputeCaseWorkflowId(c.caseKey),
      connectionId: c.connectionId,
      invoiceId: facts.invoice?.id ?? null,
      disputeId: facts.chargeback?.dispute.id ?? null,
      status: startingStatus,
      customerName: c.customerName ?? null,
      ...figures,
    })
    .onConflictDoUpdate({
      target: cases.caseKey,
      set: {
        status: startingStatus,
        ...figures,
        updatedAt: now,
        organisationId: sql`case when ${ownerStillReads} then ${cases.organisationId} else excluded.organisation_id end`,
        connectionId: sql`case when ${ownerStillReads} then ${cases.connectionId} else excluded.connection_id end`,
        // A new owner's case has none of its Settings yet (the previous owner's revision means nothing to it).
        settingsRevision: sql`case when ${ownerStillReads} then ${cases.settingsRevision} else 0 end`,
      },
      setWhere: sql`${cases.status} in (${startingStatus}, 'resolved')`,
    })
    // xmax is 0 on a row this statement inserted, and set on one it updated.
    .returning({ ...getTableColumns(cases), inserted: sql<boolean>`(xmax = 0)` });
  return row;
}

/**
 * Records what the started workflow already knows (its ledger facts, and the Settings revision its input carries
 * when this start created it), and that it runs (unless it has projected a status itself).
 */
export async function markStarted(
  db: Database,
  caseId: string,
  knownFacts: readonly string[],
  now: Date,
  settingsRevision?: number,
): Promise<void> {
  await db
    .update(cases)
    .set({
      signalKeys: withKeys(knownFacts),
      ...(settingsRevision !== undefined && { settingsRevision }),
      status: sql`case when ${cases.status} = ${startingStatus} then 'open' else ${cases.status} end`,
      updatedAt: now,
    })
    .where(eq(cases.id, caseId));
}

/** The case's workflow accepted a signal of this Settings revision (a newer one it already has stays). */
export async function recordSettingsRevision(db: Database, caseId: string, revision: number): Promise<void> {
  await db
    .update(cases)
    .set({ settingsRevision: sql`greatest(${cases.settingsRevision}, ${revision})` })
    .where(eq(cases.id, caseId));
}
