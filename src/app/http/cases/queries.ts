// Reads of the cases table (the workflow's projection) for the list and the case page, always scoped to what
// the signed-in user's organisation may see: its own cases, and those shared with it because it reads the same
// provider account as the owning organisation (src/services/cases/records.ts, caseVisibleTo).
import { firstOwner } from '../../../services/cases/input.js';
import { and, asc, desc, eq, ilike, inArray, isNotNull, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { parseDecimal } from '../../../domain/money.js';
import { caseAudiences, caseVisibleTo, type CaseAudience } from '../../../services/cases/records.js';
import type { Database } from '../../../services/db/index.js';
import {
  auditEvents,
  cases,
  chargeDisputes,
  connections,
  invoices,
  paymentPlans,
  users,
} from '../../../services/db/schema.js';
import { openDisputeStatuses, type InvoiceLine, type ProviderKey } from '../../../domain/model.js';

export const closedStatuses = ['resolved', 'written_off', 'withdrawn'];

export const caseFigures = ['outstanding', 'in_dispute', 'recovered', 'conceded', 'disputed'] as const;
export type CaseFigure = (typeof caseFigures)[number];

export interface CaseFilters {
  /** A case status, or `active` (not closed) or `closed`. */
  readonly status?: string | undefined;
  readonly provider?: ProviderKey | undefined;
  /** The customer's name only (older links); `q` searches more. */
  readonly customer?: string | undefined;
  /** Invoice number, customer name, customer email, or an amount (invoice total, paid, still owed, in dispute). */
  readonly q?: string | undefined;
  readonly currency?: string | undefined;
  /**
   * The dashboard's figures: cases with a non-zero amount in it (`disputed`: every case, by what it opened for).
   * With `month` (YYYY-MM): `disputed` the cases opened that month, `recovered` those that recovered money in it.
   */
  readonly figure?: CaseFigure | undefined;
  readonly month?: string | undefined;
  /** `overdue`: open cases past their next deadline; `week`: open cases due within seven days. */
  readonly due?: 'overdue' | 'week' | undefined;
  readonly page: number;
}

const PAGE_SIZE = 50;
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A search term read as an amount ("400", "$1,000.00", "1000.5"), as a plain decimal; undefined when it is not one. */
export function searchAmount(q: string): string | undefined {
  const t = q.replace(/^[^\d-]{0,4}/, '').replace(/\s+/g, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) return t.replace(/,/g, '');
  return /^\d+(\.\d+)?$/.test(t) ? t : undefined;
}

/** The decimal in one currency's minor units, or undefined when it has more decimals than the currency. */
function minorIn(decimal: string, currency: string): number | undefined {
  try {
    return parseDecimal(decimal, currency).minor;
  } catch {
    return undefined;
  }
}

const standingMinor = (field: 'recovered' | 'conceded') =>
  sql<number>`coalesce((${cases.standing}->${sql.raw(`'${field}'`)}->>'minor')::bigint, 0)`;
/** A case projected before standings were: what it still owed was all it showed. */
const figureMinor = (figure: CaseFigure): SQL => {
  switch (figure) {
    case 'outstanding':
      return sql`coalesce((${cases.standing}->'outstanding'->>'minor')::bigint, ${cases.disputedMinor})`;
    case 'in_dispute':
      // As `inDisputeOf`: what the client contests, and what a card processor holds for a chargeback.
      return sql`(coalesce((${cases.standing}->'inDispute'->>'minor')::bigint, ${cases.disputedMinor}) + coalesce((${cases.standing}->'held'->>'minor')::bigint, 0))`;
    case 'disputed':
      return sql`coalesce((${cases.standing}->'openedFor'->>'minor')::bigint, ${cases.disputedMinor})`;
    default:
      return standingMinor(figure);
  }
};

function conditions(db: Database, organisationId: string, f: CaseFilters, currencies: readonly string[]): SQL[] {
  const where: SQL[] = [caseVisibleTo(db, organisationId)];
  const open = notInArray(cases.status, closedStatuses);
  if (f.status === 'active') where.push(open);
  else if (f.status === 'closed') where.push(inArray(cases.status, closedStatuses));
  else if (f.status) where.push(eq(cases.status, f.status));
  if (f.provider) where.push(eq(connections.provider, f.provider));
  if (f.customer?.trim()) where.push(ilike(cases.customerName, likePattern(f.customer.trim())));
  if (f.currency) where.push(eq(cases.currency, f.currency));
  const q = f.q?.trim();
  if (q) {
    const text = likePattern(q);
    const matches: SQL[] = [
      ilike(cases.customerName, text),
      ilike(invoices.number, text),
      ilike(invoices.customerEmail, text),
    ];
    const decimal = searchAmount(q);
    if (decimal)
      for (const currency of currencies) {
        const m = minorIn(decimal, currency);
        if (m === undefined) continue;
        matches.push(
          and(
            eq(cases.currency, currency),
            or(
              eq(invoices.totalMinor, m),
              eq(cases.paidMinor, m),
              eq(cases.disputedMinor, m),
              sql`${figureMinor('in_dispute')} = ${m}`,
              sql`${figureMinor('disputed')} = ${m}`,
            ),
          )!,
        );
      }
    where.push(or(...matches)!);
  }
  if (f.figure && f.month && (f.figure === 'disputed' || f.figure === 'recovered')) {
    if (f.figure === 'disputed')
      where.push(
        sql`coalesce(${cases.standing}->>'openedOn', to_char(${cases.createdAt} at time zone 'UTC', 'YYYY-MM-DD')) like ${`${f.month}-%`}`,
      );
    else
      where.push(
        sql`exists (select 1 from jsonb_array_elements(coalesce(${cases.standing}->'recoveries', '[]'::jsonb)) r where r->>'date' like ${`${f.month}-%`})`,
      );
  } else if (f.figure && f.figure !== 'disputed') {
    if (f.figure === 'outstanding' || f.figure === 'in_dispute') where.push(open);
    where.push(sql`${figureMinor(f.figure)} > 0`);
  }
  if (f.due) {
    where.push(open, isNotNull(cases.nextDeadline));
    if (f.due === 'overdue') where.push(sql`${cases.nextDeadline} < now()`);
    else where.push(sql`${cases.nextDeadline} >= now() and ${cases.nextDeadline} <= now() + interval '7 days'`);
  }
  return where;
}

/** The currencies of the organisation's cases: an amount searched is compared in each one's minor units. */
async function caseCurrencies(db: Database, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ currency: cases.currency })
    .from(cases)
    .where(caseVisibleTo(db, organisationId));
  return rows.map((r) => r.currency);
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
  createdAt: cases.createdAt,
  standing: cases.standing,
  invoiceTotalMinor: invoices.totalMinor,
  customerEmail: invoices.customerEmail,
  workflowId: cases.workflowId,
  connectionId: cases.connectionId,
  provider: connections.provider,
  invoiceNumber: invoices.number,
  invoiceId: cases.invoiceId,
  /** The owner's arrangement for the invoice (plan or deposit): a case closed for it reads "Agreed plan" or "Deposit". */
  arrangement: paymentPlans.kind,
  /**
   * The card processor's own deadline for the chargeback's evidence (ISO, UTC), while the case answers one the card
   * network has not decided: the list shows it beside Shortfall's earlier date for the owner's approval. A won or lost
   * chargeback has no deadline left (a won one on an invoice with a balance carries on as a short payment).
   */
  processorDueBy: sql<
    string | null
  >`case when ${cases.disputeId} is null then null else (select to_char(max(${chargeDisputes.dueBy}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') from ${chargeDisputes} where ${chargeDisputes.externalId} = ${cases.disputeId} and ${inArray(chargeDisputes.status, [...openDisputeStatuses])}) end`,
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

