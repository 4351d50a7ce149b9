// Reads of the cases table (the workflow's projection) for the list and the case page, always scoped to
// the signed-in user's organisation.
import { and, asc, desc, eq, ilike, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/index.js';
import { auditEvents, cases, connections, invoices, users } from '../../db/schema.js';
import type { InvoiceLine, ProviderKey } from '../../domain/model.js';

export const closedStatuses = ['resolved', 'written_off', 'withdrawn'];

export interface CaseFilters {
  /** A case status, or `active` (not closed) or `closed`. */
  readonly status?: string | undefined;
  readonly provider?: ProviderKey | undefined;
  readonly customer?: string | undefined;
  readonly page: number;
}

const PAGE_SIZE = 50;
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function conditions(organisationId: string, f: CaseFilters): SQL[] {
  const where: SQL[] = [eq(cases.organisationId, organisationId)];
  if (f.status === 'active') where.push(notInArray(cases.status, closedStatuses));
  else if (f.status === 'closed') where.push(inArray(cases.status, closedStatuses));
  else if (f.status) where.push(eq(cases.status, f.status));
  if (f.provider) where.push(eq(connections.provider, f.provider));
  if (f.customer?.trim()) where.push(ilike(cases.customerName, likePattern(f.customer.trim())));
  return where;
}

const caseColumns = {
  id: cases.id, status: cases.status, kind: cases.kind, customerName: cases.customerName, currency: cases.currency,
  paidMinor: cases.paidMinor, disputedMinor: cases.disputedMinor, nextDeadline: cases.nextDeadline, updatedAt: cases.updatedAt,
  workflowId: cases.workflowId, connectionId: cases.connectionId, provider: connections.provider, invoiceNumber: invoices.number,
};

function joined(db: Database) {
  return db.select(caseColumns).from(cases)
    .leftJoin(connections, eq(connections.id, cases.connectionId))
    .leftJoin(invoices, and(eq(invoices.connectionId, cases.connectionId), eq(invoices.externalId, cases.invoiceId)));
}

export type CaseListRow = Awaited<ReturnType<ReturnType<typeof joined>['execute']>>[number];

export async function listCases(db: Database, organisationId: string, f: CaseFilters): Promise<{ rows: CaseListRow[]; hasMore: boolean }> {
  const rows = await joined(db).where(and(...conditions(organisationId, f)))
    .orderBy(sql`${cases.nextDeadline} asc nulls last`, desc(cases.updatedAt), asc(cases.id))
    .limit(PAGE_SIZE + 1).offset(f.page * PAGE_SIZE);
  return { rows: rows.slice(0, PAGE_SIZE), hasMore: rows.length > PAGE_SIZE };
}

export interface CaseRecord extends CaseListRow {
  readonly organisationId: string;
  readonly lines: readonly InvoiceLine[];
}

/** `organisationId` null only where a signed link, not a session, grants access (approval pages). */
export async function findCase(db: Database, organisationId: string | null, caseId: string): Promise<CaseRecord | undefined> {
  const [row] = await db.select({ ...caseColumns, organisationId: cases.organisationId, lines: invoices.lines }).from(cases)
    .leftJoin(connections, eq(connections.id, cases.connectionId))
    .leftJoin(invoices, and(eq(invoices.connectionId, cases.connectionId), eq(invoices.externalId, cases.invoiceId)))
    .where(organisationId === null ? eq(cases.id, caseId) : and(eq(cases.id, caseId), eq(cases.organisationId, organisationId)));
  return row && { ...row, lines: (row.lines as InvoiceLine[] | null) ?? [] };
}

/** The organisation's owner: its first user, until roles exist (as src/cases/input.ts decides too). */
export async function ownerEmail(db: Database, organisationId: string): Promise<string | undefined> {
  const [owner] = await db.select({ email: users.email }).from(users).where(eq(users.organisationId, organisationId)).orderBy(asc(users.createdAt)).limit(1);
  return owner?.email;
}

export async function auditTrail(db: Database, caseId: string) {
  return db.select({ at: auditEvents.at, kind: auditEvents.kind, actor: auditEvents.actor }).from(auditEvents)
    .where(eq(auditEvents.caseId, caseId)).orderBy(asc(auditEvents.at), asc(auditEvents.id));
}
