// Flags payment memos that could turn a short payment into a settlement ("accord and satisfaction") if the
// owner cashes it without objecting. Errs towards flagging: a false alarm costs a firmer letter, a miss can cost the debt.
import type { Payment } from './model.js';

export interface MemoRisk {
  readonly risk: 'high' | 'none';
  /** The canonical phrase that matched, e.g. "full and final". */
  readonly matched?: string;
}

const corrections = new Map(
  Object.entries({
    ful: 'full',
    fulll: 'full',
    fll: 'full',
    fuly: 'fully',
    fullly: 'fully',
    finel: 'final',
    finl: 'final',
    fianl: 'final',
    fnal: 'final',
    finall: 'final',
    finaly: 'final',
    pmt: 'payment',
    pymt: 'payment',
    pymnt: 'payment',
    pmnt: 'payment',
    paymt: 'payment',
    pyt: 'payment',
    pd: 'paid',
    payed: 'paid',
    piad: 'paid',
    paied: 'paid',
    stlmt: 'settlement',
    setlmt: 'settlement',
    settlmt: 'settlement',
    sttlmt: 'settlement',
    setled: 'settled',
    setteled: 'settled',
    n: 'and',
    paidinfull: 'paid in full',
    fullandfinal: 'full and final',
    fullfinal: 'full final',
    fandf: 'f and f',
  }),
);

// Longer words get one Damerau edit of slack ("payement", "setlement", "settelment", "satisfacton").
const fuzzyTargets = ['payment', 'settlement', 'satisfaction', 'accepted'];

const phrases = [
  'full and final',
  'final and full',
  'full final',
  'f and f',
  'fnf',
  'accord and satisfaction',
  'in full satisfaction',
  'full satisfaction',
  'accepted as full payment',
  'full settlement',
  'final settlement',
  'complete settlement',
  'settlement in full',
  'in settlement',
  'paid in full',
  'payment in full',
  'pay in full',
  'settled in full',
  'fully paid',
  'paid fully',
  'full payment',
  'final payment',
  'pif',
  'p i f',
  'in full',
].map((p) => p.split(' '));

const negatorsBefore = new Set([
  'not',
  'no',
  'non',
  'never',
  'isnt',
  'nor',
  'partial',
  'partially',
  'part',
  'towards',
  'toward',
]);
const negatorsAfter = new Set(['follow', 'follows', 'following', 'pending', 'due', 'later', 'next', 'come']);

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rest = (x: string, from: number) => x.slice(from);
  return (
    rest(a, i + 1) === rest(b, i + 1) || // substitution (or equal)
    rest(a, i + 1) === rest(b, i) || // deletion from a
    rest(a, i) === rest(b, i + 1) || // insertion into a
    (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(a, i + 2) === rest(b, i + 2)) // transposition
  );
}

function canonicalToken(t: string): string {
  const fixed = corrections.get(t);
  if (fixed !== undefined) return fixed;
  if (t.length >= 6) return fuzzyTargets.find((target) => editDistanceAtMostOne(t, target)) ?? t;
  return t;
}

export function tokenizeMemo(text: string): string[] {
  const plain = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[&+]/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ');
  return plain
    .split(' ')
    .filter(Boolean)
    .flatMap((t) => canonicalToken(t).split(' '));
}

function occursAt(tokens: readonly string[], phrase: readonly string[], at: number): boolean {
  return phrase.every((word, k) => tokens[at + k] === word);
}

function negated(tokens: readonly string[], start: number, end: number): boolean {
  const before = tokens.slice(Math.max(0, start - 3), start);
  const after = tokens.slice(end, end + 2);
  return before.some((t) => negatorsBefore.has(t)) || after.some((t) => negatorsAfter.has(t));
}

export function classifyMemo(text: string | undefined): MemoRisk {
  if (!text) return { risk: 'none' };
  const tokens = tokenizeMemo(text);
  const matches = phrases.flatMap((phrase) =>
    tokens.flatMap((_, at) => (occursAt(tokens, phrase, at) ? [{ phrase, start: at, end: at + phrase.length }] : [])),
  );
  const negatedSpans = matches.filter((m) => negated(tokens, m.start, m.end));
  // "not the full and final settlement": "final settlement" sits inside a negated phrase, so it is negated too.
  const hit = matches.find((m) => !negatedSpans.some((n) => m.start < n.end && n.start < m.end));
  return hit ? { risk: 'high', matched: hit.phrase.join(' ') } : { risk: 'none' };
}

/** Both free-text fields are scanned: ledgers keep the memo in one or the other. */
export function classifyPayment(payment: Pick<Payment, 'memo' | 'reference'>): MemoRisk & { readonly text?: string } {
  for (const text of [payment.memo, payment.reference]) {
    const r = classifyMemo(text);
    if (r.risk === 'high') return { ...r, text: text ?? '' };
  }
  return { risk: 'none' };
}
