// The reply-triage rules one at a time, on small invoices built here (the corpus is measured in
// reply-triage.corpus.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../../src/domain/decimal.js';
import type { InvoiceLine } from '../../../src/domain/model.js';
import { money, parseDecimal, toDecimalString, type Money } from '../../../src/domain/money.js';
import { ownWords, triageReply, wordsToDigits, type ReplyTriage } from '../../../src/domain/reply-triage.js';

function line(id: string, description: string, quantity: string, unitPrice: string, currency = 'USD'): InvoiceLine {
  const price = parseDecimal(unitPrice, currency);
  const amount = parseDecimal(new Dec(quantity).times(unitPrice).toString(), currency, { rounding: 'half-even' });
  return { id, description, quantity, unitPrice: price, amount };
}

const consulting = [
  line('hours', 'Strategy consulting (hours)', '14', '85'),
  line('travel', 'Travel expenses', '1', '400'),
  line('report', 'Written report', '1', '750'),
];
const triage = (text: string, lines: readonly InvoiceLine[] = consulting, currency = 'USD') =>
  triageReply({ text, lines, currency });
const ids = (t: ReplyTriage) => t.lines.map((l) => l.lineId);
const dec = (m: Money | undefined) => (m ? `${m.currency} ${toDecimalString(m)}` : undefined);

describe("the client's own words", () => {
  it('drops quoted lines, the "On … wrote:" block and what follows it', () => {
    const { body, removed } = ownWords(
      'We will pay Friday.\n\nOn Mon, 2 Nov 2026 at 09:00, Reed <r@reed.test> wrote:\n> The travel is disputed.\n',
    );
    expect(body).toBe('We will pay Friday.');
    expect(removed.join(' ')).toContain('wrote');
  });

  it('reads an "On … wrote:" header that the mail client wrapped over two lines', () => {
    expect(ownWords('Fine.\n\nOn Mon, Nov 2, 2026 at 9:14 AM Alex <\nalex@dev.test> wrote:\n> quoted').body).toBe(
      'Fine.',
    );
  });

  it('drops an Outlook "From: … Sent: …" block, a signature and a sign-off', () => {
    expect(ownWords('Travel?\n\nFrom: Reed <r@reed.test>\nSent: Monday\nTo: Kim\nSubject: Invoice').body).toBe(
      'Travel?',
    );
    expect(ownWords('Not what we agreed.\n-- \nJ Hart\n07700 900123').body).toBe('Not what we agreed.');
    expect(ownWords('Will pay Friday.\n\nKind regards,\nMaria').body).toBe('Will pay Friday.');
    expect(ownWords('Thanks Tom, paying now.').body).toBe('Thanks Tom, paying now.'); // a message, not a sign-off
  });

  it.each(['Hola Marta,', 'Bonjour,', 'Hallo zusammen,', 'Hi Sam,', 'Guten Tag,', 'Olá Sam!'])(
    'drops the greeting %s',
    (greeting) => {
      expect(ownWords(`${greeting}\nThe travel was never agreed.`).body).toBe('The travel was never agreed.');
    },
  );

  it("a greeting that looks like a line's words does not name the line", () => {
    const lines = [line('hall', 'Hall flooring', '1', '900'), line('hole', 'Hole drilling', '1', '120')];
    const t = triage('Hallo Dave,\n\nwe are not happy with the quality overall.\n\nViele Grüße', lines);
    expect(t.kind).toBe('vague');
    expect(t.lines).toEqual([]);
    expect(t.reasons.join(' ')).toContain('greeting');
  });
});

describe('numbers in words', () => {
  it.each([
    ['ten hours', '10 hours'],
    ['four hundred', '400'],
    ['seven hundred and fifty', '750'],
    ['twenty-five photos', '25 photos'],
    ['three and a half', '3.5'],
    ['a hundred', '100'],
    ['one thousand two hundred dollars', '1200 dollars'],
    ['twelve hundred', '1200'],
  ])('%s reads as %s', (words, digits) => {
    expect(wordsToDigits(`about ${words} here`)).toBe(`about ${digits} here`);
  });

  it('leaves words that are not numbers alone', () => {
    expect(wordsToDigits('a grand total and a half-hearted fix')).toBe('a grand total and a half-hearted fix');
  });
});

describe('amounts are parsed exactly', () => {
  it.each([
    ['$1,200.50', money(120_050, 'USD')],
    ['1.200,50 €', money(120_050, 'EUR')],
    ['€1,630', money(163_000, 'EUR')],
    ['£142.50', money(14_250, 'GBP')],
    ['4.5k', money(450_000, 'USD')],
    ['400 dollars', money(40_000, 'USD')],
    ['$12,345,678.91', money(1_234_567_891, 'USD')],
    ['USD 0.10', money(10, 'USD')],
  ])('%s', (text, want) => {
    expect(triage(`We were quoted ${text}.`).amountsMentioned).toEqual([want]);
  });

  it("a dollar sign is the invoice's dollar; invoice numbers, dates, times and percentages are not amounts", () => {
    expect(triage('The $85 is fine.', consulting, 'CAD').amountsMentioned).toEqual([money(8_500, 'CAD')]);
    expect(triage('Re invoice #1042 of 3 March, 10:30, 15% late fee').amountsMentioned).toEqual([]);
    expect(triage('It should be ¥1,200.5 at most.', consulting, 'JPY').amountsMentioned).toEqual([]); // yen have no decimals: not an amount
  });
});

