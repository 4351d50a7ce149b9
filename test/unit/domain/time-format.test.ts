// Instants as the owner reads them: in the organisation's locale and zone, on the day they fall on there.
import { describe, expect, it } from 'vitest';
import { dateTimeFormatter, dayIn } from '../../../src/domain/time-format.js';

describe('time format', () => {
  it("names the zone's own time and abbreviation, summer and winter", () => {
    const ny = dateTimeFormatter('en-US', 'America/New_York');
    expect(ny('2026-12-01T14:00:00.000Z').replace(/\u202f/g, ' ')).toBe('Tue, Dec 1, 2026, 9:00 AM EST');
    expect(ny('2026-07-01T14:00:00.000Z').replace(/\u202f/g, ' ')).toBe('Wed, Jul 1, 2026, 10:00 AM EDT');
    expect(dateTimeFormatter('en-GB', 'Europe/London')('2026-12-01T14:00:00.000Z')).toBe('Tue, 1 Dec 2026, 14:00 GMT');
  });

  it('gives the calendar day in the zone, not in UTC', () => {
    expect(dayIn('2026-12-06T02:30:00.000Z', 'America/New_York')).toBe('2026-12-05');
    expect(dayIn('2026-12-06T02:30:00.000Z', 'Australia/Sydney')).toBe('2026-12-06');
    expect(() => dayIn('2026-12-06T02:30:00.000Z', 'Mars/Olympus')).toThrow(RangeError);
  });
});
