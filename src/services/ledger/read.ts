// Reads synced ledger state back as the canonical model, for detection and for building case inputs.
import { bookkeepingProviders } from '../../../integrations/registry.js';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { inList } from '../db/lists.js';
import { chargeDisputes, connections, creditNotes, invoices, payments } from '../db/schema.js';
import type { InvoiceState } from '../../domain/detection.js';
import type { ChargeDispute, CreditNote, DisputedCharge, Invoice, Payment } from '../../domain/model.js';
import type { LedgerScope } from '../../domain/case-actions.js';
import { arrangementsFor, toArrangement } from './arrangements.js';
import { toCreditNote, toDispute, toInvoice, toPayment, type StoredApplication } from './rows.js';

/** Rows whose jsonb list of {invoiceId} entries names one of `ids`. */
const namesInvoice = (column: typeof payments.applications | typeof creditNotes.allocations, ids: readonly string[]) =>
  sql`exists (select 1 from jsonb_array_elements(${column}) as a where a->>'invoiceId' in ${ids})`;

/** The invoices stored payments and credit notes apply to: a deletion's tombstone no longer says which. */
export async function invoicesNamedBy(
  db: Database,
  connectionId: string,
  ids: { payments: readonly string[]; creditNotes: readonly string[] },
): Promise<string[]> {
  const named = (rows: { list: unknown }[]) =>
    rows.flatMap((r) => (r.list as StoredApplication[]).map((a) => a.invoiceId));
  const fromPayments =
    ids.payments.length === 0
      ? []
      : await db
          .select({ list: payments.applications })
          .from(payments)
          .where(and(eq(payments.connectionId, connectionId), inArray(payments.externalId, [...ids.payments])));
  const fromCredits =
    ids.creditNotes.length === 0
      ? []
      : await db
          .select({ list: creditNotes.allocations })
          .from(creditNotes)
          .where(
            and(eq(creditNotes.connectionId, connectionId), inArray(creditNotes.externalId, [...ids.creditNotes])),
          );
  return [...named(fromPayments), ...named(fromCredits)];
}

export async function loadInvoices(db: Database, s: LedgerScope, ids: readonly string[]): Promise<Invoice[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.connectionId, s.connectionId), inList(invoices.externalId, ids)));
  return rows.map((r) => toInvoice(s, r));
}

export async function paymentsApplyingTo(
  db: Database,
  s: LedgerScope,
  invoiceIds: readonly string[],
): Promise<Payment[]> {
  if (invoiceIds.length === 0) return [];
  const rows = await db
    .select()
    .from(payments)
    .where(and(eq(payments.connectionId, s.connectionId), namesInvoice(payments.applications, invoiceIds)));
  return rows.map((r) => toPayment(s, r));
}

export async function creditNotesApplyingTo(
  db: Database,
  s: LedgerScope,
  invoiceIds: readonly string[],
): Promise<CreditNote[]> {
  if (invoiceIds.length === 0) return [];
  const rows = await db
    .select()
    .from(creditNotes)
    .where(and(eq(creditNotes.connectionId, s.connectionId), namesInvoice(creditNotes.allocations, invoiceIds)));
  return rows.map((r) => toCreditNote(s, r));
}

/** Credit notes by id: those a payment record applied (a ledger may link them from the payment, not the memo). */
export async function creditNotesByIds(db: Database, s: LedgerScope, ids: readonly string[]): Promise<CreditNote[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(creditNotes)
    .where(and(eq(creditNotes.connectionId, s.connectionId), inArray(creditNotes.externalId, [...ids])));
  return rows.map((r) => toCreditNote(s, r));
}

