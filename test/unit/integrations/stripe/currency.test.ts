import { describe, expect, it } from 'vitest';
import {
  fromStripeAmount,
  fromStripeDecimalAmount,
  StripeAmountError,
  stripeExponent,
  toStripeAmount,
} from '../../../../integrations/stripe/currency.js';
import { stripeIdempotencyKey } from '../../../../integrations/stripe/idempotency.js';

describe('Stripe amounts ↔ canonical Money', () => {
  it.each([
    ['usd', 12_345, { minor: 12_345, currency: 'USD' }],
    ['jpy', 500, { minor: 500, currency: 'JPY' }],
    ['kwd', 5_120, { minor: 5_120, currency: 'KWD' }],
    ['isk', 50_000, { minor: 500, currency: 'ISK' }], // Stripe keeps ISK two-decimal; ISO has none
    ['mga', 1_000, { minor: 100_000, currency: 'MGA' }], // Stripe treats MGA as zero-decimal; ISO has two
  ])('%s %d', (currency, amount, expected) => {
    expect(fromStripeAmount(amount, currency)).toEqual(expected);
    expect(toStripeAmount(expected)).toBe(amount);
  });

  it('refuses ISK amounts with fractions of a króna instead of rounding money', () => {
    expect(() => fromStripeAmount(50_050, 'isk')).toThrow(StripeAmountError);
  });

  it('rounds sub-unit unit prices half-even', () => {
    expect(fromStripeDecimalAmount('6400.5', 'usd')).toEqual({ minor: 6_400, currency: 'USD' });
    expect(fromStripeDecimalAmount('6401.5', 'usd')).toEqual({ minor: 6_402, currency: 'USD' });
    expect(fromStripeDecimalAmount('150', 'isk')).toEqual({ minor: 2, currency: 'ISK' });
  });

  it('knows Stripe exponents', () => {
    expect([stripeExponent('USD'), stripeExponent('jpy'), stripeExponent('BHD')]).toEqual([2, 0, 3]);
  });
});

describe('Idempotency keys', () => {
  it('passes keys within 255 characters through and hashes longer ones stably', () => {
    expect(stripeIdempotencyKey('case/1/credit/v1')).toBe('case/1/credit/v1');
    const long = `case/${'x'.repeat(300)}`;
    expect(stripeIdempotencyKey(long)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stripeIdempotencyKey(long)).toBe(stripeIdempotencyKey(long));
    expect(stripeIdempotencyKey(long)).not.toBe(stripeIdempotencyKey(`${long}y`));
  });
});
