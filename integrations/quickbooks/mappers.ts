// Raw QuickBooks payloads → the canonical model. Pure: no I/O, no clock.
import type {
  CreditNote,
  CreditNoteLine,
  ExternalRef,
  Invoice,
  InvoiceLine,
  Payment,
  PaymentApplication,
} from '../../src/domain/model.js';
import { Dec } from '../../src/domain/decimal.js';
import { parseDecimal, type Money } from '../../src/domain/money.js';
import type { QboCreditMemo, QboDeleted, QboInvoice, QboLine, QboPayment } from './schemas.js';

const provider = 'quickbooks';

/** CDC names no currency for a deleted object; ISO 4217 "XXX" means "no currency", so any arithmetic on it fails loudly. */
export const noCurrency = 'XXX';

export const qboRef = (realmId: string, id: string): ExternalRef => ({ provider, accountId: realmId, id });

// QBO sends amounts as JSON numbers; parseDecimal reads their shortest decimal form, never float arithmetic.
const amount = (value: number, currency: string): Money => parseDecimal(value, currency);
// Unit prices may carry more decimals than the currency (0.3333 an hour); amounts never do.
const unitPrice = (value: number, currency: string): Money => parseDecimal(value, currency, { rounding: 'half-even' });
const quantity = (value: number): string => new Dec(String(value)).toFixed();
const utc = (qboTime: string): string => new Date(qboTime).toISOString();
const zero = (currency: string): Money => ({ minor: 0, currency });

// Sales lines only: SubTotalLineDetail repeats the sum, discount and group lines are folded into TotalAmt.
const salesLines = (lines: readonly QboLine[]) =>
  lines.filter((l) => l.SalesItemLineDetail !== undefined || l.DetailType === 'SalesItemLineDetail');

function toInvoiceLine(line: QboLine, index: number, currency: string): InvoiceLine {
  const detail = line.SalesItemLineDetail;
  const qty = detail?.Qty ?? 1;
  return {
    id: line.Id ?? String(index + 1),
    description: line.Description ?? detail?.ItemRef?.name ?? '',
    quantity: quantity(qty),
    unitPrice: unitPrice(detail?.UnitPrice ?? line.Amount, currency),
    amount: amount(line.Amount, currency),
    ...(detail?.ServiceDate && { serviceDate: detail.ServiceDate }),
  };
}

// Voiding keeps the document but zeroes it and prefixes the memo with "Voided"; the status attribute is
// declared in the XSD but not confirmed to be sent for voids, so both signals count.
const isVoided = (raw: { status?: string | undefined; TotalAmt: number; PrivateNote?: string | undefined }) =>
  raw.status === 'Voided' || (raw.TotalAmt === 0 && /^Voided\b/.test(raw.PrivateNote ?? ''));

function invoiceStatus(raw: QboInvoice): Invoice['status'] {
  if (isVoided(raw)) return 'void';
  if (raw.status === 'Draft' || raw.status === 'Pending') return 'draft';
  return raw.Balance === 0 ? 'paid' : 'open';
}

export function toInvoice(raw: QboInvoice, realmId: string): Invoice {
  const currency = raw.CurrencyRef.value;
  const email = raw.BillEmail?.Address;
  return {
    ref: qboRef(realmId, raw.Id),
    number: raw.DocNumber ?? raw.Id,
    customer: {
      ref: qboRef(realmId, raw.CustomerRef.value),
      name: raw.CustomerRef.name ?? '',
      ...(email && { email }),
    },
    currency,
    lines: salesLines(raw.Line).map((l, i) => toInvoiceLine(l, i, currency)),
    total: amount(raw.TotalAmt, currency),
    balance: amount(raw.Balance, currency),
    issueDate: raw.TxnDate,
    ...(raw.DueDate && { dueDate: raw.DueDate }),
    status: invoiceStatus(raw),
    updatedAt: utc(raw.MetaData.LastUpdatedTime),
  };
}

/** A deleted invoice: only its id and deletion time are known, so every other field is empty. */
export function toDeletedInvoice(raw: QboDeleted, realmId: string): Invoice {
  return {
    ref: qboRef(realmId, raw.Id),
    number: '',
    customer: { ref: qboRef(realmId, ''), name: '' },
    currency: noCurrency,
    lines: [],
    total: zero(noCurrency),
    balance: zero(noCurrency),
    issueDate: '',
    status: 'deleted',
    updatedAt: utc(raw.MetaData.LastUpdatedTime),
  };
}

