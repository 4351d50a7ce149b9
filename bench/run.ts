// `npm run bench`: measured, never asserted in tests. First the pure hot paths (pure.ts), then the system
// (system/): backfill API calls against each provider's floor, webhook acknowledgement against a bare route and
// open cases against sleeping workflows on one worker,
// printed as one table of ratios and written as JSON to .shortfall/bench/latest.json (ignored by git).
//
//   npm run bench                    both halves; backfills of 10,000 invoices + 10,000 payments
//   npm run bench -- --full          backfills of 100,000 + 100,000 as well (tens of minutes on 2 shared cores)
//   npm run bench -- --system-only   or --pure-only
//   npm run bench -- --backfills-only  the system's backfills alone (with --full: 10k and 100k)
//   npm run bench -- --sizes=100000 --engines=postgres --providers=xero   backfill sizes, stores and providers
//   npm run bench -- --json=out.json            write the JSON there instead
//   npm run bench -- --child-node-flags=--max-semi-space-size=16   Node flags for the backfill's child process
//   npm run bench -- --system-only --only=webhooks,webhook-case   only these system sections (backfills,
//                                    webhooks, webhook-case, open-cases, settings-save); the table and JSON then
//                                    hold only those
//   npm run bench -- --open-cases=2000,10000   open cases against sleeping workflows, RSS at both sizes (default
//                                             1000,2000); --open-cases-only skips backfills and webhooks
//   npm run bench -- --system-only --only=settings-save --settings-open-cases=1000   a Settings save's wait, its
//                                    delivery to that many open cases, the sweep, and Temporal down
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
const providers = option('providers')?.map((p) => {
  if (p !== 'quickbooks' && p !== 'stripe' && p !== 'xero')
    throw new Error(`--providers takes quickbooks, stripe and xero, not ${p}`);
  return p;
});
const sizes = option('sizes')?.map((n) => {
  if (!/^\d+$/.test(n)) throw new Error(`--sizes takes whole numbers of records, not ${n}`);
  return Number(n);
});
const only = args.has('--backfills-only')
  ? ['backfills']
  : args.has('--open-cases-only')
    ? ['open-cases']
    : option('only');
if (!args.has('--system-only') && !only) await import('./pure.js');
const openCasesArg = option('open-cases') ?? ['1000', '2000'];
const [early, total] = openCasesArg.map(Number);
if (!early || !total || early > total)
  throw new Error(`--open-cases wants two sizes, the smaller first: ${openCasesArg.join(',')}`);
if (!args.has('--pure-only'))
  await runSystemBench({
    backfillSizes: sizes ?? (args.has('--full') ? [10_000, 100_000] : [10_000]),
    engines,
    childNodeFlags: option('child-node-flags') ?? [],
    ...(providers && { providers }),
    webhookSeconds: 10,
    webhookCases: 40,
    jsonPath: path.resolve(option('json')?.[0] ?? path.join('.shortfall', 'bench', 'latest.json')),
    ...(only && { only }),
    openCases: [early, total],
    settingsOpenCases: Number(option('settings-open-cases')?.[0] ?? 1_000),
  });
