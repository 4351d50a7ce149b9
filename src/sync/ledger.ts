// Reads synced ledger state back as the canonical model, for detection and for building case inputs.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { chargeDisputes, creditNotes, invoices, payments } from '../db/schema.js';
import type { InvoiceState } from '../domain/detection.js';
import type { ChargeDispute, CreditNote, Invoice, Payment } from '../domain/model.js';
import type { LedgerScope } from './actions.js';
import { arrangementsFor, toArrangement } from './arrangements.js';
import { toCreditNote, toDispute, toInvoice, toPayment, type StoredApplication } from './rows.js';

/** Rows whose jsonb list of {invoiceId} entries names one of `ids`. */
const namesInvoice = (column: typeof payments.applications | typeof creditNotes.allocations, ids: readonly string[]) =>
  sql`exists (select 1 from jsonb_array_elements(${column}) as a where a->>'invoiceId' in ${ids})`;

/** The invoices stored payments and credit notes apply to: a deletion's tombstone no longer says which. */
export async function invoicesNamedBy(db: Database, connectionId: string, ids: { payments: readonly string[]; creditNotes: readonly string[] }): Promise<string[]> {
  const named = (rows: { list: unknown }[]) => rows.flatMap((r) => (r.list as StoredApplication[]).map((a) => a.invoiceId));
  const fromPayments = ids.payments.length === 0 ? [] : await db.select({ list: payments.applications }).from(payments)
    .where(and(eq(payments.connectionId, connectionId), inArray(payments.externalId, [...ids.payments])));
  const fromCredits = ids.creditNotes.length === 0 ? [] : await db.select({ list: creditNotes.allocations }).from(creditNotes)
    .where(and(eq(creditNotes.connectionId, connectionId), inArray(creditNotes.externalId, [...ids.creditNotes])));
  return [...named(fromPayments), ...named(fromCredits)];
}

export async function loadInvoices(db: Database, s: LedgerScope, ids: readonly string[]): Promise<Invoice[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(invoices).where(and(eq(invoices.connectionId, s.connectionId), inArray(invoices.externalId, [...ids])));
  return rows.map((r) => toInvoice(s, r));
}

export async function paymentsApplyingTo(db: Database, s: LedgerScope, invoiceIds: readonly string[]): Promise<Payment[]> {
  if (invoiceIds.length === 0) return [];
  const rows = await db.select().from(payments).where(and(eq(payments.connectionId, s.connectionId), namesInvoice(payments.applications, invoiceIds)));
  return rows.map((r) => toPayment(s, r));
}

export async function creditNotesApplyingTo(db: Database, s: LedgerScope, invoiceIds: readonly string[]): Promise<CreditNote[]> {
  if (invoiceIds.length === 0) return [];
  const rows = await db.select().from(creditNotes).where(and(eq(creditNotes.connectionId, s.connectionId), namesInvoice(creditNotes.allocations, invoiceIds)));
  return rows.map((r) => toCreditNote(s, r));
}

/** Credit notes by id: those a payment record applied (QuickBooks links them from the Payment, not the memo). */
export async function creditNotesByIds(db: Database, s: LedgerScope, ids: readonly string[]): Promise<CreditNote[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(creditNotes).where(and(eq(creditNotes.connectionId, s.connectionId), inArray(creditNotes.externalId, [...ids])));
  return rows.map((r) => toCreditNote(s, r));
}

export async function loadInvoiceStates(db: Database, s: LedgerScope, ids: readonly string[]): Promise<Map<string, InvoiceState>> {
  const found = await loadInvoices(db, s, ids);
  const paid = await paymentsApplyingTo(db, s, ids);
  const arranged = await arrangementsFor(db, s, ids);
  const applies = (p: Payment, id: string) => p.applications.some((a) => a.invoice.id === id);
  return new Map(found.map((invoice) => {
    const arrangement = arranged.get(invoice.ref.id);
    return [invoice.ref.id, { invoice, payments: paid.filter((p) => applies(p, invoice.ref.id)), ...(arrangement && { arrangement: toArrangement(arrangement) }) }];
  }));
}

export async function loadDispute(db: Database, s: LedgerScope, disputeId: string): Promise<ChargeDispute | undefined> {
  const [row] = await db.select().from(chargeDisputes).where(and(eq(chargeDisputes.connectionId, s.connectionId), eq(chargeDisputes.externalId, disputeId)));
  return row && toDispute(s, row);
}