export async function loadInvoiceStates(
  db: Database,
  s: LedgerScope,
  ids: readonly string[],
): Promise<Map<string, InvoiceState>> {
  const found = await loadInvoices(db, s, ids);
  const paid = await paymentsApplyingTo(db, s, ids);
  const arranged = await arrangementsFor(db, s, ids);
  const applies = (p: Payment, id: string) => p.applications.some((a) => a.invoice.id === id);
  return new Map(
    found.map((invoice) => {
      const arrangement = arranged.get(invoice.ref.id);
      return [
        invoice.ref.id,
        {
          invoice,
          payments: paid.filter((p) => applies(p, invoice.ref.id)),
          ...(arrangement && { arrangement: toArrangement(arrangement) }),
        },
      ];
    }),
  );
}

export async function loadDispute(db: Database, s: LedgerScope, disputeId: string): Promise<ChargeDispute | undefined> {
  const [row] = await db
    .select()
    .from(chargeDisputes)
    .where(and(eq(chargeDisputes.connectionId, s.connectionId), eq(chargeDisputes.externalId, disputeId)));
  return row && toDispute(s, row);
}

/** The organisation a connection belongs to, and the provider account it reads. */
export async function connectionScope(
  db: Database,
  connectionId: string,
): Promise<{ organisationId: string; scope: LedgerScope } | undefined> {
  const [row] = await db
    .select({
      organisationId: connections.organisationId,
      provider: connections.provider,
      accountId: connections.accountId,
    })
    .from(connections)
    .where(eq(connections.id, connectionId));
  return (
    row && {
      organisationId: row.organisationId,
      scope: { connectionId, provider: row.provider as LedgerScope['provider'], accountId: row.accountId },
    }
  );
}

/** One of the organisation's other ledgers, with the invoices a card charge might have paid there. */
export interface LedgerCandidates {
  readonly scope: LedgerScope;
  readonly states: readonly InvoiceState[];
}

/**
 * The invoices in the organisation's bookkeeping ledgers that a payment of the charge's amount and currency, booked
 * within `windowDays` of it, applies to: what a chargeback on a card payment taken through the processor (`processor`,
 * the connection the dispute was read through) for a ledger invoice can be matched against (the domain decides
 * whether exactly one fits).
 */
export async function ledgerInvoicesPaidLike(
  db: Database,
  processor: LedgerScope,
  charge: DisputedCharge,
  windowDays: number,
): Promise<LedgerCandidates[]> {
  const [own] = await db
    .select({ organisationId: connections.organisationId })
    .from(connections)
    .where(eq(connections.id, processor.connectionId));
  if (!own) return [];
  const ledgers = await db
    .select({ id: connections.id, provider: connections.provider, accountId: connections.accountId })
    .from(connections)
    .where(
      and(
        eq(connections.organisationId, own.organisationId),
        inArray(connections.provider, [...bookkeepingProviders]),
        ne(connections.status, 'disconnected'),
      ),
    );
  if (ledgers.length === 0) return [];
  const rows = await db
    .select({ connectionId: payments.connectionId, applications: payments.applications })
    .from(payments)
    .where(
      and(
        inArray(
          payments.connectionId,
          ledgers.map((l) => l.id),
        ),
        eq(payments.currency, charge.amount.currency),
        eq(payments.amountMinor, charge.amount.minor),
        eq(payments.status, 'applied'),
        sql`${payments.paidOn} between ${charge.date}::date - ${windowDays}::int and ${charge.date}::date + ${windowDays}::int`,
      ),
    );
  const found: LedgerCandidates[] = [];
  for (const l of ledgers) {
    const ids = [
      ...new Set(
        rows
          .filter((r) => r.connectionId === l.id)
          .flatMap((r) => (r.applications as StoredApplication[]).map((a) => a.invoiceId)),
      ),
    ];
    if (ids.length === 0) continue;
    const scope: LedgerScope = {
      connectionId: l.id,
      provider: l.provider as LedgerScope['provider'],
      accountId: l.accountId,
    };
    found.push({ scope, states: [...(await loadInvoiceStates(db, scope, ids)).values()] });
  }
  return found;
}
