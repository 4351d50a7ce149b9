import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../../integrations/errors.js';
import { toIntegrationError } from '../../../../integrations/quickbooks/errors.js';
import {
  noCurrency,
  toCreditNote,
  toDeletedInvoice,
  toDeletedPayment,
  toInvoice,
  toPayment,
} from '../../../../integrations/quickbooks/mappers.js';
import {
  QboCdcResponse,
  QboCreditMemo,
  QboDeleted,
  QboInvoice,
  QboPayment,
} from '../../../../integrations/quickbooks/schemas.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/quickbooks/${name}`, import.meta.url), 'utf8'));
const realm = '9130357766563526';
const ref = (id: string) => ({ provider: 'quickbooks', accountId: realm, id });
const usd = (minor: number) => ({ minor, currency: 'USD' });

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (e) {
    return toIntegrationError(e);
  }
  throw new Error('expected a throw');
}

describe('QuickBooks mappers', () => {
  it('maps a partially paid invoice, keeping only item lines and exact amounts', () => {
    const invoice = toInvoice(QboInvoice.parse(fixture('invoice-partially-paid.json').Invoice), realm);

    expect(invoice).toEqual({
      ref: ref('1031'),
      number: 'INV-1031',
      customer: { ref: ref('58'), name: 'Northwind Traders', email: 'accounts@northwind.example' },
      currency: 'USD',
      lines: [
        { id: '1', description: 'Brand workshop (hours)', quantity: '1.5', unitPrice: usd(30000), amount: usd(45000) },
        // A unit price finer than a cent is rounded half-even; the line amount is taken as QBO computed it.
        { id: '2', description: 'Hosting', quantity: '3', unitPrice: usd(1667), amount: usd(5000) },
      ],
      total: usd(50000),
      balance: usd(10000),
      issueDate: '2026-04-02',
      dueDate: '2026-05-02',
      status: 'open',
      updatedAt: '2026-05-03T23:02:07.000Z',
    });
  });

  it("keeps a line's ServiceDate as the day its service was provided", () => {
    const raw = fixture('invoice-partially-paid.json').Invoice as { Line: Record<string, unknown>[] };
    const lines = raw.Line.map((l) =>
      l.SalesItemLineDetail
        ? { ...l, SalesItemLineDetail: { ...(l.SalesItemLineDetail as object), ServiceDate: '2026-03-30' } }
        : l,
    );
    const invoice = toInvoice(QboInvoice.parse({ ...raw, Line: lines }), realm);
    expect(invoice.lines.map((l) => l.serviceDate)).toEqual(['2026-03-30', '2026-03-30']);
    const undated = toInvoice(QboInvoice.parse(raw), realm);
    expect(undated.lines.every((l) => !('serviceDate' in l))).toBe(true);
  });

  it('reads the payer memo from PrivateNote and PaymentRefNum', () => {
    const payment = toPayment(QboPayment.parse(fixture('payment-short-with-memo.json').Payment), realm);

    expect(payment).toEqual({
      ref: ref('1207'),
      customer: ref('58'),
      amount: usd(40000),
      date: '2026-05-03',
      method: 'Check',
      memo: 'Paid in full and final settlement\nCHK-1042',
      reference: 'CHK-1042',
      applications: [{ invoice: ref('1031'), amount: usd(40000) }],
      status: 'applied',
      updatedAt: '2026-05-03T23:02:06.000Z',
    });
  });

  it('maps a fully used credit memo as applied', () => {
    const note = toCreditNote(QboCreditMemo.parse(fixture('credit-memo.json').CreditMemo), realm);

    expect(note).toMatchObject({
      ref: ref('1215'),
      number: 'CM-88',
      total: usd(10000),
      status: 'applied',
      lines: [{ description: 'Hosting credit', amount: usd(10000) }],
    });
  });

  it('maps CDC deletions to tombstones and a zeroed "Voided" invoice to void', () => {
    const cdc = QboCdcResponse.parse(fixture('cdc-changes.json'));
    const [invoices, payments] = cdc.CDCResponse[0]?.QueryResponse ?? [];
    const [voided, deleted, yen] = (invoices?.Invoice ?? []) as unknown[];

    expect(toInvoice(QboInvoice.parse(voided), realm)).toMatchObject({
      status: 'void',
      total: usd(0),
      lines: [{ amount: usd(0), quantity: '0' }],
    });
    expect(toDeletedInvoice(QboDeleted.parse(deleted), realm)).toEqual({
      ref: ref('1041'),
      number: '',
      customer: { ref: ref(''), name: '' },
      currency: noCurrency,
      lines: [],
      total: { minor: 0, currency: noCurrency },
      balance: { minor: 0, currency: noCurrency },
      issueDate: '',
      status: 'deleted',
      updatedAt: '2026-05-11T18:31:15.000Z',
    });
    expect(toInvoice(QboInvoice.parse(yen), realm)).toMatchObject({
      currency: 'JPY',
      total: { minor: 125000, currency: 'JPY' },
      lines: [{ quantity: '50', unitPrice: { minor: 2500, currency: 'JPY' } }],
    });
    expect(toDeletedPayment(QboDeleted.parse((payments?.Payment as unknown[])[0]), realm)).toMatchObject({
      ref: ref('1209'),
      status: 'deleted',
      applications: [],
    });
  });

  it('honours the status attribute when QBO marks an entity Voided', () => {
    const raw = { ...(fixture('payment-short-with-memo.json').Payment as object), status: 'Voided' };

    expect(toPayment(QboPayment.parse(raw), realm).status).toBe('voided');
  });

  it('converts JSON numbers to minor units without float arithmetic', () => {
    const raw = fixture('invoice-partially-paid.json').Invoice as Record<string, unknown>;
    // 0.1 + 0.2 is 0.30000000000000004 as a float; QBO would send 0.3, and large totals stay exact too.
    const invoice = toInvoice(QboInvoice.parse({ ...raw, TotalAmt: 1234567.89, Balance: 0.3 }), realm);

    expect(invoice.total).toEqual(usd(123456789));
    expect(invoice.balance).toEqual(usd(30));
  });

  it('refuses an amount finer than the currency allows, as an invalid payload', () => {
    const raw = fixture('invoice-partially-paid.json').Invoice as Record<string, unknown>;
    const mapped = thrown(() => toInvoice(QboInvoice.parse({ ...raw, Balance: 100.005 }), realm));

    expect(mapped).toBeInstanceOf(IntegrationError);
    expect(mapped).toMatchObject({ kind: 'invalid', details: { provider: 'quickbooks' } });
  });
});
