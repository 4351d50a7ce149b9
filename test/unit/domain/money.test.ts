import { describe, expect, it } from 'vitest';
import { allocate } from '../../../src/domain/allocate.js';
import {
  add,
  compare,
  currencyExponent,
  CurrencyMismatchError,
  formatMoney,
  isZero,
  money,
  MoneyParseError,
  MoneyRangeError,
  negate,
  parseDecimal,
  subtract,
  sum,
  toDecimalString,
  UnknownCurrencyError,
} from '../../../src/domain/money.js';

describe('currencyExponent', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['AUD', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['CLP', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['OMR', 3],
    ['JOD', 3],
    ['TND', 3],
    ['CLF', 4],
  ])('%s has %i decimals', (code, exp) => {
    expect(currencyExponent(code)).toBe(exp);
  });

  it.each(['usd', 'XYZ', '', 'XAU'])('rejects %j', (code) => {
    expect(() => currencyExponent(code)).toThrow(UnknownCurrencyError);
  });
});

describe('parseDecimal', () => {
  it.each([
    ['500.00', 'USD', 50000],
    ['500', 'USD', 50000],
    ['0.1', 'USD', 10],
    [' 12.34 ', 'EUR', 1234],
    ['-7.5', 'GBP', -750],
    ['.5', 'USD', 50],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['+3', 'USD', 300],
    ['90071992547409.91', 'USD', 9007199254740991],
  ] as const)('%j %s -> %i', (text, currency, minor) => {
    expect(parseDecimal(text, currency)).toEqual({ minor, currency });
  });

  it.each([
    [500, 'USD', 50000],
    [0.1, 'USD', 10],
    [1234.5, 'USD', 123450],
    [0.3, 'USD', 30],
    [1500, 'JPY', 1500],
    [-0, 'USD', 0],
  ] as const)('number %d %s -> %i (as JSON.parse gave it)', (value, currency, minor) => {
    expect(parseDecimal(value, currency)).toEqual({ minor, currency });
  });

  it.each([
    ['1.005', 'USD'],
    ['1.5', 'JPY'],
    ['1.2345', 'KWD'],
  ])('rejects excess precision in %j %s', (text, currency) => {
    expect(() => parseDecimal(text, currency)).toThrow(MoneyParseError);
  });

  it('rejects float noise from arithmetic done upstream', () => {
    expect(() => parseDecimal(0.1 + 0.2, 'USD')).toThrow(MoneyParseError);
  });

  it.each([
    ['1.005', 'half-up', 101],
    ['1.005', 'half-even', 100],
    ['1.015', 'half-even', 102],
    ['1.009', 'down', 100],
    ['-1.005', 'half-up', -101],
    ['-1.001', 'floor', -101],
  ] as const)('rounds %j with %s when asked -> %i', (text, rounding, minor) => {
    expect(parseDecimal(text, 'USD', { rounding })).toEqual({ minor, currency: 'USD' });
  });

  it('rounds exactly, without an intermediate 20-digit rounding', () => {
    expect(parseDecimal('0.004999999999999999999999999', 'USD', { rounding: 'half-up' }).minor).toBe(0);
  });

  it.each(['', 'abc', '1,000.00', '1e3', '$5', '1.2.3', 'NaN', 'Infinity'])('rejects %j', (text) => {
    expect(() => parseDecimal(text, 'USD')).toThrow(MoneyParseError);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (value) => {
    expect(() => parseDecimal(value, 'USD')).toThrow(MoneyParseError);
  });

  it('rejects amounts beyond safe integers', () => {
    expect(() => parseDecimal('90071992547409.92', 'USD')).toThrow(MoneyRangeError);
  });

  it('rejects unknown currencies', () => {
    expect(() => parseDecimal('1', 'ABC')).toThrow(UnknownCurrencyError);
  });
});

describe('arithmetic', () => {
  const usd = (minor: number) => money(minor, 'USD');

  it('adds, subtracts, negates and compares', () => {
    expect(add(usd(150), usd(25))).toEqual(usd(175));
    expect(subtract(usd(150), usd(200))).toEqual(usd(-50));
    expect(negate(usd(5))).toEqual(usd(-5));
    expect(Object.is(negate(usd(0)).minor, 0)).toBe(true);
    expect([compare(usd(1), usd(2)), compare(usd(2), usd(2)), compare(usd(3), usd(2))]).toEqual([-1, 0, 1]);
    expect(isZero(usd(0))).toBe(true);
  });

  it('sums an empty list to zero in the given currency', () => {
    expect(sum([], 'JPY')).toEqual(money(0, 'JPY'));
    expect(sum([usd(1), usd(2), usd(3)], 'USD')).toEqual(usd(6));
  });

  it.each([
    ['add', () => add(usd(1), money(1, 'EUR'))],
    ['subtract', () => subtract(usd(1), money(1, 'EUR'))],
    ['compare', () => compare(usd(1), money(1, 'EUR'))],
    ['sum', () => sum([usd(1), money(1, 'EUR')], 'USD')],
    ['sum (list vs currency)', () => sum([usd(1)], 'EUR')],
  ])('%s refuses to mix currencies', (_name, fn) => {
    expect(fn).toThrow(CurrencyMismatchError);
  });

  it('refuses to overflow safe integers', () => {
    expect(() => add(usd(Number.MAX_SAFE_INTEGER), usd(1))).toThrow(MoneyRangeError);
    expect(() => money(1.5, 'USD')).toThrow(MoneyRangeError);
  });
});

describe('toDecimalString and formatMoney', () => {
  it.each([
    [money(123456, 'USD'), '1234.56'],
    [money(-5, 'USD'), '-0.05'],
    [money(1500, 'JPY'), '1500'],
    [money(1234, 'KWD'), '1.234'],
    [money(0, 'EUR'), '0.00'],
  ])('%o -> %s', (m, text) => {
    expect(toDecimalString(m)).toBe(text);
  });

  it.each([
    [money(123456, 'USD'), 'en-US', '$1,234.56'],
    [money(123456, 'EUR'), 'de-DE', '1.234,56 €'],
    [money(150000, 'JPY'), 'ja-JP', '￥150,000'],
    [money(1234, 'KWD'), 'en-US', 'KWD 1.234'],
    [money(9007199254740991, 'USD'), 'en-US', '$90,071,992,547,409.91'],
  ])('%o in %s -> %s', (m, locale, text) => {
    expect(formatMoney(m, locale).replace(/\s/g, ' ')).toBe(text.replace(/\s/g, ' '));
  });
});

describe('allocate', () => {
  it.each([
    [100, [1, 1, 1], [34, 33, 33]],
    [5, [3, 7], [2, 3]],
    [-100, [1, 1, 1], [-34, -33, -33]],
    [1000, [0.7, 0.2, 0.1], [700, 200, 100]],
    [7, [0, 1], [0, 7]],
    [2, [1, 1, 1], [1, 1, 0]],
  ])('%i by %j -> %j', (minor, ratios, shares) => {
    expect(allocate(money(minor, 'USD'), ratios).map((m) => m.minor)).toEqual(shares);
  });

  it.each([[[]], [[0, 0]], [[-1, 2]], [[Number.NaN]]])('rejects ratios %j', (ratios) => {
    expect(() => allocate(money(100, 'USD'), ratios)).toThrow(RangeError);
  });
});
