import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../../../src/services/connections/mutex.js';
import { mergeRefreshed, refreshDue } from '../../../../src/services/connections/tokens.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('keyed mutex', () => {
  it('runs callers of one key one at a time, other keys alongside, and survives a failure', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (key: string, name: string, fail = false) =>
      mutex.run(key, async () => {
        log.push(`${name}:start`);
        await tick();
        log.push(`${name}:end`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task('a', 'a1', true), task('a', 'a2'), task('b', 'b1')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('a2:start')).toBeGreaterThan(log.indexOf('a1:end'));
    expect(log.indexOf('b1:start')).toBeLessThan(log.indexOf('a1:end'));
  });
});

describe('token refresh rules', () => {
  const now = Date.parse('2026-12-04T15:00:00Z');
  const expiring = (inMs: number) => ({
    accessToken: 'a',
    refreshToken: 'r',
    expiresAt: new Date(now + inMs).toISOString(),
  });

  it('is due within the margin, never for tokens that cannot or need not be refreshed', () => {
    expect(refreshDue(expiring(4 * 60_000), now, 5 * 60_000)).toBe(true);
    expect(refreshDue(expiring(6 * 60_000), now, 5 * 60_000)).toBe(false);
    expect(refreshDue({ accessToken: 'rk_live_key' }, now, 5 * 60_000)).toBe(false);
    expect(refreshDue({ accessToken: 'a', expiresAt: new Date(now).toISOString() }, now, 5 * 60_000)).toBe(false);
  });

  it('keeps the refresh token and hard cap a provider leaves out of its answer', () => {
    const before = { accessToken: 'a0', refreshToken: 'r0', hardExpiresAt: '2031-01-01T00:00:00.000Z' };
    expect(mergeRefreshed(before, { accessToken: 'a1', expiresAt: 'x' })).toEqual({
      accessToken: 'a1',
      expiresAt: 'x',
      refreshToken: 'r0',
      hardExpiresAt: '2031-01-01T00:00:00.000Z',
    });
    expect(mergeRefreshed(before, { accessToken: 'a1', refreshToken: 'r1' })).toMatchObject({ refreshToken: 'r1' });
  });
});
