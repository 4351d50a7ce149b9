// A case's figures as the owner reads them: a chargeback's charge was paid by card and is held by the processor.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseAccount, ownerFigures, projectedFigures } from '../../../src/domain/account.js';
import { money } from '../../../src/domain/money.js';
import * as st from '../../../workflows/dispute-case/state.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';

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
    expect(ownerFigures(a)).toEqual({ paid: usd(250_000), held: usd(250_000), stillOwed: usd(0), inDispute: usd(0) });
  });

  it('keeps what the client still owes outside the chargeback owed', () => {
    const a = caseAccount({
      total: usd(100_000),
      payments: [{ ref: 'py_1', amount: usd(60_000), date: '2026-12-01' }, chargeback(60_000)],
      credits: [],
      writeOffs: [],
    });
    expect(ownerFigures(a)).toEqual({
      paid: usd(60_000),
      held: usd(60_000),
      stillOwed: usd(40_000),
      inDispute: usd(40_000),
    });
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

// The case's own account through a chargeback's life: open (held), won (returned), lost (back to the cardholder), with
// the owner writing off what is left at any point. Every figure adds up, and money is held only while it is open.
describe('ownerFigures through a chargeback and a write-off', () => {
  const at = '2026-12-07T12:00:00.000Z';
  const disputed = (s: st.CaseState, minor: number) =>
    st.applyChargebackStatus(
      s,
      {
        status: 'needs_response',
        dueBy: '2026-12-20T23:59:59.000Z',
        dispute: {
          dispute: { provider: 'stripe', accountId: 'acct_1', id: 'dp_1' },
          chargeId: 'ch_1',
          amount: usd(minor),
          reason: 'fraudulent',
        },
      },
      at,
    );
  const opened = (total: number, paid: number) =>
    st.initialState(
      shortPaymentInput({
        invoice: { ...shortPaymentInput().invoice!, total: usd(total), balance: usd(total - paid) },
        payments: paid
          ? [
              {
                ref: { provider: 'quickbooks', accountId: 'realm-1', id: 'pay-1' },
                amount: usd(paid),
                date: '2026-12-04',
              },
            ]
          : [],
      }),
      at,
    );
  const addsUp = (s: st.CaseState, total: number) => {
    const a = st.account(s);
    const f = ownerFigures(a);
    expect(f.paid.minor + a.credited.minor + a.writtenOff.minor + f.stillOwed.minor).toBe(total);
    expect(f.held.minor).toBeLessThanOrEqual(f.paid.minor);
    const { inDispute, ...rest } = f;
    expect(inDispute.minor).toBeLessThanOrEqual(f.stillOwed.minor);
    return { ...rest, writtenOff: a.writtenOff };
  };

  it('a lost chargeback, written off by the processor, is no longer held or paid: 1000 written off, nothing else', () => {
    const lost = st.applyChargebackStatus(disputed(opened(100_000, 100_000), 100_000), { status: 'lost' }, at);
    const closed = st.applyClose(lost, { kind: 'write_off', by: 'stripe', note: 'chargeback lost' }, at);
    expect(addsUp(closed, 100_000)).toEqual({
      paid: usd(0),
      held: usd(0),
      stillOwed: usd(0),
      writtenOff: usd(100_000),
    });
  });

  it('writing off a case while its chargeback is open writes off only what the client still owes, not what is held', () => {
    const open = disputed(opened(100_000, 60_000), 60_000);
    const closed = st.applyClose(open, { kind: 'write_off', by: 'ana' }, at, true);
    expect(addsUp(closed, 100_000)).toEqual({
      paid: usd(60_000),
      held: usd(60_000),
      stillOwed: usd(0),
      writtenOff: usd(40_000),
    });
  });

  it('gives the dashboard, the case list and the CSV the figures the case page shows: held money is not owed', () => {
    // A short payment (400 of 1000 unpaid) and a chargeback of the 600 paid by card.
    const s = disputed(opened(100_000, 60_000), 60_000);
    const page = ownerFigures(st.account(s));
    expect(page).toEqual({ paid: usd(60_000), held: usd(60_000), stillOwed: usd(40_000), inDispute: usd(40_000) });
    const standing = st.standing(s, at);
    expect(standing.outstanding).toEqual(usd(40_000)); // the dashboard's Still owed and the list's filter
    expect(standing.inDispute).toEqual(usd(40_000));
    const listed = projectedFigures({ currency: 'USD', paidMinor: 0, owedMinor: st.owed(s).minor, standing });
    expect(listed).toEqual(page);
  });

  it('adds up for any payment, chargeback, outcome and write-off', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('open', 'won', 'lost', 'under_review', 'none'),
        fc.boolean(),
        (total, paidPercent, heldPercent, outcome, writeOff) => {
          const paid = Math.floor((total * paidPercent) / 100);
          const charged = Math.floor((paid * heldPercent) / 100);
          let s = opened(total, paid);
          if (outcome !== 'none' && charged > 0) {
            s = disputed(s, charged);
            if (outcome !== 'open') s = st.applyChargebackStatus(s, { status: outcome }, at);
          }
          const open = st.chargebackOpen(s);
          if (writeOff && !st.isClosed(s)) s = st.applyClose(s, { kind: 'write_off', by: 'ana' }, at, true);
          const f = addsUp(s, total);
          expect(f.held.minor).toBe(open ? charged : 0);
          if (writeOff) expect(f.stillOwed.minor).toBe(0);
          if (outcome === 'lost' && charged > 0) expect(f.paid.minor).toBe(paid - charged);
        },
      ),
    );
  });
});
