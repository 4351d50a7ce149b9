import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../../../src/domain/allocate.js';
import {
  add,
  compare,
  currencyExponents,
  money,
  negate,
  parseDecimal,
  subtract,
  sum,
  toDecimalString,
} from '../../../src/domain/money.js';

const currency = fc.constantFrom(...currencyExponents.keys());
// Sums of a few of these stay within safe integers.
const minor = fc.integer({ min: -1e13, max: 1e13 });
const moneyIn = (c: string) => minor.map((m) => money(m, c));
const threeOfSameCurrency = currency.chain((c) => fc.tuple(moneyIn(c), moneyIn(c), moneyIn(c)));

describe('money properties', () => {
  it('parseDecimal(toDecimalString(m)) round-trips', () => {
    fc.assert(
      fc.property(
        currency.chain((c) => moneyIn(c)),
        (m) => {
          expect(parseDecimal(toDecimalString(m), m.currency)).toEqual(m);
        },
      ),
    );
  });

  it('parses any decimal string written with the currency precision', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
        fc.constantFrom('USD', 'JPY', 'KWD'),
        (units, c) => {
          const exp = currencyExponents.get(c) ?? 0;
          const digits = (units < 0n ? -units : units).toString().padStart(exp + 1, '0');
          const text = `${units < 0n ? '-' : ''}${exp ? `${digits.slice(0, -exp)}.${digits.slice(-exp)}` : digits}`;
          expect(parseDecimal(text, c).minor).toBe(Number(units));
        },
      ),
    );
  });

  it('addition is commutative and associative', () => {
    fc.assert(
      fc.property(threeOfSameCurrency, ([a, b, c]) => {
        expect(add(a, b)).toEqual(add(b, a));
        expect(add(add(a, b), c)).toEqual(add(a, add(b, c)));
      }),
    );
  });

  it('sum does not depend on order', () => {
    fc.assert(
      fc.property(
        currency.chain((c) => fc.array(moneyIn(c), { maxLength: 20 })),
        (items) => {
          const c = items[0]?.currency ?? 'USD';
          expect(sum([...items].reverse(), c)).toEqual(sum(items, c));
        },
      ),
    );
  });

  it('subtract is add of the negation, and compare agrees with it', () => {
    fc.assert(
      fc.property(threeOfSameCurrency, ([a, b]) => {
        expect(subtract(a, b)).toEqual(add(a, negate(b)));
        expect(compare(a, b)).toBe(Math.sign(subtract(a, b).minor));
      }),
    );
  });

  it('allocate preserves the total and never strays more than one unit from the exact share', () => {
    const ratios = fc
      .array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 })
      .filter((r) => r.some((x) => x > 0));
    fc.assert(
      fc.property(
        currency.chain((c) => moneyIn(c)),
        ratios,
        (total, rs) => {
          const shares = allocate(total, rs);
          expect(sum(shares, total.currency)).toEqual(total);
          const weight = BigInt(rs.reduce((a, b) => a + b, 0));
          shares.forEach((s, i) => {
            const error = BigInt(s.minor) * weight - BigInt(total.minor) * BigInt(rs[i] ?? 0); // share - exact, times weight
            expect(error < weight && -error < weight).toBe(true);
          });
        },
      ),
    );
  });
});
