// The one account of a case's money: whatever happens, in any order, total = paid + credited + written off + owed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseAccount, creditNoteLabel, type AccountFacts } from '../../../src/domain/account.js';
import { money } from '../../../src/domain/money.js';

// Zero-decimal (JPY), two-decimal (USD, EUR) and three-decimal (KWD, BHD) currencies.
const currency = fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'BHD');
const amount = fc.integer({ min: 1, max: 5_000_000 });

type Op =
  | { kind: 'pay'; minor: number }
  | { kind: 'reverse'; index: number }
  | { kind: 'credit'; minor: number }
  | { kind: 'void_credit'; index: number }
  | { kind: 'write_off'; minor: number }
  | { kind: 'object'; minor: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  amount.map((minor) => ({ kind: 'pay' as const, minor })),
  fc.nat(20).map((index) => ({ kind: 'reverse' as const, index })),
  amount.map((minor) => ({ kind: 'credit' as const, minor })),
  fc.nat(20).map((index) => ({ kind: 'void_credit' as const, index })),
  amount.map((minor) => ({ kind: 'write_off' as const, minor })),
  fc.nat(5_000_000).map((minor) => ({ kind: 'object' as const, minor })),
);

/** Plays a sequence of ledger events into account facts, as the case reducer does. */
function play(c: string, total: number, ops: readonly Op[]): AccountFacts {
  const m = (minor: number) => money(minor, c);
  let facts: AccountFacts = { total: m(total), payments: [], credits: [], writeOffs: [] };
  ops.forEach((o, i) => {
    const at = `2026-12-${String((i % 27) + 1).padStart(2, '0')}`;
    if (o.kind === 'pay')
      facts = { ...facts, payments: [...facts.payments, { ref: `p${i}`, amount: m(o.minor), date: at }] };
    if (o.kind === 'reverse' && facts.payments.length) {
      const target = facts.payments[o.index % facts.payments.length]!;
      facts = { ...facts, payments: facts.payments.map((p) => (p === target ? { ...p, reversed: true } : p)) };
    }
    if (o.kind === 'credit')
      facts = { ...facts, credits: [...facts.credits, { ref: `c${i}`, number: `CN-${i}`, amount: m(o.minor), at }] };
    if (o.kind === 'void_credit' && facts.credits.length) {
      const target = facts.credits[o.index % facts.credits.length]!;
      facts = { ...facts, credits: facts.credits.map((x) => (x === target ? { ...x, reversed: true } : x)) };
    }
    if (o.kind === 'write_off')
      facts = { ...facts, writeOffs: [...facts.writeOffs, { amount: m(o.minor), at, by: 'owner' }] };
    if (o.kind === 'object') facts = { ...facts, contested: m(o.minor) };
  });
  return facts;
}

describe('the case account', () => {
  it('always adds up: total = paid + credited + written off + still owed, in every currency and order', () => {
    fc.assert(
      fc.property(currency, amount, fc.array(op, { maxLength: 30 }), (c, total, ops) => {
        const a = caseAccount(play(c, total, ops));
        expect(a.paid.minor + a.credited.minor + a.writtenOff.minor + a.stillOwed.minor).toBe(a.total.minor);
        for (const figure of [a.paid, a.credited, a.writtenOff, a.stillOwed, a.inDispute])
          expect(figure.currency).toBe(c);
      }),
    );
  });

  it('counts only live payments as paid and only live credit notes as credited, never one as the other', () => {
    fc.assert(
      fc.property(currency, amount, fc.array(op, { maxLength: 30 }), (c, total, ops) => {
        const facts = play(c, total, ops);
        const a = caseAccount(facts);
        expect(a.paid.minor).toBe(facts.payments.filter((p) => !p.reversed).reduce((s, p) => s + p.amount.minor, 0));
        expect(a.credited.minor).toBe(facts.credits.filter((x) => !x.reversed).reduce((s, x) => s + x.amount.minor, 0));
        expect(a.payments.every((p) => facts.payments.some((q) => q.ref === p.ref))).toBe(true);
        expect(a.credits.every((x) => x.ref.startsWith('c'))).toBe(true);
      }),
    );
  });

  it('keeps what is in dispute between zero and what is still owed, and settles only when nothing is owed', () => {
    fc.assert(
      fc.property(currency, amount, fc.array(op, { maxLength: 30 }), (c, total, ops) => {
        const a = caseAccount(play(c, total, ops));
        expect(a.inDispute.minor).toBeGreaterThanOrEqual(0);
        expect(a.inDispute.minor).toBeLessThanOrEqual(Math.max(0, a.stillOwed.minor));
        expect(a.settled).toBe(a.stillOwed.minor <= 0);
      }),
    );
  });

  it('reads the seed example: $1,000 invoice, $600 paid, one $100 line conceded', () => {
    const usd = (minor: number) => money(minor, 'USD');
    const a = caseAccount({
      total: usd(100_000),
      payments: [{ ref: 'p1', amount: usd(60_000), date: '2026-12-01' }],
      credits: [{ ref: '3', number: '1042', amount: usd(10_000), at: '2026-12-05T10:00:00Z', ours: true }],
      writeOffs: [],
    });
    expect(a).toMatchObject({
      paid: usd(60_000),
      credited: usd(10_000),
      writtenOff: usd(0),
      stillOwed: usd(30_000),
      inDispute: usd(30_000),
      settled: false,
    });
    expect(creditNoteLabel(a.credits[0]!)).toBe('credit note 1042');
  });
});
