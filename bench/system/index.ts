// The system half of `npm run bench`: what the service costs against real simulators, databases and HTTP, as
// ratios against floors and baselines measured in the same run. One table printed; JSON written for comparison.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { benchBackfills, type BackfillResult, type Engine } from './backfill.js';
import { benchWebhooks, type AckResult } from './webhooks.js';
import { benchWebhookToCase, type WebhookCaseResult } from './webhook-case.js';
import { benchOpenCases, type OpenCasesResult } from './open-cases.js';
import { benchSettingsSave, type SettingsSaveResult } from './settings-save.js';

export interface SystemBenchOptions {
  readonly backfillSizes: readonly number[];
  readonly engines: readonly Engine[];
  readonly childNodeFlags?: readonly string[];
  readonly providers?: readonly BackfillResult['provider'][];
  readonly webhookSeconds: number;
  /** Webhooks timed through to their case (after one that starts the sync, not counted). */
  readonly webhookCases: number;
  /** Open cases against sleeping workflows: RSS measured at the first size and at the second. */
  readonly openCases: readonly [number, number];
  readonly jsonPath: string;
  /** Open cases a Settings save reaches (`settings-save`). */
  readonly settingsOpenCases?: number;
  /** Run only these sections (`backfills`, `webhooks`, `webhook-case`, `open-cases`, `settings-save`); all when absent. */
  readonly only?: readonly string[];
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
      measured: `${real.rps} req/s (${real.ok} acknowledged: ${real.acknowledgedStoredOnce} stored once, ${real.acknowledgedMissing} missing)`,
      baseline: `bare route ${bare.rps} req/s`,
      ratio: r2(real.rps / bare.rps),
      target: rpsTarget,
    },
    {
      what: `webhook ack at 500/s, ${engine}: p99`,
      measured: `p50 ${real.p50} ms, p99 ${real.p99} ms; ${real.cpuMsPerRequest} ms CPU a request`,
      baseline: `bare route p50 ${bare.p50} ms, p99 ${bare.p99} ms; ${bare.cpuMsPerRequest} ms CPU`,
      ratio: r2(real.p99 / Math.max(1, bare.p99)),
      target: p99Target,
    },
  ];
}

function caseRows(c: WebhookCaseResult | undefined): Ratio[] {
  if (!c) return [];
  return [
    {
      what: `webhook → case workflow started, PGlite (${c.webhooks} chargebacks, one at a time)`,
      measured:
        `p50 ${c.caseMs.p50} ms, p95 ${c.caseMs.p95} ms, max ${c.caseMs.max} ms (${c.casesOpened - 1} cases; ` +
        `${c.cpuMsPerCase} ms CPU each; load ${c.load.map((l) => l.toFixed(1)).join(' → ')}); stages p50 / p95: ` +
        Object.entries(c.stagesP50)
          .filter(([, v]) => Number.isFinite(v))
          .map(([k, v]) => `${k} ${v} / ${c.stagesP95[k as keyof typeof c.stagesP95]}`)
          .join(', '),
      baseline: `webhook stored: p50 ${c.storedMs.p50} ms, p95 ${c.storedMs.p95} ms`,
      ratio: r2(c.caseMs.p95 / Math.max(1, c.storedMs.p95)),
      target: 'p95 < 250 ms',
    },
  ];
}

