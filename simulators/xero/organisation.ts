// One Xero organisation's ledger: contacts, sales invoices, payments, credit notes and their allocations,
// history notes. Balances are derived, never stored, so AmountDue always agrees with what was applied.
import { randomUUID } from 'node:crypto';
import { isoDay, type Clock } from './clock.js';
import { buildLines, type LineAmountType, type LineInput, type SimLine, type Totals } from './documents.js';
import { SimValidationError, notFound } from './errors.js';
import { restoreFields } from '../shared/snapshot.js';

export type DocumentStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';

export interface SimContact {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
}

interface SimDocument {
  readonly id: string;
  readonly number: string;
  readonly reference?: string;
  readonly contactId: string;
  status: DocumentStatus;
  readonly currency: string;
  readonly lineAmountTypes: LineAmountType;
  readonly lines: readonly SimLine[];
  readonly totals: Totals;
  readonly date: string;
  updatedAt: number;
  fullyPaidOn?: string;
}

export interface SimInvoice extends SimDocument {
  readonly type: 'ACCREC' | 'ACCPAY';
  dueDate?: string;
  sentToContact: boolean;
}

export interface SimCreditNote extends SimDocument {
  readonly type: 'ACCRECCREDIT' | 'ACCPAYCREDIT';
}

export interface SimPayment {
  readonly id: string;
  readonly invoiceId: string;
  readonly amount: number;
  readonly date: string;
  readonly reference?: string;
  readonly accountCode: string;
  status: 'AUTHORISED' | 'DELETED';
  updatedAt: number;
}

export interface SimAllocation {
  readonly id: string;
  readonly creditNoteId: string;
  readonly invoiceId: string;
  readonly amount: number;
  readonly date: string;
}

export interface SimHistoryRecord {
  readonly details: string;
  readonly changes: string;
  readonly user: string;
  readonly at: number;
}

export interface Change {
  readonly category: 'INVOICE' | 'CREDITNOTE';
  readonly type: 'CREATE' | 'UPDATE';
  readonly tenantId: string;
  readonly resourceId: string;
  readonly data?: { readonly Type: string; readonly Status: string };
}

export interface DocumentInput {
  readonly contactId: string;
  readonly number?: string;
  readonly reference?: string;
  readonly status?: DocumentStatus;
  readonly currency?: string;
  readonly lineAmountTypes?: LineAmountType;
  readonly lines: readonly LineInput[];
  readonly date?: string;
}

// A small chart of accounts and tax rates, enough for sales and credit notes to book somewhere real.
const accounts = new Set(['090', '200', '260', '400']);
const taxRates: Record<string, string> = { NONE: '0', OUTPUT: '0.125', OUTPUT2: '0.15', EXEMPTOUTPUT: '0' };

export interface OrganisationSnapshot {
  readonly tenantId: string;
  readonly name: string;
  readonly baseCurrency: string;
  readonly [field: string]: unknown;
}

export class Organisation {
  readonly contacts = new Map<string, SimContact>();
  readonly invoices = new Map<string, SimInvoice>();
  readonly payments = new Map<string, SimPayment>();
  readonly creditNotes = new Map<string, SimCreditNote>();
  readonly allocations: SimAllocation[] = [];
  readonly history = new Map<string, SimHistoryRecord[]>();
  private readonly counters = { invoice: 0, creditNote: 0 };
  /** Payments by invoice, derived from `payments` (not saved): an invoice's balance without a scan of every payment. */
  private readonly paymentsByInvoice = new Map<string, SimPayment[]>();
  /** While set, changes send no webhook (a bulk import). */
  private quiet = false;
  private readonly ledger = { taxRate: (t: string) => taxRates[t], hasAccount: (c: string) => accounts.has(c) };

  constructor(
    readonly tenantId: string,
    readonly name: string,
    readonly baseCurrency: string,
    private readonly clock: Clock,
    private readonly emit: (change: Change) => void,
  ) {}

  snapshot(): OrganisationSnapshot {
    const { tenantId, name, baseCurrency, contacts, invoices, payments, creditNotes, allocations, history, counters } =
      this;
    return { tenantId, name, baseCurrency, contacts, invoices, payments, creditNotes, allocations, history, counters };
  }

  restore(saved: OrganisationSnapshot): void {
    restoreFields(this, saved, [
      'contacts',
      'invoices',
      'payments',
      'creditNotes',
      'allocations',
      'history',
      'counters',
    ]);
    this.paymentsByInvoice.clear();
    for (const p of this.payments.values()) this.indexPayment(p);
  }

  private indexPayment(p: SimPayment): void {
    const of = this.paymentsByInvoice.get(p.invoiceId);
    if (of) of.push(p);
    else this.paymentsByInvoice.set(p.invoiceId, [p]);
  }

  /** Runs `build` without webhook events for what it changes. */
  withoutWebhooks<T>(build: () => T): T {
    const was = this.quiet;
    this.quiet = true;
    try {
      return build();
    } finally {
      this.quiet = was;
    }
  }

