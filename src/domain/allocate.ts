import { Dec } from './decimal.js';
import { money, type Money } from './money.js';

/**
 * Splits `total` in proportion to `ratios` without losing a minor unit: each share is rounded down, then the
 * leftover units go to the shares with the largest remainders (ties to the earlier share).
 */
export function allocate(total: Money, ratios: readonly number[]): Money[] {
  if (ratios.length === 0) throw new RangeError('allocate needs at least one ratio');
  if (ratios.some((r) => !Number.isFinite(r) || r < 0)) throw new RangeError('Ratios must be finite and non-negative');
  const weights = ratios.map((r) => new Dec(r));
  const weightSum = Dec.sum(...weights);
  if (weightSum.isZero()) throw new RangeError('At least one ratio must be positive');

  const sign = total.minor < 0 ? -1 : 1;
  const units = new Dec(Math.abs(total.minor));
  const exact = weights.map((w) => units.times(w).dividedBy(weightSum));
  const shares = exact.map((e) => e.floor().toNumber());
  let leftover = Math.abs(total.minor) - shares.reduce((a, b) => a + b, 0);

  const byRemainder = exact
    .map((e, i) => ({ i, rem: e.minus(e.floor()) }))
    .sort((a, b) => b.rem.comparedTo(a.rem) || a.i - b.i);
  for (const { i } of byRemainder) {
    if (leftover === 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    leftover -= 1;
  }
  return shares.map((s) => money(sign * s, total.currency));
}