function openCaseRows(results: readonly OpenCasesResult[]): Ratio[] {
  const [sleeping, open] = [
    results.find((r) => r.kind === 'sleeping workflows'),
    results.find((r) => r.kind === 'open cases'),
  ];
  const stepping = results.find((r) => r.kind === 'stepping workflows');
  if (!sleeping || !open) return [];
  const n = open.n.toLocaleString('en');
  const early = open.early.toLocaleString('en');
  return [
    {
      what: `${n} open cases on one worker: RSS`,
      measured: `${open.rssMb} MB (heaps: main ${open.heapMb} MB, workflows ${open.workflowHeapMb} MB), ${open.historyEvents} history events a case; load ${open.load}`,
      baseline: `${n} sleeping workflows: ${sleeping.rssMb} MB (heaps: main ${sleeping.heapMb} MB, workflows ${sleeping.workflowHeapMb} MB)`,
      ratio: r2(open.rssMb / sleeping.rssMb),
      target: '≤ 1.5',
    },
    {
      what: `open cases: RSS at ${n} against ${early}`,
      measured: `${open.rssMb} MB at ${n}`,
      baseline: `${open.rssEarlyMb} MB at ${early} (sleeping: ${sleeping.rssEarlyMb} → ${sleeping.rssMb} MB)`,
      ratio: r2(open.rssMb / open.rssEarlyMb),
      target: '≤ 1.3',
    },
    {
      what: `open cases: worker CPU per case start`,
      measured: `${open.cpuMsPerStart} ms (${n} at rest in ${open.startSeconds} s; ${open.statementsPerStart ?? '?'} SQL statements a case)`,
      baseline: `sleeping workflow: ${sleeping.cpuMsPerStart} ms (${sleeping.startSeconds} s)`,
      ratio: r2(open.cpuMsPerStart / Math.max(0.1, sleeping.cpuMsPerStart)),
      target: '≤ 3',
    },
    ...(stepping
      ? [
          {
            what: `stepping workflows: worker CPU per start (Temporal's cost of a case's ${stepping.oneHistory.ACTIVITY_TASK_SCHEDULED ?? '?'} steps alone)`,
            measured: `${stepping.cpuMsPerStart} ms (${stepping.oneHistory.WORKFLOW_TASK_COMPLETED ?? '?'} workflow tasks, ${stepping.historyEvents} history events; ${n} at rest in ${stepping.startSeconds} s)`,
            baseline: `sleeping workflow: ${sleeping.cpuMsPerStart} ms`,
            ratio: r2(stepping.cpuMsPerStart / Math.max(0.1, sleeping.cpuMsPerStart)),
            target: 'the floor for the row above',
          },
          {
            what: `open cases: worker CPU per case start against the same steps doing nothing`,
            measured: `${open.cpuMsPerStart} ms`,
            baseline: `stepping workflow: ${stepping.cpuMsPerStart} ms`,
            ratio: r2(open.cpuMsPerStart / Math.max(0.1, stepping.cpuMsPerStart)),
            target: "what Shortfall's own work adds",
          },
        ]
      : []),
  ];
}

function settingsRows(s: SettingsSaveResult | undefined): Ratio[] {
  if (!s) return [];
  const n = s.openCases.toLocaleString('en');
  return [
    {
      what: `Settings saved with ${n} open cases: the owner's wait`,
      measured: `save answers in ${s.saveMs} ms; load ${s.load}`,
      baseline: `delivery to every open case: ${s.deliveryMs} ms (${s.delivered?.signalled ?? 0} signalled; the save awaited it before)`,
      ratio: r2(s.saveMs / Math.max(1, s.deliveryMs)),
      target: 'answers at once',
    },
    {
      what: `Settings sweep after one of ${n} open cases missed a save`,
      measured: `${s.sweepSignalled} signalled in ${s.sweepMs} ms`,
      baseline: `${n} (before: every open case of the organisation)`,
      ratio: r2(s.sweepSignalled / s.openCases),
      target: 'only the cases that miss it',
    },
    {
      what: 'Settings delivery with Temporal down: until it gives up',
      measured: `${s.downGivesUpMs} ms (5 s deadline a batch)`,
      baseline: `${s.downWithoutDeadlineMs} ms with no deadline (the client's retries; a save waited this long before)`,
      ratio: r2(s.downGivesUpMs / Math.max(1, s.downWithoutDeadlineMs)),
      target: 'fails fast; the save never waits',
    },
  ];
}

export async function runSystemBench(o: SystemBenchOptions): Promise<void> {
  const runs = (section: string) => !o.only || o.only.includes(section);
  const backfills = runs('backfills')
    ? await benchBackfills(o.backfillSizes, o.engines, o.childNodeFlags, o.providers)
    : [];
  const webhooks = runs('webhooks') ? await benchWebhooks(o.webhookSeconds) : { pglite: [], postgres: [] };
  const webhookCase = runs('webhook-case') ? await benchWebhookToCase(o.webhookCases) : undefined;
  const openCases = runs('open-cases') ? await benchOpenCases(o.openCases) : [];
  const settingsSave = runs('settings-save') ? await benchSettingsSave(o.settingsOpenCases ?? 1_000) : undefined;
  const rows = [
    ...backfillRows(backfills),
    ...ackRows('PGlite', webhooks.pglite, 'p99 < 1 s', '≥ 0.9'),
    ...ackRows('Postgres', webhooks.postgres, '≤ 2', '≥ 0.98'),
    ...caseRows(webhookCase),
    ...openCaseRows(openCases),
    ...settingsRows(settingsSave),
  ];
  console.log('system (ratios against floors and baselines from this run):');
  console.table(rows);
  await mkdir(path.dirname(o.jsonPath), { recursive: true });
  await writeFile(
    o.jsonPath,
    JSON.stringify(
      { at: new Date().toISOString(), ratios: rows, backfills, webhooks, webhookCase, openCases, settingsSave },
      null,
      2,
    ) + '\n',
  );
  console.log(`written to ${o.jsonPath}`);
}
