// The system half of `npm run bench`: what the service costs against real simulators, databases and HTTP, as
// ratios against floors and baselines measured in the same run. One table printed; JSON written for comparison.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { benchBackfills, type BackfillResult, type Engine } from './backfill.js';
import { benchWebhooks, type AckResult } from './webhooks.js';

export interface SystemBenchOptions {
  readonly backfillSizes: readonly number[];
  readonly engines: readonly Engine[];
  readonly childNodeFlags?: readonly string[];
  readonly providers?: readonly BackfillResult['provider'][];
  /** 0 leaves the webhook half out (`--backfills-only`). */
  readonly webhookSeconds: number;
  readonly jsonPath: string;
}

interface Ratio {
  readonly what: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: number;
  readonly target: string;
}

const r2 = (n: number) => Math.round(n * 100) / 100;

function backfillRows(results: readonly BackfillResult[]): Ratio[] {
  return results.map((b) => ({
    what: `${b.provider} backfill, ${b.records.toLocaleString('en')} + ${b.records.toLocaleString('en')} ${b.layout}, ${b.engine}`,
    measured: `${b.calls} calls, ${b.rateLimited} × 429, ${b.rows} rows in ${b.backfillMs} ms; connector + store RSS ${b.idleRssMb} → peak ${b.peakRssMb} MB (heap peak ${b.peakHeapMb} MB); seeded in ${b.seedMs} ms`,
    baseline: `${b.floor} calls (floor)`,
    ratio: r2(b.calls / b.floor),
    target: b.engine === 'postgres' ? '≤ 1.05, no 429, peak < 300 MB' : '≤ 1.05, no 429',
  }));
}

function ackRows(engine: string, [bare, real]: readonly AckResult[], p99Target: string, rpsTarget: string): Ratio[] {
  if (!bare || !real) return [];
  return [
    {
      what: `webhook ack at 500/s, ${engine}: throughput`,
      measured: `${real.rps} req/s (${real.ok} acknowledged, ${real.stored} stored, ${real.storedDistinct} distinct)`,
      baseline: `bare route ${bare.rps} req/s`,
      ratio: r2(real.rps / bare.rps),
      target: rpsTarget,
    },
    {
      what: `webhook ack at 500/s, ${engine}: p99`,
      measured: `p50 ${real.p50} ms, p99 ${real.p99} ms`,
      baseline: `bare route p50 ${bare.p50} ms, p99 ${bare.p99} ms`,
      ratio: r2(real.p99 / Math.max(1, bare.p99)),
      target: p99Target,
    },
  ];
}

export async function runSystemBench(o: SystemBenchOptions): Promise<void> {
  const backfills = await benchBackfills(o.backfillSizes, o.engines, o.childNodeFlags, o.providers);
  const webhooks = o.webhookSeconds > 0 ? await benchWebhooks(o.webhookSeconds) : { pglite: [], postgres: [] };
  const rows = [
    ...backfillRows(backfills),
    ...ackRows('PGlite', webhooks.pglite, 'p99 < 1 s', '≥ 0.9'),
    ...ackRows('Postgres', webhooks.postgres, '≤ 2', '≥ 0.98'),
  ];
  console.log('system (ratios against floors and baselines from this run):');
  console.table(rows);
  await mkdir(path.dirname(o.jsonPath), { recursive: true });
  await writeFile(
    o.jsonPath,
    JSON.stringify({ at: new Date().toISOString(), ratios: rows, backfills, webhooks }, null, 2) + '\n',
  );
  console.log(`written to ${o.jsonPath}`);
}
