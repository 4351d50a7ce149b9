// `npm run bench`: measured, never asserted in tests. First the pure hot paths (pure.ts), then the system
// (system/): backfill API calls against each provider's floor and webhook acknowledgement against a bare route,
// printed as one table of ratios and written as JSON to .shortfall/bench/latest.json (ignored by git).
//
//   npm run bench                    both halves; backfills of 10,000 invoices + 10,000 payments
//   npm run bench -- --full          backfills of 100,000 + 100,000 as well (minutes)
//   npm run bench -- --system-only   or --pure-only
//   npm run bench -- --system-only --only=webhooks,webhook-case   only these system sections (backfills,
//                                    webhooks, webhook-case); the table and JSON then hold only those
import path from 'node:path';
import { runSystemBench } from './system/index.js';

const args = new Set(process.argv.slice(2));
const only = process.argv
  .slice(2)
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
if (!args.has('--system-only')) await import('./pure.js');
if (!args.has('--pure-only'))
  await runSystemBench({
    backfillSizes: args.has('--full') ? [10_000, 100_000] : [10_000],
    webhookSeconds: 10,
    webhookCases: 40,
    jsonPath: path.resolve('.shortfall', 'bench', 'latest.json'),
    ...(only && { only }),
  });
