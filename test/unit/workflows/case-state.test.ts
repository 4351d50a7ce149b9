// The case reducer without a server: money narrows, deadlines move, validators explain themselves.
import { describe, expect, it } from 'vitest';
import * as st from '../../../workflows/dispute-case/state.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';

const at = '2026-12-04T15:00:00.000Z'; // Friday 10:00 New York
const usd = (minor: number) => ({ minor, currency: 'USD' });
const fresh = () => st.scheduleResponse(st.initialState(shortPaymentInput({ learnedAt: at }), at), at, at);
const draft = { subject: 's', text: 't', html: 'h', attachments: [] };

describe('case state', () => {
  it('opens with the paid part and narrows the dispute to the unpaid remainder', () => {
    const s = fresh();
    expect(s.paid).toEqual(usd(60_000));
    expect(s.balance).toEqual(usd(40_000));
    expect(st.view(s).deadlines.map((d) => d.name)).toEqual(['response', 'response_limit']);
    expect(s.timers.filter((t) => t.kind === 'reminder').map((t) => t.key)).toEqual(expect.arrayContaining(['response:day_before', 'response:morning_of']));
  });

  it('walks a draft through approval and sending, and refuses to decide it twice', () => {
    let s = st.addDraft(fresh(), 'first_response', draft, at, st.dueByFor(fresh(), 'first_response', at));
    s = st.applyDraftDecision(s, { kind: 'approve', version: 1, by: 'ana' }, at);
    expect(() => st.assertDecidable(s, { kind: 'reject', version: 1, by: 'bo' })).toThrow('Draft v1 was already approved by ana.');
    s = st.markSent(s, 1, at);
    expect(s.firstResponseSent).toBe(true);
    expect(st.latestDraft(s)).toMatchObject({ state: 'sent', sentAt: at });
  });

  it('states the payment deadline 14 days out on a business day, and 7 days for a final notice', () => {
    const s = fresh();
    const payment = st.dueByFor(s, 'first_response', at)!;
    const final = st.dueByFor(s, 'final_notice', at)!;
    expect(Date.parse(payment) - Date.parse(at)).toBeGreaterThanOrEqual(14 * 86_400_000);
    expect(Date.parse(final) - Date.parse(at)).toBeLessThan(Date.parse(payment) - Date.parse(at));
    expect(st.dueByFor(s, 'receipt', at)).toBeUndefined();
  });

  it('reduces the balance once per credit note and records the concession', () => {
    let s = st.applyCreditNote(fresh(), 'cm-1', usd(15_000), at);
    s = st.applyCreditNote(s, 'cm-1', usd(15_000), at);
    expect(s.balance).toEqual(usd(25_000));
    expect(s.conceded).toEqual(usd(15_000));
  });

  it('treats a voided invoice as nothing left to collect', () => {
    const s = st.applyLedgerEvent(fresh(), { kind: 'invoice_changed', balance: usd(40_000), total: usd(100_000), status: 'void' }, at);
    expect(st.balanceCleared(s)).toBe(true);
  });

  it('shifts only ledger-dependent clocks by the time the connection was down', () => {
    let s = st.schedulePayment(fresh(), at, at, 'payment');
    const before = s.deadlines.payment!;
    const response = s.deadlines.response!;
    s = st.applyLedgerEvent(s, { kind: 'connection_broken', reason: 'invalid_grant' }, at);
    s = st.applyLedgerEvent(s, { kind: 'connection_restored' }, '2026-12-07T15:00:00.000Z');
    expect(Date.parse(s.deadlines.payment!) - Date.parse(before)).toBe(3 * 86_400_000);
    expect(s.deadlines.response).toBe(response);
  });

  it('adds an uploaded document once, for later letters and the evidence pack', () => {
    const doc = { id: 'd-photo', kind: 'photo' as const, name: 'Installed signage.jpg' };
    const s = st.addDocument(st.addDocument(fresh(), doc, at), doc, at);
    expect(s.documents.filter((d) => d.id === 'd-photo')).toHaveLength(1);
    expect(s.timeline.at(-1)!.summary).toBe('Document added: Installed signage.jpg');
  });

  it('closes once and ignores status changes after closing', () => {
    const s = st.applyClose(fresh(), { kind: 'write_off', by: 'ana' }, at);
    expect(s.status).toBe('written_off');
    expect(st.withStatus(s, 'awaiting_payment').status).toBe('written_off');
    expect(() => st.assertClose(s, { kind: 'resolved', by: 'ana' })).toThrow('already closed');
  });
});
