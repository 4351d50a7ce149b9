import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toCreditNote, toInvoice, toPayment } from '../../../../integrations/xero/mappers.js';
import {
  XeroConnection,
  XeroCreditNotesPage,
  XeroInvoicesPage,
  XeroPaymentsPage,
} from '../../../../integrations/xero/schemas.js';
import { MoneyParseError } from '../../../../src/domain/money.js';
import { fixture } from './fixtures.js';

const tenant = 'tenant-1';
const invoices = (name: string) => XeroInvoicesPage.parse(fixture(name)).Invoices;

describe('Xero invoices → canonical', () => {
  it('maps the spec example list: statuses, totals and Microsoft JSON dates', () => {
    const [voided, paid, open] = invoices('invoices.json').map((raw) => toInvoice(raw, tenant));
    expect([voided?.status, paid?.status, open?.status]).toEqual(['void', 'paid', 'open']);
    expect(paid).toMatchObject({
      ref: { provider: 'xero', accountId: tenant, id: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87' },
      number: 'INV-0002',
      currency: 'NZD',
      total: { minor: 4600, currency: 'NZD' },
      balance: { minor: 0, currency: 'NZD' },
      issueDate: '2018-10-20',
      dueDate: '2018-12-30',
      updatedAt: '2018-11-02T16:36:32.690Z',
    });
    expect(open?.balance).toEqual({ minor: 11500, currency: 'NZD' });
  });

  it('keeps large amounts and line details exact', () => {
    const [raw] = invoices('invoice.json');
    const invoice = toInvoice(raw!, tenant);
    expect(invoice.total.minor).toBe(14806276);
    expect(invoice.customer).toEqual({
      ref: { provider: 'xero', accountId: tenant, id: '430fa14a-f945-44d3-9f97-5df5e28441b8' },
      name: 'Liam Gallagher',
      email: 'liam@rockstar.com',
    });
    expect(invoice.lines).toEqual([
      {
        id: 'b18f39d9-7739-4246-9288-72afe939d2d5',
        description: 'Guitars Fender Strat',
        quantity: '1',
        unitPrice: { minor: 14806276, currency: 'NZD' },
        amount: { minor: 14806276, currency: 'NZD' },
      },
    ]);
  });

  it('reads ISO dates without a zone as UTC, and fractional quantities as decimal text', () => {
    const invoice = toInvoice(invoices('part-paid-invoice-iso.json')[0]!, tenant);
    expect(invoice).toMatchObject({
      issueDate: '2026-04-01',
      dueDate: '2026-04-30',
      updatedAt: '2026-05-02T08:30:12.473Z',
      status: 'open',
    });
    expect(invoice.total).toEqual({ minor: 710714, currency: 'NZD' });
    expect(invoice.balance).toEqual({ minor: 210714, currency: 'NZD' });
    expect(invoice.lines.map((l) => [l.quantity, l.unitPrice.minor, l.amount.minor])).toEqual([
      ['1.5', 12010, 18015],
      ['3', 199999, 599997],
    ]);
  });

  it('refuses an amount with more decimals than the currency has', () => {
    const [raw] = invoices('part-paid-invoice-iso.json');
    expect(() => toInvoice({ ...raw!, AmountDue: 2107.145 }, tenant)).toThrow(MoneyParseError);
  });
});

describe('Xero payments → canonical', () => {
  it('maps a receivable payment with its Reference as the memo and one application', () => {
    const [raw] = XeroPaymentsPage.parse(fixture('payments.json')).Payments;
    const payment = toPayment({ ...raw!, Reference: 'Full and final settlement' }, tenant);
    expect(payment).toEqual({
      ref: { provider: 'xero', accountId: tenant, id: '99ea7f6b-c513-4066-bc27-b7c65dcd76c2' },
      customer: { provider: 'xero', accountId: tenant, id: 'a3675fc4-f8dd-4f03-ba5b-f1870566bcd7' },
      amount: { minor: 4600, currency: 'NZD' },
      date: '2018-11-29',
      memo: 'Full and final settlement',
      applications: [
        {
          invoice: { provider: 'xero', accountId: tenant, id: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87' },
          amount: { minor: 4600, currency: 'NZD' },
        },
      ],
      status: 'applied',
      updatedAt: expect.stringMatching(/^2018-11-02T/),
    });
  });

  it('leaves out an empty Reference and maps DELETED', () => {
    const [raw] = XeroPaymentsPage.parse(fixture('payments.json')).Payments;
    const payment = toPayment({ ...raw!, Status: 'DELETED' }, tenant);
    expect(payment.memo).toBeUndefined();
    expect(payment.status).toBe('deleted');
  });
});

describe('Xero credit notes → canonical', () => {
  it('maps an open credit note from the spec example', () => {
    const [raw] = XeroCreditNotesPage.parse(fixture('credit-notes.json')).CreditNotes;
    expect(toCreditNote(raw!, tenant)).toMatchObject({
      number: 'CN-0005',
      total: { minor: 3450, currency: 'NZD' },
      allocations: [],
      status: 'open',
      updatedAt: '2019-03-05T18:59:06.157Z',
    });
  });

  it('maps a fully allocated credit note as applied, with its allocation to the invoice', () => {
    const [raw] = XeroCreditNotesPage.parse(fixture('allocated-credit-note.json')).CreditNotes;
    const note = toCreditNote(raw!, tenant);
    expect(note.status).toBe('applied');
    expect(note.lines).toEqual([{ description: 'Disputed planting hours', amount: { minor: 10714, currency: 'NZD' } }]);
    expect(note.allocations).toEqual([
      {
        invoice: { provider: 'xero', accountId: tenant, id: '5b7e2c11-8a4d-4f3e-b9c2-1d6a0e7f3a21' },
        amount: { minor: 10714, currency: 'NZD' },
      },
    ]);
  });
});

describe('Xero connections', () => {
  it('reads the identity example, whose timestamps carry no zone', () => {
    expect(z.array(XeroConnection).parse(fixture('connections.json'))).toEqual([
      expect.objectContaining({
        tenantId: 'fe79f7dd-b6d4-4a92-ba7b-538af6289c58',
        tenantName: 'Demo Company (NZ)',
        tenantType: 'ORGANISATION',
        createdDateUtc: '2019-12-07T18:46:19.5165400',
      }),
    ]);
  });
});
