// An in-memory LedgerConnector (fakes over mocks): keeps credit notes per idempotency key like a real ledger would.
import type { CreditNote } from '../../src/domain/model.js';
import type { ChangeBatch, CreditNoteRequest, LedgerConnector } from '../../integrations/types.js';
import { IntegrationError } from '../../integrations/errors.js';

export class FakeLedger implements LedgerConnector {
  readonly provider = 'quickbooks' as const;
  readonly creditNotes = new Map<string, CreditNote>();
  calls = 0;
  failNext?: IntegrationError;

  async pullChanges(): Promise<ChangeBatch> {
    return { invoices: [], payments: [], creditNotes: [], disputes: [], checkpoint: 'now', backfill: false };
  }
  async getInvoice() {
    return null;
  }
  async getInvoicePdf() {
    return new Uint8Array(Buffer.from('%PDF-1.4 invoice'));
  }
  async postCreditNote(req: CreditNoteRequest): Promise<CreditNote> {
    this.calls++;
    if (this.failNext) {
      const e = this.failNext;
      delete this.failNext;
      throw e;
    }
    const existing = this.creditNotes.get(req.idempotencyKey);
    if (existing) return existing;
    const total = { minor: req.lines.reduce((s, l) => s + l.amount.minor, 0), currency: req.currency };
    const note: CreditNote = {
      ref: { provider: 'quickbooks', accountId: 'realm-1', id: `cm-${this.creditNotes.size + 1}` },
      lines: req.lines.map((l) => ({ description: l.description, amount: l.amount })),
      total,
      allocations: [{ invoice: { provider: 'quickbooks', accountId: 'realm-1', id: req.invoiceId }, amount: total }],
      status: 'applied',
      updatedAt: new Date().toISOString(),
    };
    this.creditNotes.set(req.idempotencyKey, note);
    return note;
  }
}

export const rateLimited = () => new IntegrationError('rate_limited', 'ThrottleExceeded', { retryAfterMs: 60_000 });
export const invalid = () => new IntegrationError('invalid', 'ValidationFault: Amount is invalid');
