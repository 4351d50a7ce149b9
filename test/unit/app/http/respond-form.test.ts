// The client's answer as the response page posts it (src/app/http/respond/form.ts).
import { describe, expect, it } from 'vitest';
import { clientAnswer, NAME_WHAT } from '../../../../src/app/http/respond/form.js';

const lines = ['l1', 'l2', 'l3'];
const total = { minor: 100_000, currency: 'USD' };

describe('the client response form', () => {
  it('takes named lines, a reason, the figures and an exact amount accepted', () => {
    expect(
      clientAnswer(
        {
          answer: 'dispute',
          lines: ['l3', 'l3', 'nope'],
          reason: 'quantity',
          accepts: '$1,250.50',
          expected: ' 2 signs ',
        },
        lines,
        { minor: 200_000, currency: 'USD' },
      ),
    ).toEqual({
      ok: true,
      value: { kind: 'objection', lineIds: ['l3'], reason: 'quantity', expected: '2 signs', acceptsMinor: 125_050 },
    });
  });

  it('reads "the whole invoice" as every line', () => {
    const a = clientAnswer({ answer: 'dispute', whole: 'yes', reason: 'not_delivered' }, lines, total);
    expect(a.ok && a.value.kind === 'objection' && a.value.lineIds).toEqual(lines);
  });

  it('asks for a line and a reason when the client names neither, or gives "other" with no words', () => {
    expect(clientAnswer({ answer: 'dispute', message: 'not happy' }, lines, total)).toEqual({
      ok: false,
      message: NAME_WHAT,
    });
    expect(clientAnswer({ answer: 'dispute', lines: 'l1' }, lines, total)).toEqual({ ok: false, message: NAME_WHAT });
    expect(clientAnswer({ answer: 'dispute', lines: 'l1', reason: 'other' }, lines, total).ok).toBe(false);
  });

  it('refuses a decimal comma, words, and an amount above the invoice total', () => {
    expect(
      clientAnswer({ answer: 'dispute', lines: 'l1', reason: 'rate', accepts: '250,50' }, lines, total),
    ).toMatchObject({ ok: false, message: expect.stringContaining('Write it as 250.00') });
    expect(clientAnswer({ answer: 'dispute', lines: 'l1', reason: 'rate', accepts: 'lots' }, lines, total).ok).toBe(
      false,
    );
    expect(clientAnswer({ answer: 'dispute', lines: 'l1', reason: 'rate', accepts: '1000.01' }, lines, total).ok).toBe(
      false,
    );
  });

  it('takes an acceptance with an optional message', () => {
    expect(clientAnswer({ answer: 'accept', message: 'Paying Friday' }, lines, total)).toEqual({
      ok: true,
      value: { kind: 'accepts', message: 'Paying Friday' },
    });
  });
});
