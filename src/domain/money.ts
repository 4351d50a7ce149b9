// Exact money in integer minor units. Plain data so it crosses Temporal's JSON payload boundary unchanged.
import { currencyExponent } from './currencies.js';
import { numberFormat } from './intl.js';
import * as D from './decimal.js';

export { currencyExponent, currencyExponents, UnknownCurrencyError } from './currencies.js';

export interface Money {
  /** Integer amount in the currency's minor unit (cents, yen, fils). Always a safe integer. */
  readonly minor: number;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
}

export type RoundingMode = 'half-even' | 'half-up' | 'half-down' | 'up' | 'down' | 'ceil' | 'floor';
const roundingModes: Record<RoundingMode, D.Rounding> = {
  'half-even': D.ROUND_HALF_EVEN,
  'half-up': D.ROUND_HALF_UP,
  'half-down': D.ROUND_HALF_DOWN,
  up: D.ROUND_UP,
  down: D.ROUND_DOWN,
  ceil: D.ROUND_CEIL,
  floor: D.ROUND_FLOOR,
};

export class CurrencyMismatchError extends Error {
  override readonly name = 'CurrencyMismatchError';
  constructor(
    readonly left: string,
    readonly right: string,
  ) {
    super(`Cannot combine ${left} with ${right}`);
  }
}

export class MoneyParseError extends Error {
  override readonly name = 'MoneyParseError';
}

export class MoneyRangeError extends RangeError {
  override readonly name = 'MoneyRangeError';
}

export function money(minor: number, currency: string): Money {
  currencyExponent(currency);
  if (!Number.isSafeInteger(minor)) throw new MoneyRangeError(`Minor units must be a safe integer, got ${minor}`);
  return { minor: minor || 0, currency }; // `|| 0` folds -0 into 0
}

export const zero = (currency: string): Money => money(0, currency);

const decimalText = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Parses an amount as the provider sent it (decimal string, or a JSON number already parsed to a float).
 * More decimals than the currency allows is an error unless a rounding mode is given.
 */
export function parseDecimal(value: string | number, currency: string, opts: { rounding?: RoundingMode } = {}): Money {
  const exp = currencyExponent(currency);
  let d: D.Dec;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyParseError(`Not a finite amount: ${value}`);
    d = new D.Dec(value); // decimal.js reads the shortest round-trip string, so 0.1 stays 0.1
  } else {
    const text = value.trim();
    if (!decimalText.test(text)) throw new MoneyParseError(`Not a decimal amount: ${JSON.stringify(value)}`);
    d = new D.Dec(text);
  }
  if (d.decimalPlaces() > exp) {
    if (!opts.rounding) throw new MoneyParseError(`${value} has more than ${exp} decimal places for ${currency}`);
    d = d.toDecimalPlaces(exp, roundingModes[opts.rounding]);
  }
  return money(d.times(new D.Dec(10).pow(exp)).toNumber(), currency);
}

export function toDecimalString(m: Money): string {
  const exp = currencyExponent(m.currency);
  return new D.Dec(m.minor).dividedBy(new D.Dec(10).pow(exp)).toFixed(exp);
}

function same(a: Money, b: Money): string {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return a.currency;
}

export const add = (a: Money, b: Money): Money => money(a.minor + b.minor, same(a, b));
export const subtract = (a: Money, b: Money): Money => money(a.minor - b.minor, same(a, b));
export const negate = (m: Money): Money => money(-m.minor, m.currency);
export const isZero = (m: Money): boolean => m.minor === 0;
export const isPositive = (m: Money): boolean => m.minor > 0;
export const isNegative = (m: Money): boolean => m.minor < 0;

export function compare(a: Money, b: Money): -1 | 0 | 1 {
  same(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

/** The currency is required so that an empty list still has one. */
export function sum(items: readonly Money[], currency: string): Money {
  return items.reduce(add, zero(currency));
}

export function formatMoney(m: Money, locale: string): string {
  const exp = currencyExponent(m.currency);
  const format = numberFormat(locale, {
    style: 'currency',
    currency: m.currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  });
  return format.format(toDecimalString(m) as `${number}`); // a decimal string keeps amounts above 2^53/100 exact
}
