// Scores reply triage on the labelled corpus: precision and recall per kind label, for line matching (over every
// (reply, line) pair) and for the expected-versus-billed figures. Shared by the corpus test and `npm run bench`.
import { triageReply, type ReplyKind, type ReplyTriage } from '../../src/domain/reply-triage.js';
import { toDecimalString } from '../../src/domain/money.js';
import { corpus, type CorpusCase } from '../fixtures/reply-triage/corpus.js';
import { invoices } from '../fixtures/reply-triage/invoices.js';

export const kinds: readonly ReplyKind[] = ['specific', 'vague', 'accepts', 'unclear'];

export interface Score {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
}
const score = (tp: number, fp: number, fn: number): Score => ({
  tp,
  fp,
  fn,
  precision: tp + fp === 0 ? 1 : tp / (tp + fp),
  recall: tp + fn === 0 ? 1 : tp / (tp + fn),
});

export interface Miss {
  readonly id: string;
  readonly what: string;
}

export interface Evaluation {
  readonly cases: number;
  readonly kinds: Readonly<Record<ReplyKind, Score>>;
  readonly lines: Score;
  /** A stated figure pair counts as found when both expected and received equal the label exactly. */
  readonly figures: Score;
  readonly accuracy: number;
  readonly misses: readonly Miss[];
}

export const triageCase = (c: CorpusCase): ReplyTriage => {
  const inv = invoices[c.invoice];
  return triageReply({ text: c.text, lines: inv.lines, currency: inv.currency });
};

export function evaluate(cases: readonly CorpusCase[] = corpus): Evaluation {
  const k = Object.fromEntries(kinds.map((x) => [x, { tp: 0, fp: 0, fn: 0 }])) as Record<
    ReplyKind,
    { tp: number; fp: number; fn: number }
  >;
  const l = { tp: 0, fp: 0, fn: 0 };
  const f = { tp: 0, fp: 0, fn: 0 };
  const misses: Miss[] = [];
  let right = 0;
  for (const c of cases) {
    const got = triageCase(c);
    if (got.kind === c.kind) {
      k[c.kind].tp++;
      right++;
    } else {
      k[got.kind].fp++;
      k[c.kind].fn++;
      misses.push({ id: c.id, what: `kind ${got.kind}, labelled ${c.kind}` });
    }
    const want = new Set(c.lines ?? []);
    const have = new Set(got.lines.map((x) => x.lineId));
    for (const id of have)
      if (want.has(id)) l.tp++;
      else {
        l.fp++;
        misses.push({ id: c.id, what: `line ${id} suggested, not labelled` });
      }
    for (const id of want)
      if (!have.has(id)) {
        l.fn++;
        misses.push({ id: c.id, what: `line ${id} labelled, not suggested` });
      }
    const gotFig =
      got.expected && got.received ? `${toDecimalString(got.expected)}/${toDecimalString(got.received)}` : undefined;
    const wantFig = c.expected && c.received ? `${c.expected}/${c.received}` : undefined;
    if (gotFig && gotFig === wantFig) f.tp++;
    else {
      if (gotFig) f.fp++;
      if (wantFig) f.fn++;
      if (gotFig || wantFig)
        misses.push({ id: c.id, what: `figures ${gotFig ?? 'none'}, labelled ${wantFig ?? 'none'}` });
    }
  }
  return {
    cases: cases.length,
    kinds: Object.fromEntries(kinds.map((x) => [x, score(k[x].tp, k[x].fp, k[x].fn)])) as Record<ReplyKind, Score>,
    lines: score(l.tp, l.fp, l.fn),
    figures: score(f.tp, f.fp, f.fn),
    accuracy: right / cases.length,
    misses,
  };
}
