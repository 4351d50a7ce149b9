import { describe, expect, it } from 'vitest';
import { encodeBackfill, nextEntity, parseCursor } from '../../../../integrations/quickbooks/cursor.js';

describe('QuickBooks sync cursors', () => {
  it('round-trips a backfill position and reads an ISO time as a CDC cursor', () => {
    const at = { entity: 'Payment' as const, position: 2001, since: '2026-05-03T23:05:00.000Z' };

    expect(parseCursor(encodeBackfill(at))).toEqual({ kind: 'backfill', at });
    expect(parseCursor('2026-05-03T16:05:00-07:00')).toEqual({ kind: 'cdc', since: '2026-05-03T16:05:00-07:00' });
  });

  it('walks Invoice, Payment, CreditMemo and then stops', () => {
    const since = '2026-05-03T23:05:00.000Z';

    expect(nextEntity({ entity: 'Invoice', position: 5001, since })).toEqual({ entity: 'Payment', position: 1, since });
    expect(nextEntity({ entity: 'Payment', position: 1, since })).toEqual({ entity: 'CreditMemo', position: 1, since });
    expect(nextEntity({ entity: 'CreditMemo', position: 1, since })).toBeUndefined();
  });

  it('rejects anything else as an invalid cursor', () => {
    for (const bad of [
      'yesterday',
      'qbo-backfill:not-base64-json',
      encodeBackfill({ entity: 'Invoice', position: 0, since: 'x' }),
    ]) {
      expect(() => parseCursor(bad)).toThrow(
        expect.objectContaining({ kind: 'invalid', details: expect.objectContaining({ code: 'bad_cursor' }) }),
      );
    }
  });
});
