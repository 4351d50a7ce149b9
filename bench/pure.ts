// The pure half of `npm run bench`: speed and memory of the hot paths in domain code, measured (never asserted in
// tests). Prints ops/s and latency per task, the heap cost of holding a large synced book, and reply triage.
import { Bench } from 'tinybench';
import { renderDraft } from '../activities/letters.js';
import { responseSchedule, policyFor } from '../src/domain/deadlines.js';
import { detectShortPayment } from '../src/domain/detection.js';
import { classifyMemo } from '../src/domain/full-and-final.js';
import type { Invoice, Payment } from '../src/domain/model.js';
import { parseDecimal, sum } from '../src/domain/money.js';
import { checkApprovalToken, issueApprovalToken } from '../src/services/security/approval-links.js';
import { triageReply } from '../src/domain/reply-triage.js';
import { shortPaymentInput } from '../test/helpers/case-fixtures.js';
import { corpus } from '../test/fixtures/reply-triage/corpus.js';
import { blind } from '../test/fixtures/reply-triage/blind.js';
import { holdout } from '../test/fixtures/reply-triage/holdout.js';
import { invoices } from '../test/fixtures/reply-triage/invoices.js';
import { evaluate, kinds } from '../test/helpers/reply-triage-eval.js';

const memos = [
  'Payment in full for inv 1042',
  'partial payment, balance to follow',
  'PIF',
  'first instalment',
  'Full & final settlement',
  'ACH 889123',
  'not payment in full',
  'towards invoice 77',
];
const amounts = Array.from({ length: 1000 }, (_, i) => `${(i * 37) % 100000}.${String(i % 100).padStart(2, '0')}`);
const ref = (id: string) => ({ provider: 'quickbooks' as const, accountId: 'realm-1', id });

function book(n: number): { invoice: Invoice; payments: Payment[] }[] {
  return Array.from({ length: n }, (_, i) => {
    const total = 100_000 + (i % 977) * 100;
    const paid = i % 3 === 0 ? total - 25_000 : total;
    const invoice: Invoice = {
      ref: ref(`inv-${i}`),
      number: String(1000 + i),
      currency: 'USD',
      status: 'open',
      lines: [],
      customer: { ref: ref(`c-${i % 200}`), name: `Customer ${i % 200}` },
      total: { minor: total, currency: 'USD' },
      balance: { minor: total - paid, currency: 'USD' },
      issueDate: '2026-10-01',
      updatedAt: '2026-11-01T00:00:00Z',
    };
    const payments: Payment[] = [
      {
        ref: ref(`p-${i}`),
        amount: { minor: paid, currency: 'USD' },
        date: '2026-11-01',
        status: 'applied',
        applications: [{ invoice: invoice.ref, amount: { minor: paid, currency: 'USD' } }],
        updatedAt: '2026-11-01T00:00:00Z',
        memo: memos[i % memos.length]!,
      },
    ];
    return { invoice, payments };
  });
}

const books = book(5000);
const policy = policyFor({ zone: 'America/New_York', holidays: ['2026-12-25', '2027-01-01'] });
const input = shortPaymentInput();
const secret = 'x'.repeat(40);
const { token } = issueApprovalToken(
  secret,
  { caseId: 'c', workflowId: 'w', version: 1 },
  { nowMs: Date.now(), ttlMs: 86_400_000 },
);

const bench = new Bench({ time: 500, warmupTime: 100 });
bench
  .add('classify 8 payment memos (full-and-final guard)', () => memos.forEach((m) => classifyMemo(m)))
  .add('parse and sum 1,000 provider decimals', () =>
    sum(
      amounts.map((a) => parseDecimal(a, 'USD')),
      'USD',
    ),
  )
  .add('detect short payments across 5,000 invoices', () =>
    books.forEach((b) => detectShortPayment(b, undefined, '2026-11-15')),
  )
  .add('compute a response schedule (business days, time zone)', () =>
    responseSchedule({ now: '2026-12-04T15:00:00Z', learnedAt: '2026-12-04T15:00:00Z', fullAndFinal: true }, policy),
  )
  .add('render the first written response (text + HTML)', () =>
    renderDraft({
      kind: 'first_response',
      caseId: input.caseId,
      organisation: input.organisation,
      invoice: input.invoice!,
      payments: input.payments,
      paid: { minor: 60_000, currency: 'USD' },
      balance: { minor: 40_000, currency: 'USD' },
      documents: input.documents,
      paymentDueBy: '2026-12-22T04:59:59Z',
    }),
  )
  .add('verify an approval link', () => checkApprovalToken(secret, token, Date.now()));

await bench.run();
console.table(bench.table());

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}
const before = heapAfterGc();
const big = book(50_000);
const held = heapAfterGc();
const results = big.map((b) => detectShortPayment(b, undefined, '2026-11-15'));
const after = heapAfterGc();
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
console.log(
  `memory: 50,000 synced invoices with payments hold ${mb(held - before)}; detection results add ${mb(after - held)} (${results.filter((r) => r.kind === 'open').length} cases to open)`,
);

// Reply triage: quality on the labelled corpus, the hold-out set and the blind set (test/fixtures/reply-triage), then speed against a bare regex scan of the same texts.
const pct = (n: number) => n.toFixed(2);
for (const [name, cases] of [
  ['corpus', corpus],
  ['hold-out set', holdout],
  ['blind set (shaped no rule)', blind],
] as const) {
  const e = evaluate(cases);
  console.log(`reply triage on the ${name} (${e.cases} replies, kind accuracy ${pct(e.accuracy)}):`);
  console.table(
    Object.fromEntries([
      ...kinds.map((k) => [
        `kind: ${k}`,
        {
          precision: pct(e.kinds[k].precision),
          recall: pct(e.kinds[k].recall),
          tp: e.kinds[k].tp,
          fp: e.kinds[k].fp,
          fn: e.kinds[k].fn,
        },
      ]),
      [
        'lines concerned',
        {
          precision: pct(e.lines.precision),
          recall: pct(e.lines.recall),
          tp: e.lines.tp,
          fp: e.lines.fp,
          fn: e.lines.fn,
        },
      ],
      [
        'expected vs billed',
        {
          precision: pct(e.figures.precision),
          recall: pct(e.figures.recall),
          tp: e.figures.tp,
          fp: e.figures.fp,
          fn: e.figures.fn,
        },
      ],
    ]),
  );
}
const replies = [...corpus, ...holdout, ...blind].map((c) => ({
  text: c.text,
  lines: invoices[c.invoice].lines,
  currency: invoices[c.invoice].currency,
}));
const baselinePattern = /[$€£]\s?\d[\d,.]*|\d+\s*(hours?|hrs?)|not happy|dispute|wrong|will pay|paid/gi;
const triageBench = new Bench({ time: 500, warmupTime: 100 });
triageBench
  .add(`baseline: one regex scan of ${replies.length} replies`, () =>
    replies.forEach((r) => r.text.match(baselinePattern)),
  )
  .add(`triage ${replies.length} replies`, () => replies.forEach((r) => triageReply(r)));
await triageBench.run();
console.table(triageBench.table());
const [baseline, triaged] = triageBench.tasks.map((t) => t.result?.hz ?? 0);
if (baseline && triaged)
  console.log(
    `reply triage: ${Math.round(triaged * replies.length)} replies/s, ${(baseline / triaged).toFixed(0)}× the time of the bare regex scan`,
  );
