// Request bodies in Xero's wire form (PascalCase, dates as YYYY-MM-DD or /Date(ms)/) → simulator input.
import { z } from 'zod';
import { toCents } from '../amounts.js';
import { isoDay } from '../clock.js';
import { lineAmountTypes, type LineInput } from '../documents.js';
import { SimValidationError } from '../errors.js';
import type { DocumentInput, DocumentStatus } from '../organisation.js';

export function wireDay(text: string, field: string): string {
  const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(text);
  if (ms) return isoDay(Number(ms[1]));
  const day = text.slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`))) return day;
  throw new SimValidationError(`${field} '${text}' is not a valid date`);
}

const amount = z.union([z.number(), z.string()]);

const WireLine = z.object({
  LineItemID: z.string().optional(),
  Description: z.string().optional(),
  Quantity: amount.optional(),
  UnitAmount: amount.optional(),
  LineAmount: amount.optional(),
  AccountCode: z.string().optional(),
  TaxType: z.string().optional(),
});

const WireCreditNote = z.object({
  Type: z.enum(['ACCRECCREDIT', 'ACCPAYCREDIT'], { message: 'Type must be ACCRECCREDIT or ACCPAYCREDIT' }),
  Contact: z.object(
    { ContactID: z.string().min(1, 'Contact.ContactID is required') },
    { message: 'A Contact is required' },
  ),
  Date: z.string().optional(),
  Status: z.enum(['DRAFT', 'SUBMITTED', 'AUTHORISED']).optional(),
  LineAmountTypes: z.enum(lineAmountTypes).optional(),
  CurrencyCode: z.string().length(3).optional(),
  CreditNoteNumber: z.string().optional(),
  Reference: z.string().optional(),
  LineItems: z.array(WireLine).default([]),
});

const WireAllocation = z.object({
  Amount: amount,
  Date: z.string(),
  Invoice: z.object({ InvoiceID: z.string().min(1) }),
});

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new SimValidationError(...result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
  return result.data;
}

const toLine = (l: z.infer<typeof WireLine>): LineInput => ({
  ...(l.LineItemID && { lineItemId: l.LineItemID }),
  ...(l.Description !== undefined && { description: l.Description }),
  ...(l.Quantity !== undefined && { quantity: l.Quantity }),
  ...(l.UnitAmount !== undefined && { unitAmount: l.UnitAmount }),
  ...(l.LineAmount !== undefined && { lineAmount: l.LineAmount }),
  ...(l.AccountCode !== undefined && { accountCode: l.AccountCode }),
  ...(l.TaxType !== undefined && { taxType: l.TaxType }),
});

export function creditNoteInput(raw: unknown): DocumentInput & { type: 'ACCRECCREDIT' | 'ACCPAYCREDIT' } {
  const cn = parse(WireCreditNote, raw);
  return {
    type: cn.Type,
    contactId: cn.Contact.ContactID,
    ...(cn.Date && { date: wireDay(cn.Date, 'Date') }),
    ...(cn.Status && { status: cn.Status as DocumentStatus }),
    ...(cn.LineAmountTypes && { lineAmountTypes: cn.LineAmountTypes }),
    ...(cn.CurrencyCode && { currency: cn.CurrencyCode }),
    ...(cn.CreditNoteNumber && { number: cn.CreditNoteNumber }),
    ...(cn.Reference && { reference: cn.Reference }),
    lines: cn.LineItems.map(toLine),
  };
}

export function allocationInput(raw: unknown): { invoiceId: string; amount: number; date: string } {
  const a = parse(WireAllocation, raw);
  return { invoiceId: a.Invoice.InvoiceID, amount: toCents(a.Amount, 'Amount'), date: wireDay(a.Date, 'Date') };
}

export function listOf(body: unknown, key: string): unknown[] {
  const list = z.object({ [key]: z.array(z.unknown()).min(1) }).safeParse(body);
  if (!list.success) throw new SimValidationError(`The request body needs a non-empty ${key} array`);
  return list.data[key] as unknown[];
}
