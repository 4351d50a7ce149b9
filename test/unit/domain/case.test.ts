import { describe, expect, it } from 'vitest';
import { caseKey, combineKinds } from '../../../src/domain/index.js';

describe('caseKey', () => {
  it('keys by connection and invoice, so triggers on one invoice share a case', () => {
    expect(caseKey({ invoice: { provider: 'quickbooks', accountId: '9130', id: '145' } })).toBe(
      'invoice/quickbooks/9130/145',
    );
    expect(caseKey({ invoice: { provider: 'xero', accountId: 'tenant-a', id: '145' } })).not.toBe(
      caseKey({ invoice: { provider: 'xero', accountId: 'tenant-b', id: '145' } }),
    );
  });

  it('keys an unlinked Stripe dispute by the dispute', () => {
    expect(caseKey({ chargeback: { provider: 'stripe', accountId: 'acct_1', id: 'dp_1' } })).toBe(
      'dispute/stripe/acct_1/dp_1',
    );
  });

  it('cannot be confused by separators inside ids', () => {
    const a = caseKey({ invoice: { provider: 'xero', accountId: 'a/b', id: 'c' } });
    const b = caseKey({ invoice: { provider: 'xero', accountId: 'a', id: 'b/c' } });
    expect(a).not.toBe(b);
  });
});

describe('combineKinds', () => {
  it.each([
    ['short_payment', 'short_payment', 'short_payment'],
    ['short_payment', 'dispute', 'both'],
    ['dispute', 'short_payment', 'both'],
    ['both', 'dispute', 'both'],
  ] as const)('%s + %s = %s', (a, b, k) => {
    expect(combineKinds(a, b)).toBe(k);
  });
});
