// ISO 4217 minor-unit exponents for active currency codes (fund codes included, precious metals excluded).
// An explicit table rather than Intl: engines disagree (e.g. Intl shows ISK and IQD with 0 digits).
const byExponent: Record<0 | 2 | 3 | 4, string> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
  2: `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
      CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
      GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD
      MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR
      PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY
      TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`,
};

export const currencyExponents: ReadonlyMap<string, number> = new Map(
  Object.entries(byExponent).flatMap(([exp, codes]) =>
    codes
      .split(/\s+/)
      .filter(Boolean)
      .map((c) => [c, Number(exp)] as const),
  ),
);

export class UnknownCurrencyError extends Error {
  override readonly name = 'UnknownCurrencyError';
  constructor(readonly currency: string) {
    super(`Unknown ISO 4217 currency: ${JSON.stringify(currency)}`);
  }
}

/** Number of decimal places of the currency's minor unit; throws for codes not in the table. */
export function currencyExponent(currency: string): number {
  const exp = currencyExponents.get(currency);
  if (exp === undefined) throw new UnknownCurrencyError(currency);
  return exp;
}
