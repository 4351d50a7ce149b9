// postCreditNote: an ACCRECCREDIT note, AUTHORISED, allocated to the invoice, with a history note on the
// invoice naming the case. Every write carries an Idempotency-Key derived from the request's key, so a
// retried activity replays Xero's first answers instead of creating a second note.
import type { CreditNote } from '../../src/domain/model.js';
import { compare, parseDecimal, sum, toDecimalString, type Money } from '../../src/domain/money.js';
import { IntegrationError } from '../errors.js';
import type { CreditNoteRequest } from '../types.js';
import type { XeroApi } from './client.js';
import { xeroIdempotencyKey, type WriteStep } from './idempotency.js';
import { xeroLimits } from './limits.js';
import { toCreditNote } from './mappers.js';
import {
  XeroCreditNotesPage,
  XeroInvoicesPage,
  type XeroCreditNote,
  type XeroInvoice,
  type XeroLineItem,
} from './schemas.js';

export interface CreditNoteDeps {
  readonly api: XeroApi;
  readonly tenantId: string;
  readonly now: () => number;
}

const invalid = (message: string) => new IntegrationError('invalid', message, { provider: 'xero' });
const wireAmount = (m: Money) => Number(toDecimalString(m)); // a 2-decimal string survives the trip through a double
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function checkRequest(req: CreditNoteRequest): Money {
  if (req.lines.length === 0) throw invalid('A credit note needs at least one line');
  for (const line of req.lines) {
    if (line.amount.currency !== req.currency)
      throw invalid(`Line "${line.description}" is in ${line.amount.currency}, the credit note in ${req.currency}`);
    if (line.amount.minor <= 0) throw invalid(`Line "${line.description}" must credit a positive amount`);
  }
  return sum(
    req.lines.map((l) => l.amount),
    req.currency,
  );
}

function checkInvoice(invoice: XeroInvoice, req: CreditNoteRequest): void {
  if (invoice.Type !== 'ACCREC') throw invalid(`Invoice ${invoice.InvoiceID} is not a sales invoice (${invoice.Type})`);
  if (invoice.CurrencyCode !== req.currency)
    throw invalid(`Invoice ${invoice.InvoiceID} is in ${invoice.CurrencyCode}, the credit in ${req.currency}`);
  if (req.customerId && req.customerId !== invoice.Contact.ContactID)
    throw invalid(`Invoice ${invoice.InvoiceID} belongs to another contact`);
  // PAID is allowed: a retry after the allocation finds the invoice settled by our own note.
  if (invoice.Status !== 'AUTHORISED' && invoice.Status !== 'PAID')
    throw invalid(`Invoice ${invoice.InvoiceID} is ${invoice.Status}; only approved invoices take credit`);
}

/** Credit lines book to the same account and tax rate as the invoice line they reverse. */
function sourceLine(invoice: XeroInvoice, lineId: string | undefined): XeroLineItem | undefined {
  return (lineId && invoice.LineItems.find((l) => l.LineItemID === lineId)) || invoice.LineItems[0];
}

async function readInvoice(d: CreditNoteDeps, invoiceId: string): Promise<XeroInvoice> {
  const invoice = XeroInvoicesPage.parse(await d.api.getInvoice(invoiceId)).Invoices[0];
  if (!invoice) throw new IntegrationError('not_found', `Xero invoice ${invoiceId} not found`, { provider: 'xero' });
  return invoice;
}

function onlyCreditNote(data: unknown): XeroCreditNote {
  const note = XeroCreditNotesPage.parse(data).CreditNotes[0];
  if (!note) throw invalid('Xero answered a credit note write without the credit note');
  return note;
}

function historyNote(req: CreditNoteRequest, note: XeroCreditNote, total: Money): string {
  const number = note.CreditNoteNumber ?? note.CreditNoteID;
  return clip(
    `Shortfall: credit note ${number} for ${toDecimalString(total)} ${total.currency} allocated. ${req.memo}`,
    xeroLimits.historyNoteMaxLength,
  );
}

export async function postCreditNote(d: CreditNoteDeps, req: CreditNoteRequest): Promise<CreditNote> {
  const key = (step: WriteStep) => xeroIdempotencyKey(req.idempotencyKey, step);
  const total = checkRequest(req);
  const invoice = await readInvoice(d, req.invoiceId);
  checkInvoice(invoice, req);
  const due = parseDecimal(invoice.AmountDue, invoice.CurrencyCode);
  const exceedsDue = compare(total, due) > 0;
  // With no credit applied yet this cannot be a retry of ours: refuse before writing anything.
  if (exceedsDue && invoice.CreditNotes.length === 0)
    throw invalid(`Credit of ${toDecimalString(total)} exceeds the ${toDecimalString(due)} still due`);

  const today = new Date(d.now()).toISOString().slice(0, 10);
  const draft = {
    contactId: invoice.Contact.ContactID,
    date: today,
    currency: req.currency,
    reference: clip(req.memo, xeroLimits.referenceMaxLength),
    lines: req.lines.map((l) => {
      const source = sourceLine(invoice, l.invoiceLineId);
      return {
        description: l.description,
        amount: wireAmount(l.amount),
        ...(source?.AccountCode && { accountCode: source.AccountCode }),
        ...(source?.TaxType && { taxType: source.TaxType }),
      };
    }),
  };
  const note = onlyCreditNote(await d.api.createCreditNote(draft, key('create')));

  const alreadyAllocated = invoice.CreditNotes.some((c) => c.CreditNoteID === note.CreditNoteID);
  if (!alreadyAllocated) {
    if (exceedsDue) {
      // The credit already on the invoice was someone else's, so this was no retry: undo the new note.
      await d.api.voidCreditNote(note.CreditNoteID, key('void'));
      throw invalid(
        `Credit of ${toDecimalString(total)} exceeds the ${toDecimalString(due)} still due; credit note ${note.CreditNoteID} voided`,
      );
    }
    await d.api.allocateCreditNote(
      note.CreditNoteID,
      { invoiceId: invoice.InvoiceID, amount: wireAmount(total), date: today },
      key('allocate'),
    );
  }
  await d.api.addInvoiceNote(invoice.InvoiceID, historyNote(req, note, total), key('history'));
  return toCreditNote(onlyCreditNote(await d.api.getCreditNote(note.CreditNoteID)), d.tenantId);
}