/**
 * What the payment's money paid on each invoice. QuickBooks records a credit memo applied to an invoice as a
 * Payment whose lines link both (a $0 Payment when only credit moved): the CreditMemo lines spend credit, not
 * money, so their total comes off the invoice lines first. A credit is never counted as a payment.
 */
function applications(raw: QboPayment, realmId: string): PaymentApplication[] {
  const currency = raw.CurrencyRef.value;
  // Credit memos this payment spends, each with what is left of it to hand out, in line order.
  const credits = raw.Line.flatMap((line) =>
    (line.LinkedTxn ?? [])
      .filter((t) => t.TxnType === 'CreditMemo')
      .map((t) => ({ id: t.TxnId, left: amount(line.Amount, currency).minor })),
  );
  return raw.Line.flatMap((line) =>
    (line.LinkedTxn ?? [])
      .filter((t) => t.TxnType === 'Invoice')
      .flatMap((t): PaymentApplication[] => {
        const invoice = qboRef(realmId, t.TxnId);
        let cash = amount(line.Amount, currency).minor;
        const funded: PaymentApplication[] = [];
        for (const c of credits) {
          const take = Math.min(c.left, cash);
          if (take <= 0) continue;
          c.left -= take;
          cash -= take;
          funded.push({ invoice, amount: { minor: take, currency }, creditNoteId: c.id });
        }
        return [...funded, ...(cash > 0 ? [{ invoice, amount: { minor: cash, currency } }] : [])];
      }),
  );
}

// Payers write "paid in full" wherever the form lets them: the memo (PrivateNote) or the reference number.
const memoOf = (raw: QboPayment): string | undefined =>
  [raw.PrivateNote, raw.PaymentRefNum]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join('\n') || undefined;

export function toPayment(raw: QboPayment, realmId: string): Payment {
  const currency = raw.CurrencyRef.value;
  const memo = memoOf(raw);
  return {
    ref: qboRef(realmId, raw.Id),
    customer: qboRef(realmId, raw.CustomerRef.value),
    amount: amount(raw.TotalAmt, currency),
    date: raw.TxnDate,
    ...(raw.PaymentMethodRef?.name && { method: raw.PaymentMethodRef.name }),
    ...(memo && { memo }),
    ...(raw.PaymentRefNum && { reference: raw.PaymentRefNum }),
    applications: applications(raw, realmId),
    status: isVoided(raw) ? 'voided' : 'applied',
    updatedAt: utc(raw.MetaData.LastUpdatedTime),
  };
}

export function toDeletedPayment(raw: QboDeleted, realmId: string): Payment {
  return {
    ref: qboRef(realmId, raw.Id),
    amount: zero(noCurrency),
    date: '',
    applications: [],
    status: 'deleted',
    updatedAt: utc(raw.MetaData.LastUpdatedTime),
  };
}

function toCreditNoteLine(line: QboLine, currency: string): CreditNoteLine {
  return {
    description: line.Description ?? line.SalesItemLineDetail?.ItemRef?.name ?? '',
    amount: amount(line.Amount, currency),
  };
}

function creditNoteStatus(raw: QboCreditMemo): CreditNote['status'] {
  if (isVoided(raw)) return 'void';
  return raw.RemainingCredit === 0 && raw.TotalAmt > 0 ? 'applied' : 'open';
}

/** Allocations are not part of a CreditMemo: QBO records them on the Payment that links memo and invoice. */
export function toCreditNote(
  raw: QboCreditMemo,
  realmId: string,
  allocations: readonly PaymentApplication[] = [],
): CreditNote {
  const currency = raw.CurrencyRef.value;
  return {
    ref: qboRef(realmId, raw.Id),
    ...(raw.DocNumber && { number: raw.DocNumber }),
    customer: qboRef(realmId, raw.CustomerRef.value),
    lines: salesLines(raw.Line).map((l) => toCreditNoteLine(l, currency)),
    total: amount(raw.TotalAmt, currency),
    allocations,
    status: creditNoteStatus(raw),
    updatedAt: utc(raw.MetaData.LastUpdatedTime),
  };
}

export function toDeletedCreditNote(raw: QboDeleted, realmId: string): CreditNote {
  return {
    ref: qboRef(realmId, raw.Id),
    lines: [],
    total: zero(noCurrency),
    allocations: [],
    status: 'deleted',
    updatedAt: utc(raw.MetaData.LastUpdatedTime),
  };
}
