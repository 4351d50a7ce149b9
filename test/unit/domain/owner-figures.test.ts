// A case's figures as the owner reads them: a chargeback's charge was paid by card and is held by the processor.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseAccount, ownerFigures } from '../../../src/domain/account.js';
import { money } from '../../../src/domain/money.js';

const usd = (minor: number) => money(minor, 'USD');
const chargeback = (minor: number) => ({ ref: 'dp_1', amount: usd(-minor), date: '2026-12-07', held: true });

describe('ownerFigures', () => {
  it('reads a paid invoice charged back as paid, held by the processor, nothing still owed', () => {
    const a = caseAccount({
      total: usd(250_000),
      payments: [{ ref: 'py_1', amount: usd(250_000), date: '2026-12-01' }, chargeback(250_000)],
      credits: [],
      writeOffs: [],
    });
    expect(a.held).toEqual(usd(250_000));
    expect(ownerFigures(a)).toEqual({ paid: usd(250_000), held: usd(250_000), stillOwed: usd(0) });
  });

  it('keeps what the client still owes outside the chargeback owed', () => {
    const a = caseAccount({
      total: usd(100_000),
      payments: [{ ref: 'py_1', amount: usd(60_000), date: '2026-12-01' }, chargeback(60_000)],
      credits: [],
      writeOffs: [],
    });
    expect(ownerFigures(a)).toEqual({ paid: usd(60_000), held: usd(60_000), stillOwed: usd(40_000) });
    expect(a.inDispute).toEqual(usd(100_000)); // the 400 short and the 600 Stripe holds
  });

  it('adds up: total = paid + credited + written off + still owed, with held part of paid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (total, paidRaw, heldPercent, creditRaw) => {
          const paid = Math.min(paidRaw, total);
          const held = Math.floor((paid * heldPercent) / 100);
          const credited = Math.min(creditRaw, total - paid);
          const a = caseAccount({
            total: usd(total),
            payments: [{ ref: 'py', amount: usd(paid), date: '2026-12-01' }, ...(held ? [chargeback(held)] : [])],
            credits: credited ? [{ ref: 'cn', amount: usd(credited), at: '2026-12-02T00:00:00Z' }] : [],
            writeOffs: [],
          });
          const f = ownerFigures(a);
          expect(f.paid.minor + a.credited.minor + a.writtenOff.minor + f.stillOwed.minor).toBe(total);
          expect(f.held.minor).toBe(held);
          expect(f.held.minor).toBeLessThanOrEqual(f.paid.minor);
        },
      ),
    );
  });
});
