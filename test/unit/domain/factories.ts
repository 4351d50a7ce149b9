import type { ChargeDispute, ExternalRef, Invoice, Payment } from '../../../src/domain/model.js';
import { money } from '../../../src/domain/money.js';

export const qbo = (id: string): ExternalRef => ({ provider: 'quickbooks', accountId: 'realm-1', id });
export const usd = (minor: number) => money(minor, 'USD');

export function invoice(over: Partial<Invoice> & { totalMinor?: number; balanceMinor?: number } = {}): Invoice {
  const { totalMinor = 100_000, balanceMinor = totalMinor, ...rest } = over;
  return {
    ref: qbo('inv-1042'),
    number: '1042',
    currency: 'USD',
    lines: [],
    status: 'open',
    customer: { ref: qbo('cust-7'), name: 'Acme Renovations', email: 'ap@acme.test', locale: 'en-US' },
    total: usd(totalMinor),
    balance: usd(balanceMinor),
    issueDate: '2026-05-01',
    dueDate: '2026-05-31',
    updatedAt: '2026-06-02T10:00:00Z',
    ...rest,
  };
}

export function payment(minor: number, over: Partial<Payment> = {}, inv: ExternalRef = qbo('inv-1042')): Payment {
  return {
    ref: qbo(`pay-${minor}`),
    customer: qbo('cust-7'),
    amount: usd(minor),
    date: '2026-06-02',
    status: 'applied',
    applications: [{ invoice: inv, amount: usd(minor) }],
    updatedAt: '2026-06-02T10:00:00Z',
    ...over,
  };
}

export function chargeDispute(over: Partial<ChargeDispute> = {}): ChargeDispute {
  return {
    ref: { provider: 'stripe', accountId: 'acct_1', id: 'dp_1' },
    chargeId: 'ch_1',
    amount: usd(40_000),
    reason: 'product_unacceptable',
    status: 'needs_response',
    dueBy: '2026-06-20T23:59:59Z',
    createdAt: '2026-06-05T12:00:00Z',
    ...over,
  };
}
