// Rows of the cases table as the case starter and detection see them, and who may see a case.
import { and, asc, eq, exists, inArray, ne, notInArray, or, sql, type SQL, isNull, desc } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../db/index.js';
import { inList } from '../db/lists.js';
import { cases, chargeDisputes, connections, organisations } from '../db/schema.js';
import type { CaseKind } from '../../domain/case.js';
import type { OpenCase } from '../../domain/detection.js';

export type CaseRow = typeof cases.$inferSelect;

/** Written before the workflow is started and cleared once it runs, so a crash in between starts it again. */
export const startingStatus = 'starting';
export const closedStatuses = ['resolved', 'written_off', 'withdrawn'] as const;
/** An owner's decision to stop chasing: a later short payment does not reopen these. */
export const ownerClosedStatuses = ['written_off', 'withdrawn'] as const;

const notRunning = [startingStatus, ...closedStatuses];

export const toOpenCase = (row: CaseRow): OpenCase => ({
  key: row.caseKey,
  kind: row.kind as CaseKind,
  disputed: { minor: row.disputedMinor, currency: row.currency },
});

export async function runningCasesByKey(db: Database, keys: readonly string[]): Promise<Map<string, CaseRow>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .select()
    .from(cases)
    .where(and(inList(cases.caseKey, [...new Set(keys)]), notInArray(cases.status, notRunning)));
  return new Map(rows.map((r) => [r.caseKey, r]));
}

export async function caseByKey(db: Database, key: string): Promise<CaseRow | undefined> {
  const [row] = await db.select().from(cases).where(eq(cases.caseKey, key));
  return row;
}

/**
 * The running cases a connection's break or return concerns: those running on it, and those answering a chargeback
 * held by it (a ledger invoice's case whose card payment was disputed through this connection).
 */
export async function runningCasesOfConnection(db: Database, connectionId: string): Promise<CaseRow[]> {
  const holdsItsChargeback = exists(
    db
      .select({ one: sql`1` })
      .from(chargeDisputes)
      .where(and(eq(chargeDisputes.connectionId, connectionId), eq(chargeDisputes.externalId, cases.disputeId))),
  );
  return db
    .select()
    .from(cases)
    .where(and(or(eq(cases.connectionId, connectionId), holdsItsChargeback), notInArray(cases.status, notRunning)));
}

/** The newest case answering this chargeback (its dispute recorded on the row), whatever its status. */
export async function caseAnsweringDispute(db: Database, disputeId: string): Promise<CaseRow | undefined> {
  const [row] = await db
    .select()
    .from(cases)
    .where(eq(cases.disputeId, disputeId))
    .orderBy(desc(cases.createdAt))
    .limit(1);
  return row;
}

/** Records the chargeback a running case answers, when it learned of it after it opened. */
export async function recordDispute(db: Database, caseId: string, disputeId: string): Promise<void> {
  await db
    .update(cases)
    .set({ disputeId })
    .where(and(eq(cases.id, caseId), isNull(cases.disputeId)));
}

/** A short payment and a dispute on one invoice make one case of kind "both"; detection compares against it. */
export async function recordKind(db: Database, caseId: string, kind: CaseKind): Promise<void> {
  await db.update(cases).set({ kind, updatedAt: new Date() }).where(eq(cases.id, caseId));
}

export const isOwnerClosed = (row: CaseRow) => (ownerClosedStatuses as readonly string[]).includes(row.status);
export const isClosed = (row: CaseRow) => (closedStatuses as readonly string[]).includes(row.status);

/**
 * Who may see a case. Organisations that connect the same provider account (an agency and its client on one
 * ledger company) share ONE case per invoice: the organisation that owns the row runs its letters and
 * decisions, and every other organisation with an active or broken (not disconnected) connection to the case's
 * provider account sees it too. Connection statuses that still count as reading the account:
 */
export const sharingConnectionStatuses = ['active', 'needs_reconnect'] as const;

const readers = alias(connections, 'readers');
const caseConnection = alias(connections, 'case_connection');

/**
 * The case row is visible to the organisation: it owns it, or one of its own connections reads the provider
 * account of the case's connection. Correlates on `cases`; the index connections_account_key serves the EXISTS.
 */
export function caseVisibleTo(db: Database, organisationId: string): SQL {
  const reads = db
    .select({ one: sql`1` })
    .from(caseConnection)
    .innerJoin(
      readers,
      and(eq(readers.provider, caseConnection.provider), eq(readers.accountId, caseConnection.accountId)),
    )
    .where(
      and(
        eq(caseConnection.id, cases.connectionId),
        eq(readers.organisationId, organisationId),
        inArray(readers.status, [...sharingConnectionStatuses]),
      ),
    );
  return or(eq(cases.organisationId, organisationId), exists(reads))!;
}

export interface CaseAudience {
  readonly owner: { readonly id: string; readonly name: string };
  /** The other organisations that see the case, by name. */
  readonly sharedWith: readonly { readonly id: string; readonly name: string }[];
}

/** The owner and the other organisations reading each case's provider account, for the given cases. */
export async function caseAudiences(db: Database, caseIds: readonly string[]): Promise<Map<string, CaseAudience>> {
  const ids = [...new Set(caseIds)];
  if (ids.length === 0) return new Map();
  const owners = await db
    .select({ caseId: cases.id, id: organisations.id, name: organisations.name })
    .from(cases)
    .innerJoin(organisations, eq(organisations.id, cases.organisationId))
    .where(inArray(cases.id, ids));
  const others = await db
    .select({ caseId: cases.id, id: organisations.id, name: organisations.name })
    .from(cases)
    .innerJoin(caseConnection, eq(caseConnection.id, cases.connectionId))
    .innerJoin(
      readers,
      and(
        eq(readers.provider, caseConnection.provider),
        eq(readers.accountId, caseConnection.accountId),
        ne(readers.organisationId, cases.organisationId),
        inArray(readers.status, [...sharingConnectionStatuses]),
      ),
    )
    .innerJoin(organisations, eq(organisations.id, readers.organisationId))
    .where(inArray(cases.id, ids))
    .orderBy(asc(organisations.name), asc(organisations.id));
  return new Map(
    owners.map((o) => [
      o.caseId,
      {
        owner: { id: o.id, name: o.name },
        sharedWith: others.filter((x) => x.caseId === o.caseId).map(({ id, name }) => ({ id, name })),
      },
    ]),
  );
}
