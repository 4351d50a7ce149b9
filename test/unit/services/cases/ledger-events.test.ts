// Which signals bring a running case up to date, and that a fact already told is never told again.
import { describe, expect, it } from 'vitest';
import {
  disputeCaseEvents,
  factsInInput,
  invoiceCaseEvents,
  invoiceKey,
} from '../../../../src/services/cases/ledger-events.js';
import { touchedInvoiceIds } from '../../../../src/services/sync/touched.js';
import { creditNote, dispute, invoice, payment, qbo, usd } from '../../../integration/sync/fixtures.js';

describe('case signals from the ledger', () => {
  const first = payment('pay-1', 60_000);
  const split = payment('pay-2', 30_000, {
    applications: [
      { invoice: qbo('inv-1001'), amount: usd(10_000) },
      { invoice: qbo('inv-2'), amount: usd(20_000) },
    ],
  });

  it('reports each new payment with what it paid on this invoice and the current balance', () => {
    const ledger = { invoice: invoice({ balanceMinor: 30_000 }), payments: [first, split], creditNotes: [] };
    const events = invoiceCaseEvents(ledger, ['payment/pay-1']);
    expect(events).toEqual([
      {
        key: 'payment/pay-2',
        alsoMarks: [invoiceKey(ledger.invoice)],
        event: {
          kind: 'payment_applied',
          payment: { ref: qbo('pay-2'), amount: usd(10_000), date: '2026-12-04', memo: 'Thanks' },
          balance: usd(30_000),
        },
      },
    ]);
  });

  it('reports a changed invoice once when no payment explains it, and credit notes as seen', () => {
    const ledger = {
      invoice: invoice({ balanceMinor: 35_000, updatedAt: '2026-12-05T10:00:00.000Z' }),
      payments: [first],
      creditNotes: [creditNote('cn-1', 5_000)],
    };
    const told = factsInInput({ ...ledger, invoice: invoice({ balanceMinor: 40_000 }), creditNotes: [] });
    const events = invoiceCaseEvents(ledger, told);
    expect(events.map((e) => e.event)).toEqual([
      { kind: 'credit_note_seen', ref: qbo('cn-1'), amount: usd(5_000), number: 'CN-cn-1' },
      { kind: 'invoice_changed', balance: usd(35_000), total: usd(100_000), status: 'open' },
    ]);
    expect(invoiceCaseEvents(ledger, [...told, ...events.map((e) => e.key)])).toEqual([]);
  });

  it('reports a credit QuickBooks applied through a payment record as a credit note, never as a payment', () => {
    // The $0 Payment QuickBooks writes when a credit memo is applied: its invoice line is funded by the memo.
    const applied = {
      ...payment('pay-cm', 0),
      applications: [{ invoice: qbo('inv-1001'), amount: usd(5_000), creditNoteId: 'cm-3' }],
    };
    const memo = { ...creditNote('cm-3', 5_000), number: '1042', allocations: [] };
    const ledger = { invoice: invoice({ balanceMinor: 35_000 }), payments: [first, applied], creditNotes: [memo] };
    const told = factsInInput({
      ...ledger,
      invoice: invoice({ balanceMinor: 40_000 }),
      payments: [first],
      creditNotes: [],
    });
    const events = invoiceCaseEvents(ledger, told).map((e) => e.event);
    expect(events).toEqual([
      { kind: 'credit_note_seen', ref: qbo('cm-3'), amount: usd(5_000), number: '1042' },
      { kind: 'invoice_changed', balance: usd(35_000), total: usd(100_000), status: 'open' },
    ]);
  });

  it('reports a payment the case was told of and the ledger then voided as reversed, once', () => {
    const ledger = {
      invoice: invoice({ balanceMinor: 100_000 }),
      payments: [payment('pay-1', 60_000, { status: 'voided' })],
      creditNotes: [],
    };
    const events = invoiceCaseEvents(ledger, ['payment/pay-1']);
    expect(events.map((e) => e.event)).toEqual([
      { kind: 'payment_reversed', ref: qbo('pay-1'), balance: usd(100_000) },
    ]);
    expect(invoiceCaseEvents(ledger, ['payment/pay-1', ...events.flatMap((e) => [e.key, ...e.alsoMarks])])).toEqual([]);
  });

  it('reports a voided invoice, and ignores voided payments', () => {
    const voided = {
      invoice: invoice({ balanceMinor: 0, status: 'void', updatedAt: '2026-12-07T00:00:00.000Z' }),
      payments: [payment('pay-9', 1_000, { status: 'voided' })],
      creditNotes: [],
    };
    expect(invoiceCaseEvents(voided, []).map((e) => e.event)).toEqual([
      { kind: 'invoice_changed', balance: usd(0), total: usd(100_000), status: 'void' },
    ]);
  });

  it('reports a Stripe dispute status once per status and deadline', () => {
    const dp = dispute({ status: 'under_review' });
    expect(disputeCaseEvents(dp, 'conn-stripe', [])).toEqual([
      {
        key: 'stripe/under_review/2026-12-20T23:59:59.000Z',
        alsoMarks: [],
        event: {
          status: 'under_review',
          dueBy: '2026-12-20T23:59:59.000Z',
          dispute: {
            dispute: dp.ref,
            chargeId: dp.chargeId,
            amount: dp.amount,
            reason: dp.reason,
            dueBy: dp.dueBy,
            connectionId: 'conn-stripe',
          },
        },
      },
    ]);
    expect(disputeCaseEvents(dp, 'conn-stripe', ['stripe/under_review/2026-12-20T23:59:59.000Z'])).toEqual([]);
  });

  it('counts as touched every invoice a payment or credit note in the batch applies to', () => {
    expect(
      touchedInvoiceIds({
        invoices: [invoice()],
        payments: [split],
        creditNotes: [creditNote('cn-1', 1, 'inv-3')],
      }).sort(),
    ).toEqual(['inv-1001', 'inv-2', 'inv-3']);
  });
});
