// The stored records a case action is about: the invoice with its payments and credit notes, and the dispute.
import type { Database } from '../db/index.js';
import type { CaseFacts } from '../../domain/case.js';
import type { ChargeDispute } from '../../domain/model.js';
import type { CaseTrigger, LedgerScope } from '../../domain/case-actions.js';
import { creditNotesApplyingTo, creditNotesByIds, loadDispute, loadInvoiceStates } from '../ledger/read.js';
import type { InvoiceLedger } from './ledger-events.js';

export interface CaseSources {
  readonly ledger?: InvoiceLedger;
  readonly dispute?: ChargeDispute;
}

async function loadLedger(db: Database, scope: LedgerScope, invoiceId: string): Promise<InvoiceLedger | undefined> {
  const state = (await loadInvoiceStates(db, scope, [invoiceId])).get(invoiceId);
  if (!state) return undefined;
  const allocated = await creditNotesApplyingTo(db, scope, [invoiceId]);
  const viaPayments = [
    ...new Set(state.payments.flatMap((p) => p.applications.flatMap((a) => (a.creditNoteId ? [a.creditNoteId] : [])))),
  ].filter((id) => !allocated.some((c) => c.ref.id === id));
  return { ...state, creditNotes: [...allocated, ...(await creditNotesByIds(db, scope, viaPayments))] };
}

/** `ledgerScope`: where the invoice lives when a chargeback (read through `scope`) took back a payment on an invoice in another ledger. */
export async function loadCaseSources(
  db: Database,
  scope: LedgerScope,
  trigger: CaseTrigger,
  facts?: CaseFacts,
  ledgerScope = scope,
): Promise<CaseSources> {
  const disputeId = 'disputeId' in trigger ? trigger.disputeId : facts?.chargeback?.dispute.id;
  const dispute = disputeId ? await loadDispute(db, scope, disputeId) : undefined;
  const invoiceId = 'invoiceId' in trigger ? trigger.invoiceId : (facts?.invoice?.id ?? dispute?.invoice?.id);
  const ledger = invoiceId ? await loadLedger(db, ledgerScope, invoiceId) : undefined;
  return { ...(ledger && { ledger }), ...(dispute && { dispute }) };
}
