// Rows of the cases table as the case starter and detection see them.
import { and, eq, inArray, notInArray } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { cases } from '../db/schema.js';
import type { CaseKind } from '../domain/case.js';
import type { OpenCase } from '../domain/detection.js';

export type CaseRow = typeof cases.$inferSelect;

/** Written before the workflow is started and cleared once it runs, so a crash in between starts it again. */
export const startingStatus = 'starting';
export const closedStatuses = ['resolved', 'written_off', 'withdrawn'] as const;
/** An owner's decision to stop chasing: a later short payment does not reopen these. */
export const ownerClosedStatuses = ['written_off', 'withdrawn'] as const;

const notRunning = [startingStatus, ...closedStatuses];

export const toOpenCase = (row: CaseRow): OpenCase => ({ key: row.caseKey, kind: row.kind as CaseKind, disputed: { minor: row.disputedMinor, currency: row.currency } });

export async function runningCasesByKey(db: Database, keys: readonly string[]): Promise<Map<string, CaseRow>> {
  if (keys.length === 0) return new Map();
  const rows = await db.select().from(cases).where(and(inArray(cases.caseKey, [...new Set(keys)]), notInArray(cases.status, notRunning)));
  return new Map(rows.map((r) => [r.caseKey, r]));
}

export async function caseByKey(db: Database, key: string): Promise<CaseRow | undefined> {
  const [row] = await db.select().from(cases).where(eq(cases.caseKey, key));
  return row;
}

export async function runningCasesOfConnection(db: Database, connectionId: string): Promise<CaseRow[]> {
  return db.select().from(cases).where(and(eq(cases.connectionId, connectionId), notInArray(cases.status, notRunning)));
}

/** A short payment and a dispute on one invoice make one case of kind "both"; detection compares against it. */
export async function recordKind(db: Database, caseId: string, kind: CaseKind): Promise<void> {
  await db.update(cases).set({ kind, updatedAt: new Date() }).where(eq(cases.id, caseId));
}

export const isOwnerClosed = (row: CaseRow) => (ownerClosedStatuses as readonly string[]).includes(row.status);
export const isClosed = (row: CaseRow) => (closedStatuses as readonly string[]).includes(row.status);
