import { describe, expect, it } from 'vitest';
import { XeroDateError, toMsDate, xeroDay, xeroInstant } from '../../../../integrations/xero/dates.js';

describe('Xero dates', () => {
  it('reads Microsoft JSON timestamps with and without an offset', () => {
    expect(xeroInstant('/Date(1700000000000+0000)/')).toBe('2023-11-14T22:13:20.000Z');
    expect(xeroInstant('/Date(1700000000000)/')).toBe('2023-11-14T22:13:20.000Z');
    expect(xeroInstant(toMsDate(1_552_521_600_000))).toBe('2019-03-14T00:00:00.000Z');
  });

  it('reads ISO timestamps, treating a missing zone as UTC', () => {
    expect(xeroInstant('2025-12-02T00:44:09.923')).toBe('2025-12-02T00:44:09.923Z');
    expect(xeroInstant('2019-11-14T18:10:38Z')).toBe('2019-11-14T18:10:38.000Z');
    expect(xeroInstant('2019-12-07T18:46:19.5165400')).toBe('2019-12-07T18:46:19.516Z');
  });

  it('reads calendar days in the organisation calendar from either form', () => {
    expect(xeroDay('/Date(1539993600000+0000)/')).toBe('2018-10-20');
    // 23:00 UTC on the 19th, shown in a +13:00 zone, is the 20th there.
    expect(xeroDay('/Date(1539990000000+1300)/')).toBe('2018-10-20');
    expect(xeroDay('2026-04-30T00:00:00')).toBe('2026-04-30');
    expect(xeroDay('2026-04-30')).toBe('2026-04-30');
  });

  it('rejects text that is no date', () => {
    expect(() => xeroInstant('yesterday')).toThrow(XeroDateError);
    expect(() => xeroDay('2026-02-30')).toThrow(XeroDateError);
    expect(() => xeroDay('/Date(abc)/')).toThrow(XeroDateError);
  });
});