  amountPaid = (invoiceId: string) => this.paymentsOf(invoiceId).reduce((n, p) => n + p.amount, 0);
  amountCredited = (invoiceId: string) => this.allocationsTo(invoiceId).reduce((n, a) => n + a.amount, 0);
  amountDue = (inv: SimInvoice) =>
    inv.status === 'AUTHORISED' || inv.status === 'PAID'
      ? inv.totals.total - this.amountPaid(inv.id) - this.amountCredited(inv.id)
      : inv.totals.total;
  remainingCredit = (cn: SimCreditNote) =>
    cn.totals.total - this.allocationsFrom(cn.id).reduce((n, a) => n + a.amount, 0);
  paymentsOf = (invoiceId: string) =>
    (this.paymentsByInvoice.get(invoiceId) ?? []).filter((p) => p.status === 'AUTHORISED');
  allocationsTo = (invoiceId: string) => this.allocations.filter((a) => a.invoiceId === invoiceId);
  allocationsFrom = (creditNoteId: string) => this.allocations.filter((a) => a.creditNoteId === creditNoteId);

  addContact(input: { name: string; email?: string; id?: string }): SimContact {
    const contact = {
      id: (input.id ?? randomUUID()).toLowerCase(),
      name: input.name,
      ...(input.email && { email: input.email }),
    };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  invoice(id: string): SimInvoice {
    const inv = this.invoices.get(id.toLowerCase());
    if (!inv) throw notFound(`Invoice ${id}`);
    return inv;
  }

  creditNote(id: string): SimCreditNote {
    const cn = this.creditNotes.get(id.toLowerCase());
    if (!cn) throw notFound(`Credit note ${id}`);
    return cn;
  }

  createInvoice(input: DocumentInput & { type?: 'ACCREC' | 'ACCPAY'; dueDate?: string }): SimInvoice {
    const status = input.status ?? 'AUTHORISED';
    const inv: SimInvoice = {
      ...this.document(input, status, () => `INV-${String(++this.counters.invoice).padStart(4, '0')}`),
      type: input.type ?? 'ACCREC',
      ...(input.dueDate && { dueDate: input.dueDate }),
      sentToContact: false,
    };
    this.invoices.set(inv.id, inv);
    this.changed('INVOICE', 'CREATE', inv.id);
    return inv;
  }

  /** Edits Xero applies without moving UpdatedDateUTC when the invoice is part paid (reference/ledgers.md §6.2). */
  editInvoice(id: string, patch: { dueDate?: string; sentToContact?: boolean }): SimInvoice {
    const inv = this.invoice(id);
    if (patch.dueDate !== undefined) inv.dueDate = patch.dueDate;
    if (patch.sentToContact !== undefined) inv.sentToContact = patch.sentToContact;
    const partPaid = this.amountPaid(inv.id) > 0 && this.amountDue(inv) > 0;
    if (!partPaid) this.touch(inv);
    this.changed('INVOICE', 'UPDATE', inv.id);
    return inv;
  }

  voidInvoice(id: string): SimInvoice {
    const inv = this.invoice(id);
    if (this.paymentsOf(inv.id).length || this.allocationsTo(inv.id).length)
      throw new SimValidationError('Invoice has payments or credit applied; remove them before voiding');
    inv.status = 'VOIDED';
    this.touch(inv);
    this.changed('INVOICE', 'UPDATE', inv.id);
    return inv;
  }

  addPayment(input: {
    invoiceId: string;
    amount: number;
    date?: string;
    reference?: string;
    accountCode?: string;
  }): SimPayment {
    const inv = this.invoice(input.invoiceId);
    if (inv.status !== 'AUTHORISED')
      throw new SimValidationError(`Payments can only be made against AUTHORISED documents, this one is ${inv.status}`);
    if (input.amount <= 0) throw new SimValidationError('Payment amount must be greater than zero');
    if (input.amount > this.amountDue(inv))
      throw new SimValidationError('Payment amount exceeds the amount outstanding on this document');
    const payment: SimPayment = {
      id: randomUUID(),
      invoiceId: inv.id,
      amount: input.amount,
      date: input.date ?? isoDay(this.clock()),
      ...(input.reference && { reference: input.reference }),
      accountCode: input.accountCode ?? '090',
      status: 'AUTHORISED',
      updatedAt: this.clock(),
    };
    this.payments.set(payment.id, payment);
    this.indexPayment(payment);
    this.settle(inv, payment.date);
    return payment;
  }

  deletePayment(id: string): SimPayment {
    const payment = this.payments.get(id.toLowerCase());
    if (!payment) throw notFound(`Payment ${id}`);
    payment.status = 'DELETED';
    payment.updatedAt = this.clock();
    this.settle(this.invoice(payment.invoiceId), payment.date);
    return payment;
  }

  createCreditNote(input: DocumentInput & { type: 'ACCRECCREDIT' | 'ACCPAYCREDIT' }): SimCreditNote {
    const status = input.status ?? 'DRAFT';
    if (!['DRAFT', 'SUBMITTED', 'AUTHORISED'].includes(status))
      throw new SimValidationError(`A new credit note cannot be ${status}`);
    const cn: SimCreditNote = {
      ...this.document(input, status, () => `CN-${String(++this.counters.creditNote).padStart(4, '0')}`),
      type: input.type,
    };
    this.creditNotes.set(cn.id, cn);
    this.changed('CREDITNOTE', 'CREATE', cn.id, { Type: cn.type, Status: cn.status });
    return cn;
  }

  allocate(creditNoteId: string, input: { invoiceId: string; amount: number; date: string }): SimAllocation {
    const cn = this.creditNote(creditNoteId);
    const inv = this.invoice(input.invoiceId);
    if (cn.status !== 'AUTHORISED')
      throw new SimValidationError(`Only AUTHORISED credit notes can be allocated, this one is ${cn.status}`);
    if (inv.status !== 'AUTHORISED')
      throw new SimValidationError(`Credit can only be allocated to AUTHORISED invoices, this one is ${inv.status}`);
    if (cn.contactId !== inv.contactId)
      throw new SimValidationError('The credit note and the invoice belong to different contacts');
    if (cn.currency !== inv.currency)
      throw new SimValidationError('The credit note and the invoice are in different currencies');
    if (input.amount <= 0) throw new SimValidationError('Allocation amount must be greater than zero');
    if (input.amount > this.remainingCredit(cn))
      throw new SimValidationError('The amount being allocated exceeds the remaining credit on the credit note');
    if (input.amount > this.amountDue(inv))
      throw new SimValidationError('The amount being allocated exceeds the amount outstanding on the invoice');
    const allocation: SimAllocation = {
      id: randomUUID(),
      creditNoteId: cn.id,
      invoiceId: inv.id,
      amount: input.amount,
      date: input.date,
    };
    this.allocations.push(allocation);
    if (this.remainingCredit(cn) === 0) {
      cn.status = 'PAID';
      cn.fullyPaidOn = input.date;
    }
    this.touch(cn);
    this.changed('CREDITNOTE', 'UPDATE', cn.id, { Type: cn.type, Status: cn.status });
    this.settle(inv, input.date);
    return allocation;
  }

  voidCreditNote(id: string): SimCreditNote {
    const cn = this.creditNote(id);
    if (this.allocationsFrom(cn.id).length)
      throw new SimValidationError('A credit note with allocations cannot be voided; remove the allocations first');
    cn.status = 'VOIDED';
    this.touch(cn);
    this.changed('CREDITNOTE', 'UPDATE', cn.id, { Type: cn.type, Status: cn.status });
    return cn;
  }

  addHistory(invoiceId: string, details: string, user: string): SimHistoryRecord {
    const inv = this.invoice(invoiceId);
    if (!details.trim()) throw new SimValidationError('Details must not be empty');
    const record = { details, changes: 'Note', user, at: this.clock() };
    this.history.set(inv.id, [...(this.history.get(inv.id) ?? []), record]);
    return record;
  }

  private document(input: DocumentInput, status: DocumentStatus, nextNumber: () => string) {
    if (!this.contacts.has(input.contactId.toLowerCase()))
      throw new SimValidationError(`Contact ${input.contactId} does not exist`);
    const type = input.lineAmountTypes ?? 'Exclusive';
    const { lines, totals } = buildLines(input.lines, type, this.ledger, randomUUID, status === 'AUTHORISED');
    return {
      id: randomUUID(),
      number: input.number ?? nextNumber(),
      ...(input.reference && { reference: input.reference }),
      contactId: input.contactId.toLowerCase(),
      status,
      currency: input.currency ?? this.baseCurrency,
      lineAmountTypes: type,
      lines,
      totals,
      date: input.date ?? isoDay(this.clock()),
      updatedAt: this.clock(),
    };
  }

  /** Payments and credit move an invoice between AUTHORISED and PAID. */
  private settle(inv: SimInvoice, on: string): void {
    const due = this.amountDue(inv);
    if (inv.status === 'AUTHORISED' && due === 0) {
      inv.status = 'PAID';
      inv.fullyPaidOn = on;
    } else if (inv.status === 'PAID' && due > 0) {
      inv.status = 'AUTHORISED';
      delete inv.fullyPaidOn;
    }
    this.touch(inv);
    this.changed('INVOICE', 'UPDATE', inv.id);
  }

  private touch(doc: { updatedAt: number }): void {
    doc.updatedAt = this.clock();
  }

  private changed(category: Change['category'], type: Change['type'], resourceId: string, data?: Change['data']): void {
    if (this.quiet) return;
    this.emit({ category, type, tenantId: this.tenantId, resourceId, ...(data && { data }) });
  }
}