describe('vague or specific', () => {
  it('dissatisfaction without naming anything is vague, and says why', () => {
    const t = triage("Not happy with the work. Won't be paying this.");
    expect(t.kind).toBe('vague');
    expect(t.lines).toEqual([]);
    expect(t.reasons.join(' ')).toMatch(/names no line/);
  });

  it('naming a line by its description is specific, with the words that named it', () => {
    const t = triage('The travel was never agreed.');
    expect(t.kind).toBe('specific');
    expect(ids(t)).toEqual(['travel']);
    expect(t.lines[0]!.why.join(' ')).toContain('"travel"');
  });

  it("tolerates typos in the description's words", () => {
    const t = triage('The writen reprot was copy-paste, not paying for it.');
    expect(ids(t)).toEqual(['report']);
    expect(t.lines[0]!.why.join(' ')).toMatch(/read as "report"/);
  });

  it('names a line by its amount ("the $400"), its quantity ("14 hours") or its rate ("$85/hr")', () => {
    expect(ids(triage('What is the $400 for?'))).toEqual(['travel']);
    expect(ids(triage('Fourteen hours is far too many.'))).toEqual(['hours']);
    expect(ids(triage('$85/hr is more than we agreed.'))).toEqual(['hours']);
  });

  it('a word every line shares names none of them', () => {
    const lines = [line('a', 'Logo design', '1', '1200'), line('b', 'Website design', '1', '4500')];
    expect(triage('The design is poor.', lines).kind).toBe('vague');
    expect(ids(triage('The logo design is poor.', lines))).toEqual(['a']);
  });

  it('objecting to the whole invoice for a reason the owner can check concerns every line', () => {
    const t = triage('We cancelled before any work started, so we owe nothing.');
    expect(t.kind).toBe('specific');
    expect(ids(t)).toEqual(['hours', 'travel', 'report']);
  });

  it('lines the client accepts are left out of the suggestion', () => {
    const t = triage("We'll pay for the report but not the travel.");
    expect(t.kind).toBe('specific');
    expect(ids(t)).toEqual(['travel']);
    expect(t.reasons.join(' ')).toContain('Leaves out "Written report"');
  });
});

describe('expected versus billed figures', () => {
  it('"we agreed 10 hours but you billed 14" prices both on the line', () => {
    const t = triage('We agreed 10 hours but you billed 14.');
    expect([dec(t.expected), dec(t.received)]).toEqual(['USD 850.00', 'USD 1190.00']);
    expect(ids(t)).toEqual(['hours']);
    expect(t.reasons.join(' ')).toMatch(/Sets quantities against each other/);
  });

  it('"quoted $1,200, invoiced $1,500" takes the amounts as stated', () => {
    const t = triage('Quoted $1,200, invoiced $1,500.');
    expect([dec(t.expected), dec(t.received)]).toEqual(['USD 1200.00', 'USD 1500.00']);
    expect(t.kind).toBe('specific');
  });

  it("rates are multiplied out over the line's quantity, exactly", () => {
    const t = triage('The rate was quoted at $72.50/hr, not $85/hr.');
    expect([dec(t.expected), dec(t.received)]).toEqual(['USD 1015.00', 'USD 1190.00']);
  });

  it('reads figures written in words: "ten hours, not fourteen"', () => {
    const t = triage('By our count it was ten hours of consulting, not fourteen.');
    expect([dec(t.expected), dec(t.received)]).toEqual(['USD 850.00', 'USD 1190.00']);
  });

  it('a figure with no counterpart states nothing to compare', () => {
    const t = triage('The travel was $400 and nobody told us.');
    expect(t.expected).toBeUndefined();
    expect(t.received).toBeUndefined();
  });
});

describe('accepting, paying later, and neither', () => {
  it.each([
    'Payment has been sent.',
    "We'll pay on Friday.",
    'Can we pay the balance at the end of January?',
    'Cheque is in the post.',
    "I can't pay until the 30th, sorry.",
  ])('%s accepts', (text) => {
    const t = triage(text);
    expect(t.kind).toBe('accepts');
    expect(t.reasons.join(' ')).toMatch(/Accepts the balance/);
  });

  it.each(["We won't pay until you fix the report.", "We're not paying this."])('%s does not accept', (text) => {
    expect(triage(text).kind).not.toBe('accepts');
  });

  it('a full-and-final offer for less is an objection, not an acceptance', () => {
    expect(triage("We'll pay $2,000 as full and final settlement.").kind).toBe('vague');
  });

  it('asking for a call is unclear, and says so', () => {
    const t = triage('Can we jump on a call this week?');
    expect(t.kind).toBe('unclear');
    expect(t.reasons.join(' ')).toMatch(/call/);
  });

  it('a reply that accepts now, above a quoted dispute, accepts', () => {
    expect(triage("OK, we'll pay the balance this week.\n\n> We dispute the travel expenses.").kind).toBe('accepts');
  });
});

describe('always explained, never thrown off', () => {
  it('is deterministic and carries reasons for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const a = triage(text);
        expect(a.reasons.length).toBeGreaterThan(0);
        expect(triage(text)).toEqual(a);
        for (const l of a.lines) expect(l.why.length).toBeGreaterThan(0);
        for (const m of a.amountsMentioned) expect(Number.isSafeInteger(m.minor)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('an empty invoice or an empty reply is unclear, not an error', () => {
    expect(triage('', consulting).kind).toBe('unclear');
    expect(triage('The travel is wrong', []).kind).toBe('vague');
  });
});
