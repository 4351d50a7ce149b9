// A case's figures as the owner reads them: a chargeback's charge was paid by card and is held by the processor.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseAccount, caseStanding, inDisputeOf, ownerFigures, projectedFigures } from '../../../src/domain/account.js';
import { portfolio } from '../../../src/domain/portfolio.js';
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
    // Nothing is owed, and all the money Stripe holds is in dispute: the cardholder disputes it.
    expect(ownerFigures(a)).toEqual({
      paid: usd(250_000),
      held: usd(250_000),
      stillOwed: usd(0),
      contested: usd(0),
      inDispute: usd(250_000),
    });
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
      contested: usd(40_000),
      inDispute: usd(100_000),
    });
    expect(a.inDispute).toEqual(usd(40_000)); // what the client contests: the 400 short, not the 600 Stripe holds
  });

  it('keeps the lines a client contests in dispute when the card payment is then charged back', () => {
    // Invoice 1,000, 600 paid by card, the client contests lines worth 300, then the 600 is charged back.
    const a = caseAccount({
      total: usd(100_000),
      payments: [{ ref: 'py_1', amount: usd(60_000), date: '2026-12-01' }, chargeback(60_000)],
      credits: [],
      writeOffs: [],
      contested: usd(30_000),
    });
    expect(ownerFigures(a)).toEqual({
      paid: usd(60_000),
      held: usd(60_000),
      stillOwed: usd(40_000),
      contested: usd(30_000),
      inDispute: usd(90_000),
    });
  });

  it('adds up with named lines and a hold: contested is what the client contests of what they owe, plus the hold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (total, paidPercent, heldPercent, creditRaw, linesRaw) => {
          const paid = Math.floor((total * paidPercent) / 100);
          const held = Math.floor((paid * heldPercent) / 100);
          const credited = Math.min(creditRaw, total - paid);
          const lines = Math.min(linesRaw, total);
          const a = caseAccount({
            total: usd(total),
            payments: [{ ref: 'py', amount: usd(paid), date: '2026-12-01' }, ...(held ? [chargeback(held)] : [])],
            credits: credited ? [{ ref: 'cn', amount: usd(credited), at: '2026-12-02T00:00:00Z' }] : [],
            writeOffs: [],
            contested: usd(lines),
          });
          const f = ownerFigures(a);
          const owedByClient = total - paid - credited;
          expect(f.paid.minor + a.credited.minor + a.writtenOff.minor + f.stillOwed.minor).toBe(total);
          expect(f.stillOwed.minor).toBe(owedByClient);
          expect(f.contested.minor).toBe(Math.min(lines, owedByClient));
          expect(f.inDispute.minor).toBe(f.contested.minor + held);
          expect(a.inDispute).toEqual(f.contested);
          // What a projected standing stores, and what the dashboard and the list read back from it.
          const opening = caseAccount({ total: usd(total), payments: [], credits: [], writeOffs: [] });
          const standing = caseStanding(opening, a, '2026-12-01', '2026-12-07');
          expect(standing.inDispute).toEqual(f.contested);
          expect(inDisputeOf(standing)).toEqual(f.inDispute);
          const listed = projectedFigures({
            currency: 'USD',
            paidMinor: paid - held,
            owedMinor: Math.max(0, a.stillOwed.minor),
            standing,
          });
          expect(listed).toEqual({ ...f, paid: listed.paid });
          expect(listed.inDispute).toEqual(f.inDispute);
        },
      ),
    );
  });

  it('reads an account from a release that counted the hold in what the client contests the same way', () => {
    // A worker of the release before answered the case page with the hold inside inDispute (no lines named).
    const older = { paid: usd(0), stillOwed: usd(100_000), held: usd(60_000), inDispute: usd(100_000) };
    expect(ownerFigures(older)).toMatchObject({
      stillOwed: usd(40_000),
      contested: usd(40_000),
      inDispute: usd(100_000),
    });
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
    const { inDispute, contested, ...rest } = f;
    expect(contested.minor).toBeLessThanOrEqual(f.stillOwed.minor);
    expect(inDispute.minor).toBe(contested.minor + f.held.minor);
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
    expect(page).toEqual({
      paid: usd(60_000),
      held: usd(60_000),
      stillOwed: usd(40_000),
      contested: usd(40_000),
      inDispute: usd(100_000),
    });
    const standing = st.standing(s, at);
    expect(standing.outstanding).toEqual(usd(40_000)); // the dashboard's Still owed and the list's filter
    expect(standing.inDispute).toEqual(usd(40_000)); // what the client contests, as projected standings store it
    expect(inDisputeOf(standing)).toEqual(usd(100_000)); // the dashboard's In dispute and the list's filter
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

// The owner's dashboard with a short payment and a chargeback open together: the In dispute tile, the month's Disputed
// column, the case list's rows and the CSV read the same money, and it adds up.
describe('the dashboard with a short payment and a chargeback open together', () => {
  const at = '2026-12-07T12:00:00.000Z';
  const ref = (id: string) => ({ provider: 'quickbooks', accountId: 'realm-1', id });
  // Invoice of 1,000.00 paid 600.00: 400.00 short.
  const short = st.initialState(shortPaymentInput(), at);
  // Invoice of 2,500.00 paid by card, then charged back: Stripe holds the 2,500.00.
  const charged = st.initialState(
    shortPaymentInput({
      caseId: 'case-cb',
      invoice: { ...shortPaymentInput().invoice!, total: usd(250_000), balance: usd(0) },
      payments: [{ ref: ref('pay-cb'), amount: usd(250_000), date: '2026-12-01' }],
      chargeback: {
        dispute: { provider: 'stripe', accountId: 'acct_1', id: 'dp_1' },
        chargeId: 'ch_1',
        dueBy: '2026-12-14T23:59:59.000Z',
        amount: usd(250_000),
        reason: 'product_not_received',
        status: 'needs_response',
      },
    }),
    at,
  );

  it('gives the tile, the month and the list the same in dispute: 400.00 contested and 2,500.00 held', () => {
    const standings = [short, charged].map((s) => st.standing(s, at));
    const p = portfolio(
      standings.map((standing, i) => ({ id: `c${i}`, status: 'awaiting_approval', closed: false, standing })),
      Date.parse(at),
    );
    const usdTotals = p.totals[0]!;
    expect(usdTotals.outstanding).toEqual(usd(40_000)); // Stripe's hold is not owed by the client
    expect(usdTotals.inDispute).toEqual(usd(290_000));
    expect(usdTotals.held).toEqual(usd(250_000));
    expect(usdTotals.counts.inDispute).toBe(2);
    // The month's Disputed column: what the two cases opened for, the same money while nothing has moved.
    expect(p.months.USD).toEqual([{ month: '2026-12', disputed: usd(290_000), recovered: usd(0) }]);
    // The case list and the CSV: each row's in dispute, from its projection, adds up to the tile.
    const rows = [short, charged].map((s, i) =>
      projectedFigures({ currency: 'USD', paidMinor: 0, owedMinor: st.owed(s).minor, standing: standings[i] }),
    );
    expect(rows.map((r) => r.inDispute)).toEqual([usd(40_000), usd(250_000)]);
    expect(rows.reduce((n, r) => n + r.inDispute.minor, 0)).toBe(usdTotals.inDispute.minor);
    // The case page of each reads the same as its row.
    expect([short, charged].map((s) => ownerFigures(st.account(s)).inDispute)).toEqual(rows.map((r) => r.inDispute));
  });
});
