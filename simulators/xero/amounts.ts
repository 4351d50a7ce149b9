// Amounts are kept in cents and computed with decimal.js, as Xero keeps them at 2 decimals; only the wire
// form is a JSON number.
import { Dec, ROUND_HALF_UP } from '../../src/domain/decimal.js';
import { SimValidationError } from './errors.js';

const roundHalfUp = ROUND_HALF_UP; // Xero rounds half away from zero

export function toCents(value: number | string, field: string): number {
  let d: Dec;
  try {
    d = new Dec(typeof value === 'number' ? value : value.trim());
  } catch {
    throw new SimValidationError(`${field} must be a number`);
  }
  if (!d.isFinite()) throw new SimValidationError(`${field} must be a number`);
  return d.times(100).toDecimalPlaces(0, roundHalfUp).toNumber();
}

export const fromCents = (cents: number): number => Number(new Dec(cents).dividedBy(100).toFixed(2));

/** quantity × unit amount, in cents, rounded as Xero rounds line amounts. */
export function lineCents(quantity: string, unitAmount: string): number {
  return new Dec(quantity).times(new Dec(unitAmount)).times(100).toDecimalPlaces(0, roundHalfUp).toNumber();
}

/** Tax on a line: on top of an exclusive amount, or the part of an inclusive one. */
export function taxCents(lineAmount: number, rate: string, inclusive: boolean): number {
  const r = new Dec(rate);
  const tax = inclusive ? new Dec(lineAmount).times(r).dividedBy(r.plus(1)) : new Dec(lineAmount).times(r);
  return tax.toDecimalPlaces(0, roundHalfUp).toNumber();
}

export const decimalText = (value: number | string): string =>
  new Dec(typeof value === 'number' ? value : value.trim()).toFixed();
