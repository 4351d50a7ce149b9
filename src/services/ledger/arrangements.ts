// The owner's arrangements (payment plans and deposits) as detection reads them, and as the pages record them.
// They are keyed by the ledger's invoice (provider, account, id), so a re-sync that rewrites the invoices table
// never loses one, and organisations sharing a ledger account share them as they share the case.
import { and, eq, gt, notInArray } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { inList } from '../db/lists.js';
import { invoices, paymentPlans } from '../db/schema.js';
import type { Arrangement } from '../../domain/detection.js';
import type { LedgerScope } from '../../domain/case-actions.js';

export type ArrangementRow = typeof paymentPlans.$inferSelect;

export const toArrangement = (
  r: Pick<ArrangementRow, 'kind' | 'currency' | 'owedMinor' | 'instalments'>,
): Arrangement =>
  r.kind === 'deposit'
    ? { kind: 'deposit' }
    : {
        kind: 'plan',
        owed: { minor: r.owedMinor, currency: r.currency },
        instalments: r.instalments.map((i) => ({
          dueOn: i.dueOn,
          amount: { minor: i.amountMinor, currency: r.currency },
        })),
      };

const ledgerInvoice = (s: { readonly provider: string; readonly accountId: string }) =>
  and(eq(paymentPlans.provider, s.provider), eq(paymentPlans.accountId, s.accountId));

/** The arrangements of these invoices of the scope's ledger account, by invoice id. */
export async function arrangementsFor(
  db: Database,
  s: Pick<LedgerScope, 'provider' | 'accountId'>,
  invoiceIds: readonly string[],
): Promise<Map<string, ArrangementRow>> {
  if (invoiceIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(paymentPlans)
    .where(and(ledgerInvoice(s), inList(paymentPlans.invoiceExternalId, [...new Set(invoiceIds)])));
  return new Map(rows.map((r) => [r.invoiceExternalId, r]));
}

/**
 * Invoices of this connection on an agreed plan with something still owed. Time alone can make an instalment
 * missed, with nothing changing in the ledger, so every sync pass looks at them again.
 */
export async function invoicesOnPlan(db: Database, s: LedgerScope): Promise<string[]> {
  const rows = await db
    .select({ id: paymentPlans.invoiceExternalId })
    .from(paymentPlans)
    .innerJoin(
      invoices,
      and(eq(invoices.connectionId, s.connectionId), eq(invoices.externalId, paymentPlans.invoiceExternalId)),
    )
    .where(
      and(
        ledgerInvoice(s),
        eq(paymentPlans.kind, 'plan'),
        gt(invoices.balanceMinor, 0),
        notInArray(invoices.status, ['void', 'deleted']),
      ),
    );
  return rows.map((r) => r.id);
}

export interface NewArrangement {
  readonly organisationId: string;
  readonly connectionId: string;
  readonly provider: string;
  readonly accountId: string;
  readonly invoiceExternalId: string;
  readonly kind: 'plan' | 'deposit';
  readonly currency: string;
  readonly owedMinor: number;
  readonly instalments: readonly { dueOn: string; amountMinor: number }[];
  readonly createdBy: string;
}

/** Records the arrangement, replacing an earlier one for the invoice; returns the one it replaced, if any. */
export async function saveArrangement(db: Database, a: NewArrangement, at: Date): Promise<ArrangementRow | undefined> {
  return db.transaction(async (tx) => {
    const [previous] = await tx
      .select()
      .from(paymentPlans)
      .where(and(ledgerInvoice(a), eq(paymentPlans.invoiceExternalId, a.invoiceExternalId)))
      .for('update');
    const values = { ...a, instalments: [...a.instalments], createdAt: at };
    await tx
      .insert(paymentPlans)
      .values(values)
      .onConflictDoUpdate({
        target: [paymentPlans.provider, paymentPlans.accountId, paymentPlans.invoiceExternalId],
        set: {
          organisationId: a.organisationId,
          connectionId: a.connectionId,
          kind: a.kind,
          currency: a.currency,
          owedMinor: a.owedMinor,
          instalments: values.instalments,
          createdBy: a.createdBy,
          createdAt: at,
        },
      });
    return previous;
  });
}

/** Puts back what `saveArrangement` replaced (or removes the new one): the case could not be closed after all. */
export async function restoreArrangement(
  db: Database,
  a: Pick<NewArrangement, 'provider' | 'accountId' | 'invoiceExternalId'>,
  previous: ArrangementRow | undefined,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(paymentPlans).where(and(ledgerInvoice(a), eq(paymentPlans.invoiceExternalId, a.invoiceExternalId)));
    if (previous) await tx.insert(paymentPlans).values(previous);
  });
}

/**
 * Ends an arrangement. The invoice is flagged for detection, so the next sync treats it as any other invoice
 * (a short payment then opens a case, unless it is old history or within the tolerance).
 */
export async function removeArrangement(
  db: Database,
  a: Pick<NewArrangement, 'connectionId' | 'provider' | 'accountId' | 'invoiceExternalId'>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(paymentPlans)
      .where(and(ledgerInvoice(a), eq(paymentPlans.invoiceExternalId, a.invoiceExternalId)))
      .returning({ id: paymentPlans.id });
    await tx
      .update(invoices)
      .set({ detectionPending: true })
      .where(and(eq(invoices.connectionId, a.connectionId), eq(invoices.externalId, a.invoiceExternalId)));
    return gone.length > 0;
  });
}
