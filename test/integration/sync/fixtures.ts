// Seed rows and canonical records for the sync tests.
import type { ChangeBatch } from '../../../integrations/types.js';
import type { Database } from '../../../src/services/db/index.js';
import { organisations, users } from '../../../src/services/db/schema.js';
import type { ChargeDispute, CreditNote, ExternalRef, Invoice, Payment } from '../../../src/domain/model.js';

export async function seedOrganisation(
  db: Database,
  name = 'Brightside Design',
): Promise<{ organisationId: string; userId: string }> {
  const [org] = await db
    .insert(organisations)
    .values({ name, timeZone: 'America/New_York', signature: 'Ana Ruiz' })
    .returning();
  const [user] = await db
    .insert(users)
    .values({ organisationId: org!.id, email: `owner+${org!.id.slice(0, 8)}@brightside.example`, role: 'owner' })
    .returning();
  return { organisationId: org!.id, userId: user!.id };
}

export const usd = (minor: number) => ({ minor, currency: 'USD' });
export const qbo = (id: string, accountId = 'realm-1'): ExternalRef => ({ provider: 'quickbooks', accountId, id });
const stripeRef = (id: string): ExternalRef => ({ provider: 'stripe', accountId: 'acct_1', id });

export function invoice(over: Partial<Invoice> & { totalMinor?: number; balanceMinor?: number } = {}): Invoice {
  const { totalMinor = 100_000, balanceMinor = totalMinor, ...rest } = over;
  return {
    ref: qbo('inv-1001'),
    number: '1001',
    currency: 'USD',
    status: 'open',
    customer: { ref: qbo('cust-7'), name: 'Harbor Cafe', email: 'pay@harbor.example', locale: 'en-US' },
    lines: [
      { id: 'l1', description: 'Brand identity', quantity: '1', unitPrice: usd(totalMinor), amount: usd(totalMinor) },
    ],
    total: usd(totalMinor),
    balance: usd(balanceMinor),
    issueDate: '2026-11-01',
    dueDate: '2026-12-01',
    updatedAt: '2026-12-04T15:00:00.000Z',
    ...rest,
  };
}

export function payment(id: string, minor: number, over: Partial<Payment> = {}, invoiceId = 'inv-1001'): Payment {
  return {
    ref: qbo(id),
    customer: qbo('cust-7'),
    amount: usd(minor),
    date: '2026-12-04',
    status: 'applied',
    memo: 'Thanks',
    applications: [{ invoice: qbo(invoiceId), amount: usd(minor) }],
    updatedAt: '2026-12-04T15:00:00.000Z',
    ...over,
  };
}

export function creditNote(id: string, minor: number, invoiceId = 'inv-1001'): CreditNote {
  return {
    ref: qbo(id),
    number: `CN-${id}`,
    customer: qbo('cust-7'),
    lines: [{ description: 'Goodwill', amount: usd(minor) }],
    total: usd(minor),
    allocations: [{ invoice: qbo(invoiceId), amount: usd(minor) }],
    status: 'applied',
    updatedAt: '2026-12-05T10:00:00.000Z',
  };
}

export function dispute(over: Partial<ChargeDispute> = {}): ChargeDispute {
  return {
    ref: stripeRef('dp_1'),
    chargeId: 'ch_1',
    paymentIntentId: 'pi_1',
    amount: usd(50_000),
    reason: 'product_not_received',
    status: 'needs_response',
    dueBy: '2026-12-20T23:59:59.000Z',
    createdAt: '2026-12-05T12:00:00.000Z',
    ...over,
  };
}

/** The sync tests' clock: shortly after the dates above, so detection sees their payments as recent whatever the real date. */
export const syncClock = () => Date.parse('2026-12-06T12:00:00.000Z');

export function batch(over: Partial<ChangeBatch> = {}): ChangeBatch {
  return { invoices: [], payments: [], creditNotes: [], disputes: [], checkpoint: 'cp-1', backfill: false, ...over };
}

/** The invoice 1001 short-paid: 600.00 of 1,000.00 received. */
export const shortPaid = (checkpoint = 'cp-1') =>
  batch({ invoices: [invoice({ balanceMinor: 40_000 })], payments: [payment('pay-1', 60_000)], checkpoint });

/** The rest arrives: the invoice is paid in full. */
export const cleared = (checkpoint = 'cp-2') =>
  batch({
    invoices: [invoice({ balanceMinor: 0, status: 'paid', updatedAt: '2026-12-10T09:00:00.000Z' })],
    payments: [payment('pay-2', 40_000, { date: '2026-12-10', updatedAt: '2026-12-10T09:00:00.000Z' })],
    checkpoint,
  });
