// `npm run bench`: measured, never asserted in tests. First the pure hot paths (pure.ts), then the system
// (system/): backfill API calls against each provider's floor, webhook acknowledgement against a bare route and
// open cases against sleeping workflows on one worker,
// printed as one table of ratios and written as JSON to .shortfall/bench/latest.json (ignored by git).
//
//   npm run bench                    both halves; backfills of 10,000 invoices + 10,000 payments
//   npm run bench -- --full          backfills of 100,000 + 100,000 as well (minutes)
//   npm run bench -- --system-only   or --pure-only
//   npm run bench -- --open-cases=2000,10000   open cases against sleeping workflows, RSS at both sizes (default
//                                             1000,2000); --open-cases-only skips backfills and webhooks
import path from 'node:path';
import { runSystemBench } from './system/index.js';

const args = new Set(process.argv.slice(2));
const sizesArg = process.argv.find((a) => a.startsWith('--open-cases='))?.slice('--open-cases='.length) ?? '1000,2000';
const [early, total] = sizesArg.split(',').map(Number);
if (!early || !total || early > total) throw new Error(`--open-cases wants two sizes, the smaller first: ${sizesArg}`);
const openCasesOnly = args.has('--open-cases-only');
if (!args.has('--system-only') && !openCasesOnly) await import('./pure.js');
if (!args.has('--pure-only'))
  await runSystemBench({
    backfillSizes: args.has('--full') ? [10_000, 100_000] : [10_000],
    webhookSeconds: 10,
    openCases: [early, total],
    openCasesOnly,
    jsonPath: path.resolve('.shortfall', 'bench', 'latest.json'),
  });