export type CaseRow = Awaited<ReturnType<ReturnType<typeof joined>['execute']>>[number];

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
  const currencies = f.q?.trim() ? await caseCurrencies(db, organisationId) : [];
  const rows = await joined(db)
    .where(and(...conditions(db, organisationId, f, currencies)))
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

/** Every case the filters match, in the list's order, read a page at a time (the CSV export streams them). */
export async function* allCases(
  db: Database,
  organisationId: string,
  f: Omit<CaseFilters, 'page'>,
  batch = 500,
): AsyncGenerator<CaseRow> {
  const currencies = f.q?.trim() ? await caseCurrencies(db, organisationId) : [];
  const where = and(...conditions(db, organisationId, { ...f, page: 0 }, currencies));
  for (let offset = 0; ; offset += batch) {
    const rows = await joined(db)
      .where(where)
      .orderBy(sql`${cases.nextDeadline} asc nulls last`, desc(cases.updatedAt), asc(cases.id))
      .limit(batch)
      .offset(offset);
    yield* rows;
    if (rows.length < batch) return;
  }
}

/** Every case the organisation sees, for the dashboard: its standing, status and next deadline. */
export async function dashboardCases(db: Database, organisationId: string) {
  return joined(db).where(caseVisibleTo(db, organisationId));
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

/** The organisation's owner: its first one (src/services/cases/input.ts decides). */
export async function ownerEmail(db: Database, organisationId: string): Promise<string | undefined> {
  return (await firstOwner(db, organisationId))?.email;
}

/** Whether this address belongs to an owner of the organisation now. */
export async function isOwner(db: Database, organisationId: string, email: string): Promise<boolean> {
  const [row] = await db
    .select({ role: users.role })
    .from(users)
    .where(and(eq(users.organisationId, organisationId), sql`lower(${users.email}) = lower(${email})`))
    .limit(1);
  return row?.role === 'owner';
}

export async function auditTrail(db: Database, caseId: string) {
  return db
    .select({ at: auditEvents.at, kind: auditEvents.kind, actor: auditEvents.actor, data: auditEvents.data })
    .from(auditEvents)
    .where(eq(auditEvents.caseId, caseId))
    .orderBy(asc(auditEvents.at), asc(auditEvents.id));
}
