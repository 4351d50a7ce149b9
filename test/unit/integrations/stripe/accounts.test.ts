// What the Stripe provider keeps per account is bounded: past `max` the least recently used account goes, an account
// unused for `idleMs` goes the next time any account is used, and a deleted one is made afresh on its next use.
import { describe, expect, it } from 'vitest';
import { createAccountCache } from '../../../../integrations/stripe/accounts.js';

function cache(o: { max?: number; idleMs?: number } = {}) {
  let clock = 0;
  const made: string[] = [];
  const c = createAccountCache((id) => (made.push(id), { id, n: made.length }), { ...o, now: () => clock });
  return { c, made, advance: (ms: number) => void (clock += ms) };
}

describe('per-account cache', () => {
  it('keeps one entry per account and hands the same one back', () => {
    const { c, made } = cache();
    const a = c.get('acct_a');
    expect(c.get('acct_a')).toBe(a);
    expect(made).toEqual(['acct_a']);
  });

  it('evicts the least recently used account past the bound', () => {
    const { c, made } = cache({ max: 2 });
    const a = c.get('acct_a');
    c.get('acct_b');
    c.get('acct_a'); // a used again: b is now the oldest
    c.get('acct_c');
    expect(c.size).toBe(2);
    expect(c.peek('acct_b')).toBeUndefined();
    expect(c.get('acct_a')).toBe(a);
    c.get('acct_b'); // made again, and c (least recently used now) goes
    expect(made).toEqual(['acct_a', 'acct_b', 'acct_c', 'acct_b']);
    expect(c.peek('acct_c')).toBeUndefined();
    expect(c.size).toBe(2);
  });

  it('drops accounts left unused for the idle time when any account is next used', () => {
    const { c, advance } = cache({ idleMs: 1_000 });
    c.get('acct_a');
    advance(600);
    c.get('acct_b');
    advance(600); // a idle 1,200 ms, b 600 ms
    c.get('acct_c');
    expect(c.peek('acct_a')).toBeUndefined();
    expect(c.peek('acct_b')).toBeDefined();
    expect(c.size).toBe(2);
  });

  it('forgets a deleted account, which is made afresh on its next use', () => {
    const { c } = cache();
    const a = c.get('acct_a');
    expect(c.delete('acct_a')).toBe(true);
    expect(c.peek('acct_a')).toBeUndefined();
    expect(c.get('acct_a')).not.toBe(a);
  });

  it('refuses a bound that is not a positive whole number', () => {
    expect(() => createAccountCache(() => 1, { max: 0 })).toThrow(/positive integer/);
  });
});
