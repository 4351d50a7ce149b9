// The simulator's documents must use only names Finance.xsd declares, so a connector that works against the
// simulator reads real QBO payloads too. (test/integration/quickbooks/wire-format.test.ts checks the same over HTTP.)
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../../../simulators/quickbooks/admin.js';
import { SimulatorCore } from '../../../../simulators/quickbooks/core.js';
import { loadFinanceSchema, schemaViolations } from './xsd.js';

let types: ReturnType<typeof loadFinanceSchema>;
beforeAll(() => {
  types = loadFinanceSchema();
});

function seededCompany() {
  const admin = createAdmin(new SimulatorCore({ clock: () => Date.parse('2026-05-03T23:00:00Z') }));
  const realmId = admin.createCompany({ realmId: '9130357766563526' });
  const customer = admin.addCustomer(realmId, { name: 'Northwind Traders', email: 'accounts@northwind.example' });
  return { admin, realmId, customerId: customer.Id };
}

describe('Finance.xsd reader', () => {
  it('follows base types and reports names and JSON types the schema does not allow', () => {
    expect(types.get('Invoice')?.base).toBe('SalesTransaction');
    expect(
      schemaViolations(types, { TotalAmt: 1, Balance: 1, DocNumber: 'x', Id: '1', domain: 'QBO' }, 'Invoice'),
    ).toEqual([]);
    expect(schemaViolations(types, { TotalAmount: 1, CurrencyRef: { value: 'USD', code: 'x' } }, 'Invoice')).toEqual([
      'Invoice.TotalAmount',
      'Invoice.CurrencyRef.code',
    ]);
    expect(
      schemaViolations(types, { TotalAmt: '500.00', TxnDate: '2026-05-03T00:00:00Z', CustomerRef: '58' }, 'Invoice'),
    ).toEqual([
      'Invoice.TotalAmt is not xs:decimal: "500.00"',
      'Invoice.TxnDate is not xs:date: "2026-05-03T00:00:00Z"',
      'Invoice.CustomerRef is not ReferenceType: "58"',
    ]);
  });
});

describe('simulator documents against Finance.xsd', () => {
  it('emits invoices, payments and credit memos with declared names only', () => {
    const { admin, realmId, customerId } = seededCompany();
    const invoice = admin.addInvoice(realmId, {
      customerId,
      dueDate: '2026-06-01',
      privateNote: 'PO 77',
      lines: [{ description: 'Workshop', qty: 1.5, unitPrice: 300 }, { unitPrice: 50 }],
    });
    const payment = admin.addPayment(realmId, {
      customerId,
      amount: 400,
      applications: [{ invoiceId: invoice.Id, amount: 400 }],
      memo: 'Paid in full',
      refNum: 'CHK-1042',
      method: { value: '2', name: 'Check' },
    });
    const memo = admin.addCreditMemo(realmId, {
      customerId,
      privateNote: 'Goodwill',
      lines: [{ description: 'Credit', amount: 25 }],
    });
    const voided = admin.voidPayment(realmId, payment.Id);

    expect(schemaViolations(types, admin.invoice(realmId, invoice.Id), 'Invoice')).toEqual([]);
    expect(schemaViolations(types, payment, 'Payment')).toEqual([]);
    expect(schemaViolations(types, voided, 'Payment')).toEqual([]);
    expect(schemaViolations(types, memo, 'CreditMemo')).toEqual([]);
  });

  it('emits a voided invoice with declared names only', () => {
    const { admin, realmId, customerId } = seededCompany();
    const invoice = admin.addInvoice(realmId, { customerId, lines: [{ description: 'Workshop', unitPrice: 120 }] });

    expect(schemaViolations(types, admin.voidInvoice(realmId, invoice.Id), 'Invoice')).toEqual([]);
  });
});
