// Decimal arithmetic on the JSON numbers QBO documents carry; never float arithmetic on money.
import { Dec } from '../../src/domain/decimal.js';
import { currencyExponent } from '../../src/domain/money.js';

const dec = (n: number) => new Dec(String(n));

export const plus = (a: number, b: number): number => dec(a).plus(dec(b)).toNumber();
export const minus = (a: number, b: number): number => dec(a).minus(dec(b)).toNumber();
export const total = (values: readonly number[]): number => values.reduce(plus, 0);

/** Qty × UnitPrice rounded to the currency's minor unit, as QBO computes a line Amount. */
export const lineAmount = (qty: number, unitPrice: number, currency: string): number =>
  dec(qty).times(dec(unitPrice)).toDecimalPlaces(currencyExponent(currency), Dec.ROUND_HALF_UP).toNumber();

export const sameAmount = (a: number, b: number): boolean => dec(a).equals(dec(b));
export const atMost = (a: number, b: number): boolean => dec(a).lessThanOrEqualTo(dec(b));
