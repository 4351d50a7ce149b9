// The client's answer as the response page posts it, checked field by field. A client who names nothing is asked
// to name a line (or the whole invoice) and why: "not happy" alone is not an answer Shortfall can act on.
import { MoneyParseError, parseDecimal, type Money } from '../../../domain/money.js';
import { disputeReasons, type ClientAnswer, type DisputeReason } from '../../../services/cases/client-responses.js';
import type { Form, Parsed } from '../cases/forms.js';

const one = (f: Form, key: string): string => {
  const v = f[key];
  return ((Array.isArray(v) ? v[0] : v) ?? '').trim();
};
const many = (f: Form, key: string): string[] => {
  const v = f[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const MAX_TEXT = 2_000;

export const NAME_WHAT =
  'Tell us which line you dispute (or the whole invoice) and why, so the business can answer it.';

/** `lineIds`: the invoice's lines, so only those are accepted; `total` bounds the amount the client accepts. */
export function clientAnswer(f: Form, lineIds: readonly string[], total: Money): Parsed<ClientAnswer> {
  const message = one(f, 'message').slice(0, MAX_TEXT);
  if (one(f, 'answer') === 'accept') return { ok: true, value: { kind: 'accepts', ...(message && { message }) } };
  if (one(f, 'answer') !== 'dispute')
    return { ok: false, message: 'Choose whether you dispute the invoice or accept the balance.' };

  const whole = one(f, 'whole') === 'yes';
  const picked = many(f, 'lines').filter((id) => lineIds.includes(id));
  const lines = whole ? [...lineIds] : [...new Set(picked)];
  const reason = one(f, 'reason');
  if (lines.length === 0 || !(reason in disputeReasons)) return { ok: false, message: NAME_WHAT };
  const expected = one(f, 'expected').slice(0, MAX_TEXT);
  const received = one(f, 'received').slice(0, MAX_TEXT);
  if (reason === 'other' && !message && !expected)
    return { ok: false, message: 'Say in a sentence what is wrong, so the business can answer it.' };

  let acceptsMinor: number | undefined;
  const accepts = one(f, 'accepts');
  if (accepts) {
    // "250,50" is a decimal comma, not two hundred and fifty thousand: ask for the form we read.
    if (/,\d{1,2}$/.test(accepts)) return { ok: false, message: `"${accepts}" is not an amount. Write it as 250.00.` };
    try {
      const m = parseDecimal(accepts.replace(/[,\s]/g, '').replace(/^[^\d.-]+/, ''), total.currency);
      if (m.minor < 0 || m.minor > total.minor)
        return { ok: false, message: 'The amount you accept must be between zero and the invoice total.' };
      acceptsMinor = m.minor;
    } catch (err) {
      if (err instanceof MoneyParseError)
        return { ok: false, message: `"${accepts}" is not an amount. Write it as 250.00.` };
      throw err;
    }
  }
  return {
    ok: true,
    value: {
      kind: 'objection',
      lineIds: lines,
      reason: reason as DisputeReason,
      ...(expected && { expected }),
      ...(received && { received }),
      ...(acceptsMinor !== undefined && { acceptsMinor }),
      ...(message && { message }),
    },
  };
}
