// Reads of the cases table (the workflow's projection) for the list and the case page, always scoped to what
// the signed-in user's organisation may see: its own cases, and those shared with it because it reads the same
// provider account as the owning organisation (src/services/cases/records.ts, caseVisibleTo).
import { and, asc, desc, eq, ilike, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import { caseAudiences, caseVisibleTo, type CaseAudience } from '../../../services/cases/records.js';
import type { Database } from '../../../services/db/index.js';
import { auditEvents, cases, connections, invoices, paymentPlans, users } from '../../../services/db/schema.js';
import type { InvoiceLine, ProviderKey } from '../../../domain/model.js';

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

function conditions(db: Database, organisationId: string, f: CaseFilters): SQL[] {
  const where: SQL[] = [caseVisibleTo(db, organisationId)];
  if (f.status === 'active') where.push(notInArray(cases.status, closedStatuses));
  else if (f.status === 'closed') where.push(inArray(cases.status, closedStatuses));
  else if (f.status) where.push(eq(cases.status, f.status));
  if (f.provider) where.push(eq(connections.provider, f.provider));
  if (f.customer?.trim()) where.push(ilike(cases.customerName, likePattern(f.customer.trim())));
  return where;
}

const caseColumns = {
  id: cases.id,
  organisationId: cases.organisationId,
  status: cases.status,
  kind: cases.kind,
  customerName: cases.customerName,
  currency: cases.currency,
  paidMinor: cases.paidMinor,
  disputedMinor: cases.disputedMinor,
  nextDeadline: cases.nextDeadline,
  updatedAt: cases.updatedAt,
  workflowId: cases.workflowId,
  connectionId: cases.connectionId,
  provider: connections.provider,
  invoiceNumber: invoices.number,
  invoiceId: cases.invoiceId,
  /** The owner's arrangement for the invoice (plan or deposit): a case closed for it reads "Agreed plan" or "Deposit". */
  arrangement: paymentPlans.kind,
};

/** The arrangement of the case's invoice, keyed like the ledger invoice (README, "Arrangements"). */
const arrangementOfCase = and(
  eq(paymentPlans.provider, connections.provider),
  eq(paymentPlans.accountId, connections.accountId),
  eq(paymentPlans.invoiceExternalId, cases.invoiceId),
);

function joined(db: Database) {
  return db
    .select(caseColumns)
    .from(cases)
    .leftJoin(connections, eq(connections.id, cases.connectionId))
    .leftJoin(invoices, and(eq(invoices.connectionId, cases.connectionId), eq(invoices.externalId, cases.invoiceId)))
    .leftJoin(paymentPlans, arrangementOfCase);
}

type CaseRow = Awaited<ReturnType<ReturnType<typeof joined>['execute']>>[number];

/**
 * How a case is shared, as the viewing organisation sees it; absent when nobody else sees the case. One case per
 * invoice: letters and decisions belong to the owning organisation, the others follow it and may add documents.
 */
export interface CaseSharing {
  /** The viewer's organisation owns the case: its letters go out, its owner approves and decides. */
  readonly owned: boolean;
  readonly ownerName: string;
  /** The line shown on the list and the case page. */
  readonly line: string;
}

const nameList = (names: readonly string[]) =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;

export function sharingFor(viewerOrganisationId: string, audience: CaseAudience | undefined): CaseSharing | undefined {
  if (!audience) return undefined;
  const { owner, sharedWith } = audience;
  if (owner.id === viewerOrganisationId) {
    return sharedWith.length === 0
      ? undefined
      : { owned: true, ownerName: owner.name, line: `Also visible to ${nameList(sharedWith.map((o) => o.name))}` };
  }
  const others = [owner.name, ...sharedWith.filter((o) => o.id !== viewerOrganisationId).map((o) => o.name)];
  return {
    owned: false,
    ownerName: owner.name,
    line: `Shared with ${nameList(others)}: letters go out from ${owner.name}`,
  };
}

export interface CaseListRow extends CaseRow {
  readonly sharing?: CaseSharing | undefined;
}

export async function listCases(
  db: Database,
  organisationId: string,
  f: CaseFilters,
): Promise<{ rows: CaseListRow[]; hasMore: boolean }> {
  const rows = await joined(db)
    .where(and(...conditions(db, organisationId, f)))
    .orderBy(sql`${cases.nextDeadline} asc nulls last`, desc(cases.updatedAt), asc(cases.id))
    .limit(PAGE_SIZE + 1)
    .offset(f.page * PAGE_SIZE);
  const page = rows.slice(0, PAGE_SIZE);
  const audiences = await caseAudiences(
    db,
    page.map((r) => r.id),
  );
  return {
    rows: page.map((r) => ({ ...r, sharing: sharingFor(organisationId, audiences.get(r.id)) })),
    hasMore: rows.length > PAGE_SIZE,
  };
}

export interface CaseRecord extends CaseListRow {
  readonly lines: readonly InvoiceLine[];
}

/**
 * `organisationId` null only where a signed link, not a session, grants access (approval pages). A case shared
 * with the organisation is found too: `sharing.owned` (or `organisationId`) says whether it may decide on it.
 */
export async function findCase(
  db: Database,
  organisationId: string | null,
  caseId: string,
): Promise<CaseRecord | undefined> {
  const [row] = await db
    .select({ ...caseColumns, lines: invoices.lines })
    .from(cases)
    .leftJoin(connections, eq(connections.id, cases.connectionId))
    .leftJoin(invoices, and(eq(invoices.connectionId, cases.connectionId), eq(invoices.externalId, cases.invoiceId)))
    .leftJoin(paymentPlans, arrangementOfCase)
    .where(
      organisationId === null ? eq(cases.id, caseId) : and(eq(cases.id, caseId), caseVisibleTo(db, organisationId)),
    );
  if (!row) return undefined;
  const sharing = sharingFor(organisationId ?? row.organisationId, (await caseAudiences(db, [row.id])).get(row.id));
  return { ...row, sharing, lines: (row.lines as InvoiceLine[] | null) ?? [] };
}

/** The organisation's owner: its first one (as src/services/cases/input.ts decides too). */
export async function ownerEmail(db: Database, organisationId: string): Promise<string | undefined> {
  const [owner] = await db
    .select({ email: users.email })
    .from(users)
    .where(eq(users.organisationId, organisationId))
    .orderBy(sql`${users.role} = 'owner' desc`, asc(users.createdAt))
    .limit(1);
  return owner?.email;
}

export async function auditTrail(db: Database, caseId: string) {
  return db
    .select({ at: auditEvents.at, kind: auditEvents.kind, actor: auditEvents.actor })
    .from(auditEvents)
    .where(eq(auditEvents.caseId, caseId))
    .orderBy(asc(auditEvents.at), asc(auditEvents.id));
}
