import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../../integrations/errors.js';
import { decodeCursor, encodeCursor, withOpenInvoiceSweep } from '../../../../integrations/xero/cursor.js';
import { xeroIdempotencyKey } from '../../../../integrations/xero/idempotency.js';

describe('Xero idempotency keys', () => {
  it('keeps a short business key readable, one key per write step', () => {
    expect(xeroIdempotencyKey('dispute/xero/42/credit/v1', 'create')).toBe('dispute/xero/42/credit/v1/create');
    expect(xeroIdempotencyKey('dispute/xero/42/credit/v1', 'allocate')).toBe('dispute/xero/42/credit/v1/allocate');
  });

  it('hashes a key that would pass 128 characters, stably', () => {
    const long = `case/${'x'.repeat(200)}`;
    const key = xeroIdempotencyKey(long, 'history');
    expect(key.length).toBeLessThanOrEqual(128);
    expect(key).toMatch(/^[0-9a-f]{64}\/history$/);
    expect(xeroIdempotencyKey(long, 'history')).toBe(key);
    expect(xeroIdempotencyKey(`${long}y`, 'history')).not.toBe(key);
  });
});

describe('Xero sync cursors', () => {
  const checkpoint = {
    v: 1,
    kind: 'checkpoint',
    from: '2026-05-01T00:00:00.000Z',
    lastSweepAt: '2026-05-01T00:00:00.000Z',
  } as const;

  it('round-trips and refuses anything that is not one of ours', () => {
    expect(decodeCursor(encodeCursor(checkpoint))).toEqual(checkpoint);
    expect(() => decodeCursor('2026-05-01T00:00:00Z')).toThrow(IntegrationError);
    expect(() => decodeCursor(`xero:${Buffer.from('{"v":2}').toString('base64url')}`)).toThrow(
      /Not a Xero sync cursor/,
    );
  });

  it('marks a checkpoint for an open-invoice sweep on the next run', () => {
    expect(decodeCursor(withOpenInvoiceSweep(encodeCursor(checkpoint)))).toEqual({ ...checkpoint, sweepNow: true });
  });
});
