import { describe, expect, it } from 'vitest';
import { dateTimeFormat, numberFormat } from '../../../src/domain/intl.js';
import { formatMoney } from '../../../src/domain/money.js';

describe('Intl formatters made once', () => {
  it('gives the same formatter for the same locale and options, and a different one when either differs', () => {
    const usd = { style: 'currency', currency: 'USD' } as const;
    expect(numberFormat('en-US', usd)).toBe(numberFormat('en-US', { ...usd }));
    expect(numberFormat('de-DE', usd)).not.toBe(numberFormat('en-US', usd));
    expect(numberFormat('en-US', { ...usd, currency: 'EUR' })).not.toBe(numberFormat('en-US', usd));
    const day = { dateStyle: 'long', timeZone: 'UTC' } as const;
    expect(dateTimeFormat('en-GB', day)).toBe(dateTimeFormat('en-GB', { ...day }));
    expect(dateTimeFormat('en-GB', { ...day, timeZone: 'Europe/Paris' })).not.toBe(dateTimeFormat('en-GB', day));
  });

  it('formats as a fresh formatter would, in every locale and currency asked for in turn', () => {
    for (const [locale, currency] of [
      ['en-US', 'USD'],
      ['de-DE', 'EUR'],
      ['ja-JP', 'JPY'],
      ['en-US', 'USD'],
    ] as const) {
      const amount = { minor: 123_456, currency };
      const digits = currency === 'JPY' ? 0 : 2;
      const fresh = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(digits === 0 ? 123_456 : 1234.56);
      expect(formatMoney(amount, locale)).toBe(fresh);
    }
  });

  it('starts over rather than grow without end when many locales and zones are asked for', () => {
    const zones = Intl.supportedValuesOf('timeZone').slice(0, 300);
    const first = dateTimeFormat('en-US', { timeZone: zones[0] });
    for (const timeZone of zones) dateTimeFormat('en-US', { timeZone });
    // The cache holds at most 256: the first zone's formatter was dropped and is made again, and still formats alike.
    const again = dateTimeFormat('en-US', { timeZone: zones[0] });
    expect(again).not.toBe(first);
    expect(again.format(0)).toBe(first.format(0));
  });
});
