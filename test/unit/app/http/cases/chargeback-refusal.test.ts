// Which short-payment actions a chargeback case refuses: decided from what the case owes now, never from its kind.
import { describe, expect, it } from 'vitest';
import { caseAccount, type CaseStanding } from '../../../../../src/domain/account.js';
import { money } from '../../../../../src/domain/money.js';
import { chargebackAlone } from '../../../../../src/app/http/cases/case-model.js';
import { chargebackRefusal } from '../../../../../src/app/http/cases/case-routes.js';

const usd = (minor: number) => money(minor, 'USD');
const charged = (paidByCard: number, total: number) =>
  caseAccount({
    total: usd(total),
    payments: [
      { ref: 'py_1', amount: usd(paidByCard), date: '2026-12-01' },
      { ref: 'dp_1', amount: usd(-paidByCard), date: '2026-12-05', held: true },
    ],
    credits: [],
    writeOffs: [],
  });
const standing = (outstanding: number, held?: number): CaseStanding => ({
  currency: 'USD',
  openedOn: '2026-12-05',
  openedFor: usd(outstanding),
  outstanding: usd(outstanding),
  inDispute: usd(0),
  recovered: usd(0),
  conceded: usd(0),
  writtenOff: usd(0),
  ...(held ? { held: usd(held) } : {}),
  recoveries: [],
});

describe('chargebackRefusal', () => {
  const none = { standing: null };
  it('refuses the short-payment tools while Stripe holds the money and the client owes nothing else', () => {
    const view = { account: charged(250_000, 250_000) };
    expect(chargebackAlone(none, view)).toBe(true);
    for (const action of ['objection', 'decision', 'write_off', 'pack'] as const)
      expect(chargebackRefusal(none, view, action)).toMatchObject({ ok: false });
    expect(chargebackRefusal(none, view, 'write_off')).toMatchObject({
      message: expect.stringMatching(/^Nothing is owed on this chargeback/),
    });
  });

  it('refuses nothing when the client still owes a balance beside the chargeback', () => {
    const view = { account: charged(99_000, 100_000) };
    expect(chargebackAlone(none, view)).toBe(false);
    for (const action of ['objection', 'decision', 'write_off', 'pack'] as const)
      expect(chargebackRefusal(none, view, action)).toBeUndefined();
  });

  it('refuses nothing once the chargeback is decided (nothing held)', () => {
    const won = caseAccount({
      total: usd(100_000),
      payments: [{ ref: 'py_1', amount: usd(60_000), date: '2026-12-01' }],
      credits: [],
      writeOffs: [],
    });
    expect(chargebackRefusal(none, { account: won }, 'write_off')).toBeUndefined();
  });

  it('never refuses a decision on an objection the case holds', () => {
    const view = {
      account: charged(250_000, 250_000),
      objection: { kind: 'specific', summary: 'Travel', lineIds: ['2'], at: '2026-12-06T10:00:00Z' },
    } as unknown as Parameters<typeof chargebackRefusal>[1];
    expect(chargebackRefusal(none, view, 'decision')).toBeUndefined();
    expect(chargebackRefusal(none, view, 'pack')).toMatchObject({ ok: false });
  });

  it("reads the case's last projection when the workflow cannot answer", () => {
    expect(chargebackRefusal({ standing: standing(0, 250_000) }, undefined, 'write_off')).toMatchObject({ ok: false });
    expect(chargebackRefusal({ standing: standing(1_000, 99_000) }, undefined, 'write_off')).toBeUndefined();
    expect(chargebackRefusal({ standing: standing(40_000) }, undefined, 'objection')).toBeUndefined();
    expect(chargebackRefusal(none, undefined, 'objection')).toBeUndefined();
  });
});
