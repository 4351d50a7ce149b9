import { describe, expect, it } from 'vitest';
import { quickbooksLimits } from '../../../../integrations/quickbooks/limits.js';
import { quickbooksRequestId } from '../../../../integrations/quickbooks/request-id.js';

describe('quickbooksRequestId', () => {
  it('passes a key within 50 characters through unchanged', () => {
    const key = 'dispute/dp_1Q2w3E4r5T6y/credit/v1/creditmemo';

    expect(key.length).toBeLessThanOrEqual(quickbooksLimits.requestIdMaxLength);
    expect(quickbooksRequestId(key)).toBe(key);
  });

  it('turns a longer key into a stable 50-character digest', () => {
    const key = `dispute/${'x'.repeat(60)}/credit/v1/creditmemo`;
    const id = quickbooksRequestId(key);

    expect(id).toMatch(/^[0-9a-f]{50}$/);
    expect(quickbooksRequestId(key)).toBe(id);
    expect(quickbooksRequestId(`${key}/payment`)).not.toBe(id);
  });

  it('refuses an empty key', () => {
    expect(() => quickbooksRequestId('')).toThrow(RangeError);
  });
});
