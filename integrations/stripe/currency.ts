// Stripe amounts are integers in Stripe's idea of a currency's minor unit, which is not always ISO 4217's
// (docs.stripe.com/currencies): ISK stays two-decimal in the API although ISO gives it none, and MGA is
// zero-decimal at Stripe but two-decimal in ISO. The canonical Money uses ISO exponents, so we rescale.
import { Dec, ROUND_HALF_EVEN } from '../../src/domain/decimal.js';
import { currencyExponent, money, type Money } from '../../src/domain/money.js';

const zeroDecimal = new Set('BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '));
const threeDecimal = new Set('BHD JOD KWD OMR TND'.split(' '));

export class StripeAmountError extends RangeError {
  override readonly name = 'StripeAmountError';
}

export function stripeExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (zeroDecimal.has(code)) return 0;
  if (threeDecimal.has(code)) return 3;
  return 2;
}

function rescale(amount: number, fromExp: number, toExp: number, currency: string): number {
  if (toExp >= fromExp) return amount * 10 ** (toExp - fromExp);
  const divisor = 10 ** (fromExp - toExp);
  if (amount % divisor !== 0) {
    throw new StripeAmountError(`${currency} amount ${amount} has fractions of the currency's smallest ISO unit`);
  }
  return amount / divisor;
}

/** Stripe (amount, currency) → canonical Money with an upper-case ISO code. */
export function fromStripeAmount(amount: number, currency: string): Money {
  const code = currency.toUpperCase();
  return money(rescale(amount, stripeExponent(code), currencyExponent(code), code), code);
}

/** Canonical Money → the integer Stripe expects for that currency. */
export function toStripeAmount(value: Money): number {
  const code = value.currency.toUpperCase();
  const amount = rescale(value.minor, currencyExponent(code), stripeExponent(code), code);
  if (!Number.isSafeInteger(amount)) throw new StripeAmountError(`${code} amount ${value.minor} is out of range`);
  return amount;
}

/** A decimal-string amount in Stripe units (unit prices may carry sub-unit fractions), rounded half-even. */
export function fromStripeDecimalAmount(decimal: string, currency: string): Money {
  const code = currency.toUpperCase();
  const shifted = new Dec(decimal).times(new Dec(10).pow(currencyExponent(code) - stripeExponent(code)));
  return money(shifted.toDecimalPlaces(0, ROUND_HALF_EVEN).toNumber(), code);
}
