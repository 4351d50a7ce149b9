// What the Settings page says of the open cases and the saved Settings, from what the case rows record: nothing
// while no case is open, every case has them, they are being passed on, they wait for the sweep, or for Temporal.
import { describe, expect, it } from 'vitest';
import { deliveryText } from '../../../../../src/app/http/organisation/settings-routes.js';

const failedAt = new Date('2026-12-07T04:00:00Z');

describe('the Settings page on open cases', () => {
  it('says nothing while no case is open', () => {
    expect(deliveryText({ open: 0, owed: 0, undeliveredAt: null, delivering: true })).toBeUndefined();
    expect(deliveryText({ open: 0, owed: 0, undeliveredAt: failedAt, delivering: false })).toBeUndefined();
  });

  it('says every open case has them', () => {
    expect(deliveryText({ open: 12, owed: 0, undeliveredAt: null, delivering: true })).toBe(
      'All 12 open cases have these settings.',
    );
    expect(deliveryText({ open: 1, owed: 0, undeliveredAt: null, delivering: true })).toBe(
      'Your open case has these settings.',
    );
  });

  it('says they are being passed on, and how many have them so far', () => {
    expect(deliveryText({ open: 12, owed: 12, undeliveredAt: null, delivering: true })).toBe(
      'Reaching your 12 open cases…',
    );
    expect(deliveryText({ open: 12, owed: 3, undeliveredAt: null, delivering: true })).toBe(
      'Reaching your 12 open cases… 9 have these settings so far.',
    );
    expect(deliveryText({ open: 2, owed: 1, undeliveredAt: null, delivering: true })).toBe(
      'Reaching your 2 open cases… 1 has these settings so far.',
    );
  });

  it('says when no delivery is running (stopped, failed, or saved by an earlier release) that the sweep sends them', () => {
    expect(deliveryText({ open: 12, owed: 3, undeliveredAt: null, delivering: false })).toBe(
      '3 open cases will be sent these settings within 5 minutes, when Shortfall next passes them on. They keep the earlier settings until then, and nothing is lost.',
    );
    expect(deliveryText({ open: 2, owed: 1, undeliveredAt: null, delivering: false })).toBe(
      '1 open case will be sent these settings within 5 minutes, when Shortfall next passes them on. It keeps the earlier settings until then, and nothing is lost.',
    );
  });

  it('says how many wait for Temporal, and that they keep their earlier settings meanwhile', () => {
    expect(deliveryText({ open: 12, owed: 3, undeliveredAt: failedAt, delivering: false })).toBe(
      '3 open cases get these settings when Temporal is reachable again; Shortfall tries every 5 minutes. They keep the earlier settings until then, and nothing is lost.',
    );
    expect(deliveryText({ open: 12, owed: 1, undeliveredAt: failedAt, delivering: false })).toBe(
      '1 open case gets these settings when Temporal is reachable again; Shortfall tries every 5 minutes. It keeps the earlier settings until then, and nothing is lost.',
    );
  });
});
