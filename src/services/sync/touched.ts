// Which invoices a batch may have changed the case state of: the invoices themselves and every invoice a
// payment or credit note in it applies to (a payment can arrive in a later batch than its invoice).
import type { ChangeBatch } from '../../../integrations/types.js';

export function touchedInvoiceIds(batch: Pick<ChangeBatch, 'invoices' | 'payments' | 'creditNotes'>): string[] {
  return [
    ...new Set([
      ...batch.invoices.map((i) => i.ref.id),
      ...batch.payments.flatMap((p) => p.applications.map((a) => a.invoice.id)),
      ...batch.creditNotes.flatMap((c) => c.allocations.map((a) => a.invoice.id)),
    ]),
  ];
}
