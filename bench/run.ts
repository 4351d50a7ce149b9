// `npm run bench`: measured, never asserted in tests. First the pure hot paths (pure.ts), then the system
// (system/): backfill API calls against each provider's floor and webhook acknowledgement against a bare route,
// printed as one table of ratios and written as JSON to .shortfall/bench/latest.json (ignored by git).
//
//   npm run bench                    both halves; backfills of 10,000 invoices + 10,000 payments
//   npm run bench -- --full          backfills of 100,000 + 100,000 as well (about 10 minutes more on 2 cores)
//   npm run bench -- --system-only   or --pure-only
//   npm run bench -- --backfills-only  the system's backfills alone (with --full: 10k and 100k)
//   npm run bench -- --sizes=100000 --engines=postgres   backfill sizes and stores of your choosing
import path from 'node:path';
import { runSystemBench } from './system/index.js';

const args = new Set(process.argv.slice(2));
const option = (name: string) =>
  process.argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',');
const engines = (option('engines') ?? ['postgres', 'pglite']).map((e) => {
  if (e !== 'postgres' && e !== 'pglite') throw new Error(`--engines takes postgres and pglite, not ${e}`);
  return e;
});
const sizes = option('sizes')?.map((n) => {
  if (!/^\d+$/.test(n)) throw new Error(`--sizes takes whole numbers of records, not ${n}`);
  return Number(n);
});
if (!args.has('--system-only') && !args.has('--backfills-only')) await import('./pure.js');
if (!args.has('--pure-only'))
  await runSystemBench({
    backfillSizes: sizes ?? (args.has('--full') ? [10_000, 100_000] : [10_000]),
    engines,
    webhookSeconds: args.has('--backfills-only') ? 0 : 10,
    jsonPath: path.resolve('.shortfall', 'bench', 'latest.json'),
  });
