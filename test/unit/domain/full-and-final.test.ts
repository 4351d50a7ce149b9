import { describe, expect, it } from 'vitest';
import { classifyMemo, classifyPayment } from '../../../src/domain/full-and-final.js';

const flagged: readonly string[] = [
  'Paid in full',
  'PAID IN FULL',
  'paid-in-full',
  'Inv 1042 - paid in full, thanks',
  'Payment in full for INV-0042',
  'payment in full.',
  'Full and final payment',
  'FULL AND FINAL SETTLEMENT',
  'Full & final settlement of account',
  'full&final',
  'F&F',
  'f & f inv 88',
  'Full n final',
  'full/final payment',
  'Final payment',
  'final payment - kitchen reno',
  'Final pmt inv 2231',
  'final pymt',
  'Full settlement',
  'In full settlement of invoice #1042',
  'In full satisfaction of all claims',
  'Accepted as full payment',
  'accepted as full pmt',
  'PIF',
  'Inv 77 PIF',
  'P.I.F.',
  'Pd in full',
  'pd in ful',
  'Finel payment',
  'full and finel',
  'Paid in ful',
  'Full payement',
  'full setlement',
  'Full and final settelment',
  'in full satisfacton',
  'Payment in settlement of invoice 1042',
  'Accord and satisfaction',
  'INV1042 fully paid',
  'Settled in full',
  'Full and final payment — no further amounts owed',
  'Fullandfinal',
  'Paidinfull',
  'Invoice 1042 in full',
  'Full & Final Pymt',
  'Without prejudice - full and final settlement',
  'Final & full payment',
  'Réglé: paid in full',
  'Payment in full and final settlement; balance disputed',
];

const notFlagged: readonly string[] = [
  'Partial payment',
  'partial payment inv 1042',
  'Not payment in full',
  'This is not payment in full',
  'First instalment',
  '1st installment of 3',
  'Not a final payment',
  'not the full and final settlement',
  'Part payment',
  'Part pmt INV-88',
  'Towards invoice 1042',
  'Payment towards full settlement',
  'Partially paid in full view of dispute',
  'Deposit',
  'Inv 1042',
  'INV-0042 / ACME',
  'Payment for final invoice',
  'Final milestone payment',
  'Bank transfer ref 8831',
  'Progress payment 2',
  'On account',
  'Final payment to follow',
  'Full payment to follow next week',
  'Balance to follow',
  'Payment 2 of 3',
  'Thanks for your patience',
  'Fuel surcharge',
  'Full service',
  'Half now, half on completion',
  'Stripe payout po_1234',
  'Partial - disputing line 3',
  'Not paid in full, remainder pending review',
  'no PIF',
  '',
  'Retainer May',
  'Partial settlement',
];

describe('classifyMemo flags full-and-final wording', () => {
  it.each(flagged)('%j -> high', (memo) => {
    expect(classifyMemo(memo).risk).toBe('high');
  });
});

describe('classifyMemo leaves partial and neutral wording alone', () => {
  it.each(notFlagged)('%j -> none', (memo) => {
    expect(classifyMemo(memo)).toEqual({ risk: 'none' });
  });
});

describe('classifyMemo details', () => {
  it('reports the canonical phrase that matched', () => {
    expect(classifyMemo('Full & Final pymt')).toEqual({ risk: 'high', matched: 'full and final' });
    expect(classifyMemo('ACCEPTED AS FULL PMT')).toEqual({ risk: 'high', matched: 'accepted as full payment' });
  });

  it('treats a missing memo as no risk', () => {
    expect(classifyMemo(undefined)).toEqual({ risk: 'none' });
  });

  it('does not trip over words that are properties of Object.prototype', () => {
    expect(classifyMemo('constructor toString __proto__')).toEqual({ risk: 'none' });
  });

  it('scans the reference when the memo is clean', () => {
    expect(classifyPayment({ memo: 'Inv 1042', reference: 'PIF' })).toEqual({
      risk: 'high',
      matched: 'pif',
      text: 'PIF',
    });
    expect(classifyPayment({ memo: 'Inv 1042' })).toEqual({ risk: 'none' });
  });
});
