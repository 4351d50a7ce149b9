// What the invoices page and the case page read and write about arrangements: the organisation's open invoices
// with their arrangement and any running case, and recording one (from the case page, closing the case).
import { and, asc, eq, exists, gt, inArray, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from '../../../services/db/index.js';
import { closedStatuses, startingStatus } from '../../../services/cases/records.js';
import { cases, connections, invoices, paymentPlans } from '../../../services/db/schema.js';
import { caseKey } from '../../../domain/case.js';
import { projectedFigures, type OwnerFigures } from '../../../domain/account.js';
import type { ProviderKey } from '../../../domain/model.js';
import { restoreArrangement, saveArrangement, type ArrangementRow } from '../../../services/ledger/arrangements.js';
import { closeCaseUpdate } from '../../../../workflows/dispute-case/definitions.js';
import type { WebDeps } from '../deps.js';
import type { CaseRecord } from '../cases/queries.js';
import { runUpdate, type UpdateResult } from '../cases/workflow-calls.js';
import { arrangementNote, parseArrangement, todayIn, type ArrangementFields } from './plan-form.js';

/** Invoices shown on the page, most urgent first; more than this asks the owner to settle some first. */
export const invoicePageSize = 200;

export interface ArrangementView {
  readonly kind: 'plan' | 'deposit';
  readonly currency: string;
  readonly owedMinor: number;
  readonly instalments: readonly { dueOn: string; amountMinor: number }[];
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface OpenInvoice {
  readonly connectionId: string;
  readonly provider: ProviderKey;
  readonly accountId: string;
  readonly connectionName: string;
  readonly externalId: string;
  readonly number: string;
  readonly customerName: string;
  readonly currency: string;
  readonly totalMinor: number;
  readonly balanceMinor: number;
  readonly dueDate: string | null;
  readonly status: string;
  readonly arrangement?: ArrangementView | undefined;
  /** The running case on this invoice: the arrangement is then recorded on its page, which closes it. */
  readonly caseId?: string | undefined;
  /** The running case's figures, as its page shows them (a chargeback's charge is paid and held by the processor). */
  readonly figures?: OwnerFigures | undefined;
  /** The running case answers a chargeback. */
  readonly chargeback?: boolean | undefined;
}

const invoiceColumns = {
  connectionId: invoices.connectionId,
  provider: connections.provider,
  accountId: connections.accountId,
  connectionName: connections.name,
  externalId: invoices.externalId,
  number: invoices.number,
  customerName: invoices.customerName,
  currency: invoices.currency,
  totalMinor: invoices.totalMinor,
  balanceMinor: invoices.balanceMinor,
  dueDate: invoices.dueDate,
  status: invoices.status,
};

const viewOf = (r: ArrangementRow): ArrangementView => ({
  kind: r.kind === 'deposit' ? 'deposit' : 'plan',
  currency: r.currency,
  owedMinor: r.owedMinor,
  instalments: r.instalments,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
});

const openStatuses = notInArray(invoices.status, ['void', 'deleted', 'draft', 'paid']);
const notRunning = [startingStatus, ...closedStatuses];

async function withArrangementsAndCases(
  db: Database,
  rows: Omit<OpenInvoice, 'arrangement' | 'caseId'>[],
): Promise<OpenInvoice[]> {
  if (rows.length === 0) return [];
  const plans = await db
    .select()
    .from(paymentPlans)
    .where(inArray(paymentPlans.invoiceExternalId, [...new Set(rows.map((r) => r.externalId))]));
  const keyOf = (r: Pick<OpenInvoice, 'provider' | 'accountId' | 'externalId'>) =>
    caseKey({ invoice: { provider: r.provider, accountId: r.accountId, id: r.externalId } });
  const running = await db
    .select({
      id: cases.id,
      key: cases.caseKey,
      kind: cases.kind,
      paidMinor: cases.paidMinor,
      owedMinor: cases.disputedMinor,
      standing: cases.standing,
    })
    .from(cases)
    .where(and(inArray(cases.caseKey, rows.map(keyOf)), notInArray(cases.status, notRunning)));
  return rows.map((r) => {
    const plan = plans.find(
      (p) => p.provider === r.provider && p.accountId === r.accountId && p.invoiceExternalId === r.externalId,
    );
    const c = running.find((x) => x.key === keyOf(r));
    return {
      ...r,
      arrangement: plan && viewOf(plan),
      caseId: c?.id,
      ...(c && {
        figures: projectedFigures({ ...c, currency: r.currency }),
        chargeback: c.kind === 'dispute' || c.kind === 'both',
      }),
    };
  });
}

/** The organisation's invoices with something still owed, on connections it has not disconnected. */
export async function openInvoices(
  db: Database,
  organisationId: string,
): Promise<{ rows: OpenInvoice[]; more: boolean }> {
  const rows = await db
    .select(invoiceColumns)
    .from(invoices)
    .innerJoin(connections, eq(connections.id, invoices.connectionId))
    .where(
      and(
        eq(connections.organisationId, organisationId),
        notInArray(connections.status, ['disconnected']),
        or(
          and(gt(invoices.balanceMinor, 0), openStatuses),
          // A chargeback's invoice is paid in the ledger, but the card processor holds the money: its case runs.
          exists(
            db
              .select({ one: sql`1` })
              .from(cases)
              .where(
                and(
                  eq(cases.connectionId, invoices.connectionId),
                  eq(cases.invoiceId, invoices.externalId),
                  inArray(cases.kind, ['dispute', 'both']),
                  notInArray(cases.status, notRunning),
                ),
              ),
          ),
        ),
      ),
    )
    .orderBy(
      sql`${invoices.dueDate} asc nulls last`,
      asc(invoices.customerName),
      asc(invoices.number),
      asc(invoices.externalId),
    )
    .limit(invoicePageSize + 1);
  return {
    rows: await withArrangementsAndCases(
      db,
      rows.slice(0, invoicePageSize) as Omit<OpenInvoice, 'arrangement' | 'caseId'>[],
    ),
    more: rows.length > invoicePageSize,
  };
}

/** One invoice of the organisation's own connections, or undefined. */
export async function findInvoice(
  db: Database,
  organisationId: string,
  connectionId: string,
  externalId: string,
): Promise<OpenInvoice | undefined> {
  const [row] = await db
    .select(invoiceColumns)
    .from(invoices)
    .innerJoin(connections, eq(connections.id, invoices.connectionId))
    .where(
      and(
        eq(connections.organisationId, organisationId),
        eq(invoices.connectionId, connectionId),
        eq(invoices.externalId, externalId),
      ),
    );
  return row && (await withArrangementsAndCases(db, [row as Omit<OpenInvoice, 'arrangement' | 'caseId'>]))[0];
}

/** The case's invoice as the ledger states it now, with its arrangement, when the case has an invoice. */
export async function caseInvoice(
  db: Database,
  record: Pick<CaseRecord, 'connectionId' | 'invoiceId'>,
): Promise<OpenInvoice | undefined> {
  if (!record.connectionId || !record.invoiceId) return undefined;
  const [row] = await db
    .select(invoiceColumns)
    .from(invoices)
    .innerJoin(connections, eq(connections.id, invoices.connectionId))
    .where(and(eq(invoices.connectionId, record.connectionId), eq(invoices.externalId, record.invoiceId)));
  return row && (await withArrangementsAndCases(db, [row as Omit<OpenInvoice, 'arrangement' | 'caseId'>]))[0];
}

export interface Arranger {
  readonly organisationId: string;
  readonly email: string;
  readonly timeZone: string;
  readonly locale: string;
  readonly nowMs: number;
}

export type RecordResult =
  { readonly ok: true; readonly note: string } | { readonly ok: false; readonly errors: readonly string[] };

/** Parses the form against what is still owed on the invoice and records the arrangement (replacing any earlier one). */
export async function recordArrangement(
  db: Database,
  inv: OpenInvoice,
  fields: ArrangementFields,
  who: Arranger,
): Promise<RecordResult & { previous?: ArrangementRow | undefined }> {
  const parsed = parseArrangement(
    fields,
    { minor: inv.balanceMinor, currency: inv.currency },
    todayIn(who.timeZone, who.nowMs),
    who.locale,
  );
  if (!parsed.ok) return parsed;
  const a = parsed.value;
  const previous = await saveArrangement(
    db,
    {
      organisationId: who.organisationId,
      connectionId: inv.connectionId,
      provider: inv.provider,
      accountId: inv.accountId,
      invoiceExternalId: inv.externalId,
      kind: a.kind,
      currency: inv.currency,
      owedMinor: inv.balanceMinor,
      instalments: a.kind === 'plan' ? a.instalments : [],
      createdBy: who.email,
    },
    new Date(who.nowMs),
  );
  return { ok: true, note: arrangementNote(a, inv.currency, who.locale), previous };
}

/**
 * From the case page: records the arrangement, then closes the case as resolved with a note saying what was
 * agreed. If the workflow refuses to close, the arrangement is taken back, so the page and detection agree.
 */
export async function arrangeCase(
  deps: Pick<WebDeps, 'db' | 'workflows' | 'settings'>,
  record: CaseRecord,
  fields: ArrangementFields,
  who: Arranger,
  updateId?: string,
): Promise<UpdateResult<unknown>> {
  const inv = await caseInvoice(deps.db, record);
  if (!inv)
    return { ok: false, message: 'This case has no invoice in the ledger to agree a payment plan or deposit for.' };
  const recorded = await recordArrangement(deps.db, inv, fields, who);
  if (!recorded.ok) return { ok: false, message: recorded.errors.join(' ') };
  const target = { provider: inv.provider, accountId: inv.accountId, invoiceExternalId: inv.externalId };
  const result = await runUpdate(deps, () =>
    deps.workflows.getHandle(record.workflowId).executeUpdate(closeCaseUpdate, {
      args: [{ kind: 'resolved', by: who.email, note: recorded.note }],
      ...(updateId ? { updateId } : {}),
    }),
  ).catch(async (err: unknown) => {
    await restoreArrangement(deps.db, target, recorded.previous); // Temporal unreachable: nothing was changed
    throw err;
  });
  if (!result.ok) await restoreArrangement(deps.db, target, recorded.previous);
  return result;
}

/** How a case's status reads when it was closed because of an arrangement: "Agreed plan" or "Deposit". */
export function arrangementStatus(status: string, arrangement: string | null | undefined): string | undefined {
  if (status !== 'resolved' || !arrangement) return undefined;
  return arrangement === 'deposit' ? 'Deposit' : 'Agreed plan';
}
