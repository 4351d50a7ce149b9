// Open cases against trivial sleeping workflows on one worker (issue 18, point 4). A real Temporal dev server, a real
// Postgres, a real SMTP server and the QuickBooks simulator; the worker runs in a child process so that its RSS and
// CPU are its own, reported over IPC (worker-probe.ts), with the production worker settings (src/app/worker.ts).
//
// Phase A: a fresh worker (sleeping-worker.ts) runs N workflows that only sleep('30 days').
// Phase B: a fresh production worker (`src/app/main.ts worker`) runs N short-payment cases, each opened the way the
// case starter opens one (claimed row, the case's input, its search attributes), through to its resting state: the
// receipt sent to the client, the first written response drafted and emailed to the owner for approval, the case
// list projected, the workflow waiting for the owner. RSS is measured (after a full GC) once the first size (1,000 by
// default) is at rest and again at N; worker CPU per case start is the CPU the worker spent from the first start
// until all N rest, divided by N. Nothing sleeps: settled state is polled (the database, then each workflow's
// description: no pending workflow task, no pending activity).
// Phase C: a fresh baseline worker runs N workflows that take as many steps as a case took to rest (activities that
// do nothing), then sleep: what Temporal's step machinery alone costs, the floor under Phase B's CPU.
//
// Findings (2 shared cores; `uptime` load beside each figure): see the notes at the bottom of this file.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto'; // CommonJS: named ESM imports of its namespaces fail at runtime
import { bundleWorkflowCode } from '@temporalio/worker';
import { count, eq } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { nodeFlags, processEnv } from '../../bin/process-settings.js';
import { loadConfig } from '../../src/app/config.js';
import { createServices } from '../../src/app/deps.js';
import { openDatabase, type DatabaseHandle } from '../../src/services/db/index.js';
import { cases, organisations, users } from '../../src/services/db/schema.js';
import { claimCase, markStarted } from '../../src/services/cases/claim.js';
import { organisationProfile } from '../../src/services/cases/input.js';
import { caseSearchAttributes } from '../../src/services/cases/search-attributes.js';
import { createLogger } from '../../src/services/logger.js';
import type { DisputeCaseInput } from '../../workflows/dispute-case/definitions.js';
import { startQuickbooksSimulator, type QuickbooksSimulator } from '../../simulators/quickbooks/index.js';
import { startThrowawayPostgres } from '../../test/helpers/postgres-server.js';
import { createDevEnv } from '../../test/helpers/temporal-env.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const MB = 1024 * 1024;
/** Cases per simulated company: QuickBooks budgets each company (realm) on its own, as a real owner base spreads. */
const casesPerCompany = 100;
/** How many starts the bench keeps in flight, as the case starter and a sync pass would. */
const startConcurrency = 16;
const restingStatus = 'awaiting_approval';

export interface OpenCasesResult {
  readonly kind: 'sleeping workflows' | 'open cases' | 'stepping workflows';
  readonly n: number;
  readonly early: number;
  readonly rssEarlyMb: number;
  readonly rssMb: number;
  /** The V8 heap of the main thread (activities, the SDK's Node side) and of the workflow threads, at N. */
  readonly heapMb: number;
  readonly workflowHeapMb: number;
  /** What V8 keeps resident for those heaps (their pages, used or not), and what it malloced beside them. */
  readonly heapResidentMb: number;
  readonly workflowHeapResidentMb: number;
  readonly v8MallocedMb: number;
  /** The RSS at N by kind of mapping (worker-probe.ts): V8's pages, the malloc heap and arenas, code. */
  readonly residentMb: Readonly<Record<string, number>>;
  readonly cpuMsPerStart: number;
  /** The CPU per start by thread (worker-probe.ts): main, the workflow thread, Temporal Core, libuv, V8's workers. */
  readonly cpuMsPerStartByThread: Readonly<Record<string, number>>;
  readonly startSeconds: number;
  readonly historyEvents: number;
  /** One workflow's history by event type (activities, timers, search-attribute upserts, workflow tasks), and its size. */
  readonly oneHistory: Readonly<Record<string, number>>;
  readonly logLinesPerStart: number;
  /** SQL statements the worker sent per start, in all and by text (the most frequent first). */
  readonly statementsPerStart?: number;
  readonly statementsByText?: Readonly<Record<string, number>>;
  readonly load: string;
}

interface Measured {
  readonly rss: number;
  readonly heapUsed: number;
  readonly workflowThreadsHeap: number;
  readonly heapPhysical: number;
  readonly workflowThreadsPhysical: number;
  readonly malloced: number;
  readonly resident: Readonly<Record<string, number>>;
  readonly external: number;
  readonly cpuMicros: number;
  readonly cpuByThread: Readonly<Record<string, number>>;
  /** SQL statements sent so far, by text (production worker, BENCH_COUNT_STATEMENTS). */
  readonly statements?: Readonly<Record<string, number>>;
}

const loadAvg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Polls `read` until `done` holds, with a pause that never decides the result (no sleep stands for a state). It
 * gives up only when `progress` (a count of what has settled) stops growing for `stallMs`: a loaded machine is slow,
 * not stuck.
 */
async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (t: T) => boolean,
  progress: (t: T) => number,
  stallMs = 180_000,
) {
  let best = -1;
  let movedAt = Date.now();
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (progress(v) > best) [best, movedAt] = [progress(v), Date.now()];
    if (Date.now() - movedAt > stallMs)
      throw new Error(`No progress for ${stallMs / 1000} s waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function pool<T>(items: readonly T[], width: number, run: (t: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

class WorkerProcess {
  private output = '';
  /** Lines the worker wrote to stdout and stderr (its log), since it started. */
  lines = 0;
  private constructor(private readonly child: ChildProcess) {
    const keep = (d: Buffer) => {
      const text = d.toString();
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lines++;
      this.output = (this.output + text).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  }

  static async start(script: string, args: string[], env: Record<string, string>): Promise<WorkerProcess> {
    const child = fork(script, args, {
      cwd: root,
      // Both workers run Node as production does (bin/process-settings.js): same V8 flags, same malloc settings.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...processEnv, ...env },
      execArgv: [
        ...nodeFlags,
        '--expose-gc',
        '--import',
        'tsx',
        '--import',
        path.join(here, 'worker-probe.ts'),
        // BENCH_CPU_PROF_DIR=dir writes each worker's CPU profile there, to see where a case's CPU goes.
        ...(process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : []),
      ],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const w = new WorkerProcess(child);
    await until(
      'the bench worker to poll',
      async () => {
        if (child.exitCode !== null) throw new Error(`bench worker exited ${child.exitCode}:\n${w.output}`);
        return /worker polling/.test(w.output);
      },
      Boolean,
      () => 0,
    );
    return w;
  }

  tail(): string {
    return this.output.slice(-4000);
  }

  measure(): Promise<Measured> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (typeof m === 'object' && m !== null && 'measured' in m) {
          this.child.off('message', onMessage);
          resolve((m as { measured: Measured }).measured);
        }
      };
      this.child.on('message', onMessage);
      if (!this.child.send('measure')) reject(new Error('the bench worker has no IPC channel'));
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Workflows that have no pending workflow task or activity: at rest, as far as the worker is concerned. */
async function atRest(client: Client, workflowIds: readonly string[]): Promise<{ resting: number; events: number }> {
  let resting = 0;
  let events = 0;
  await pool(workflowIds, 32, async (id) => {
    const d = await client.workflow.getHandle(id).describe();
    if (!d.raw.pendingWorkflowTask && (d.raw.pendingActivities?.length ?? 0) === 0 && d.historyLength > 3) {
      resting++;
      events += d.historyLength;
    }
  });
  return { resting, events };
}

/** A mail server that takes every message and keeps a count (parsing 20,000 letters would load the machine). */
async function startMailSink(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Phase {
  readonly worker: WorkerProcess;
  readonly client: Client;
  readonly sizes: readonly [number, number];
  /** Starts workflow `i` and returns its id. */
  readonly start: (i: number) => Promise<string>;
  /** A cheap count of how many of `ids` look settled, before each is described. */
  readonly settled?: () => Promise<number>;
}

async function runPhase(kind: OpenCasesResult['kind'], p: Phase): Promise<OpenCasesResult> {
  const [early, n] = p.sizes;
  const ids: string[] = [];
  const before = await p.worker.measure();
  const linesBefore = p.worker.lines;
  const t0 = Date.now();
  const settle = async (upTo: number) => {
    const batch = Array.from({ length: upTo - ids.length }, (_, k) => ids.length + k);
    await pool(batch, startConcurrency, async (i) => void ids.push(await p.start(i)));
    if (p.settled)
      await until(
        `${upTo} ${kind} to settle`,
        () => p.settled!(),
        (c) => c >= upTo,
        (c) => c,
      );
    return until(
      `${upTo} ${kind} at rest`,
      () => atRest(p.client, ids),
      (r) => r.resting >= upTo,
      (r) => r.resting,
    );
  };
  await settle(early);
  const atEarly = await p.worker.measure();
  const loadEarly = loadAvg();
  const rest = await settle(n);
  const seconds = (Date.now() - t0) / 1000;
  const atN = await p.worker.measure();
  const history = await p.client.workflow.getHandle(ids[0]!).fetchHistory();
  const oneHistory: Record<string, number> = {
    bytes: proto.temporal.api.history.v1.History.encode(history).finish().length,
  };
  for (const e of history.events ?? []) {
    const type = String(proto.temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? e.eventType).replace(
      'EVENT_TYPE_',
      '',
    );
    oneHistory[type] = (oneHistory[type] ?? 0) + 1;
  }
  const result: OpenCasesResult = {
    kind,
    n,
    early,
    rssEarlyMb: Math.round(atEarly.rss / MB),
    rssMb: Math.round(atN.rss / MB),
    heapMb: Math.round(atN.heapUsed / MB),
    workflowHeapMb: Math.round(atN.workflowThreadsHeap / MB),
    heapResidentMb: Math.round(atN.heapPhysical / MB),
    workflowHeapResidentMb: Math.round(atN.workflowThreadsPhysical / MB),
    v8MallocedMb: Math.round(atN.malloced / MB),
    residentMb: Object.fromEntries(Object.entries(atN.resident).map(([k, v]) => [k, Math.round(v / MB)])),
    cpuMsPerStart: Math.round(((atN.cpuMicros - before.cpuMicros) / 1000 / n) * 10) / 10,
    cpuMsPerStartByThread: Object.fromEntries(
      Object.entries(atN.cpuByThread)
        .map(([name, us]) => [name, Math.round(((us - (before.cpuByThread[name] ?? 0)) / 1000 / n) * 10) / 10] as const)
        .filter(([, ms]) => ms >= 0.1),
    ),
    startSeconds: Math.round(seconds),
    historyEvents: Math.round((rest.events / n) * 10) / 10,
    oneHistory,
    logLinesPerStart: Math.round(((p.worker.lines - linesBefore) / n) * 10) / 10,
    ...statementsPerStart(before, atN, n),
    load: `${loadEarly} / ${loadAvg()}`,
  };
  // Each phase as it ends: a later failure must not lose it (the table comes at the end).
  console.error(`open cases bench, ${kind}: ${JSON.stringify(result)}`);
  return result;
}

function statementsPerStart(before: Measured, after: Measured, n: number) {
  if (!after.statements) return {};
  const per = Object.entries(after.statements)
    .map(([text, c]) => [text, Math.round(((c - (before.statements?.[text] ?? 0)) / n) * 100) / 100] as const)
    .filter(([, c]) => c >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  return {
    statementsPerStart: Math.round(per.reduce((t, [, c]) => t + c, 0) * 10) / 10,
    statementsByText: Object.fromEntries(per),
  };
}

const usd = (minor: number) => ({ minor, currency: 'USD' });

/** One simulated company with an organisation, an owner and a QuickBooks connection in the vault. */
async function seedCompany(
  k: number,
  qb: QuickbooksSimulator,
  qbApp: { clientId: string },
  handle: DatabaseHandle,
  vault: ReturnType<typeof createServices>['vault'],
) {
  const db = handle.db;
  const [org] = await db
    .insert(organisations)
    .values({ name: `Bench Studio ${k}`, timeZone: 'America/New_York', signature: 'Ana Ruiz' })
    .returning();
  await db.insert(users).values({ organisationId: org!.id, email: `owner${k}@studio.example`, role: 'owner' });
  const realmId = qb.admin.createCompany({ name: `Bench Studio ${k}` });
  const tokens = qb.admin.grantTokens(qbApp.clientId, realmId);
  const { connection } = await vault.connect({
    organisationId: org!.id,
    provider: 'quickbooks',
    accountId: realmId,
    name: `Bench Studio ${k}`,
    sandbox: true,
    tokens: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: new Date(Date.now() + tokens.expires_in * 1000).toISOString(),
    },
  });
  return {
    organisationId: org!.id,
    realmId,
    connectionId: connection.id,
    profile: await organisationProfile(db, org!.id),
  };
}

/** A short-paid invoice in the company's books and the case the starter would open for it. */
function shortPaidInvoice(qb: QuickbooksSimulator, company: Awaited<ReturnType<typeof seedCompany>>, i: number) {
  const email = `accounts${i}@client.example`;
  const customer = qb.admin.addCustomer(company.realmId, { name: `Client ${i}`, email });
  const lines = [
    ['Brand identity', 600],
    ['Menu design', 250],
    ['Signage', 150],
  ] as const;
  const inv = qb.admin.addInvoice(company.realmId, {
    customerId: customer.Id,
    txnDate: '2026-11-01',
    dueDate: '2026-12-01',
    lines: lines.map(([description, unitPrice]) => ({ description, unitPrice })),
  });
  const pay = qb.admin.addPayment(company.realmId, {
    customerId: customer.Id,
    amount: 600,
    applications: [{ invoiceId: inv.Id, amount: 600 }],
    txnDate: '2026-12-04',
  });
  const ref = (id: string) => ({ provider: 'quickbooks' as const, accountId: company.realmId, id });
  const input: Omit<DisputeCaseInput, 'caseId'> = {
    caseKey: `invoice/quickbooks/${company.realmId}/${inv.Id}`,
    connectionId: company.connectionId,
    provider: 'quickbooks',
    organisation: company.profile,
    learnedAt: new Date().toISOString(),
    invoice: {
      ref: ref(inv.Id),
      number: inv.DocNumber ?? inv.Id,
      customerId: customer.Id,
      customerName: customer.DisplayName ?? `Client ${i}`,
      customerEmail: email,
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
      total: usd(100_000),
      balance: usd(40_000),
      lines: (inv.Line ?? [])
        .filter((l) => l.Id)
        .map((l, j) => ({
          id: l.Id!,
          description: lines[j]![0],
          quantity: '1',
          unitPrice: usd(lines[j]![1] * 100),
          amount: usd(lines[j]![1] * 100),
        })),
    },
    payments: [{ ref: ref(pay.Id), amount: usd(60_000), date: '2026-12-04' }],
    documents: [],
  };
  return input;
}

export async function benchOpenCases(sizes: readonly [number, number]): Promise<OpenCasesResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-bench-cases-'));
  const stops: (() => Promise<unknown>)[] = [async () => rm(dir, { recursive: true, force: true })];
  const results: OpenCasesResult[] = [];
  try {
    const [dev, postgres, mail, qb] = await Promise.all([
      createDevEnv(),
      startThrowawayPostgres(),
      startMailSink(),
      startQuickbooksSimulator(),
    ]);
    stops.push(
      () => dev.teardown(),
      () => postgres.stop(),
      () => mail.close(),
      () => qb.close(),
    );
    const client = dev.client;

    // Phase A: sleeping workflows, bundled ahead of time like the production bundle.
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(here, 'sleeping-workflow.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    const sleepingBundle = path.join(dir, 'sleeping-bundle.js');
    await writeFile(sleepingBundle, code);
    /** A baseline phase on a fresh worker of the baseline bundle: N workflows of `type`, each started with `args`. */
    const baseline = async (kind: OpenCasesResult['kind'], type: string, args: unknown[]) => {
      const queue = `bench-${type}-${randomUUID()}`;
      const worker = await WorkerProcess.start(path.join(here, 'sleeping-worker.ts'), [], {
        TEMPORAL_ADDRESS: dev.address,
        TEMPORAL_TASK_QUEUE: queue,
        BENCH_WORKFLOW_BUNDLE: sleepingBundle,
      });
      try {
        return await runPhase(kind, {
          worker,
          client,
          sizes,
          start: async (i) => {
            const h = await client.workflow.start(type, {
              taskQueue: queue,
              workflowId: `bench-${type}-${i}-${randomUUID()}`,
              args,
            });
            return h.workflowId;
          },
        });
      } finally {
        await worker.stop();
      }
    };
    results.push(await baseline('sleeping workflows', 'sleepingWorkflow', []));

    // Phase B: the production worker, on its own database, mail server and simulated QuickBooks companies.
    const casesQueue = `bench-cases-${randomUUID()}`;
    const qbApp = qb.admin.createApp({ redirectUris: ['http://127.0.0.1:9/oauth/quickbooks/callback'] });
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: dev.address,
      TEMPORAL_TASK_QUEUE: casesQueue,
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      APP_SECRET: 's'.repeat(48),
      SMTP_URL: mail.url,
      PUBLIC_URL: 'http://127.0.0.1:9',
      MAIL_REPLY_DOMAIN: 'replies.bench.example',
      SHORTFALL_DATA_DIR: path.join(dir, 'worker'),
      QUICKBOOKS_BASE_URL: qb.url,
      QUICKBOOKS_CLIENT_ID: qbApp.clientId,
      QUICKBOOKS_CLIENT_SECRET: qbApp.clientSecret,
    };
    const handle = await openDatabase({ kind: 'postgres', url: postgres.url });
    stops.push(() => handle.close());
    const services = createServices({
      config: loadConfig({ ...env, SHORTFALL_DATA_DIR: path.join(dir, 'seed') }),
      logger: createLogger({ level: 'silent' }),
      db: handle,
      client,
      secrets: { encryptionKeys: env.ENCRYPTION_KEYS, appSecret: env.APP_SECRET },
    });
    const companies: Awaited<ReturnType<typeof seedCompany>>[] = [];
    for (let k = 0; k < Math.ceil(sizes[1] / casesPerCompany); k++)
      companies.push(await seedCompany(k, qb, qbApp, handle, services.vault));
    const inputs = Array.from({ length: sizes[1] }, (_, i) =>
      shortPaidInvoice(qb, companies[Math.floor(i / casesPerCompany)]!, i),
    );

    const worker = await WorkerProcess.start(path.join(root, 'src/app/main.ts'), ['worker'], {
      ...env,
      BENCH_COUNT_STATEMENTS: '1',
    });
    try {
      results.push(
        await runPhase('open cases', {
          worker,
          client,
          sizes,
          // As the case starter does: claim the row, start the workflow with its search attributes, mark it started.
          start: async (i) => {
            const input = inputs[i]!;
            const facts = {
              kind: 'short_payment' as const,
              invoice: input.invoice!.ref,
              invoiceNumber: input.invoice!.number,
              total: input.invoice!.total,
              paid: usd(60_000),
              disputed: usd(40_000),
              payments: input.payments.map((p) => p.ref),
            };
            const row = await claimCase(
              handle.db,
              {
                organisationId: input.organisation.id,
                connectionId: input.connectionId,
                caseKey: input.caseKey,
                facts,
                customerName: input.invoice!.customerName,
              },
              new Date(),
            );
            const full = { ...input, caseId: row!.id };
            await client.workflow.start('disputeCaseWorkflow', {
              workflowId: row!.workflowId,
              taskQueue: casesQueue,
              args: [full],
              workflowIdConflictPolicy: 'USE_EXISTING',
              typedSearchAttributes: caseSearchAttributes(full, facts),
            });
            await markStarted(handle.db, row!.id, [], new Date());
            return row!.workflowId;
          },
          // The bench's database holds only these cases.
          settled: async () => {
            const [row] = await handle.db.select({ n: count() }).from(cases).where(eq(cases.status, restingStatus));
            return Number(row?.n ?? 0);
          },
        }),
      );
      if (process.env.BENCH_SHOW_LOG) console.log(worker.tail());
    } finally {
      await worker.stop();
    }
    if (mail.received() < sizes[1] * 2)
      throw new Error(`${mail.received()} mails for ${sizes[1]} cases: each case sends a receipt and an approval`);

    // Phase C: what the SDK and the server cost for a case's number of steps alone. A workflow that runs as many
    // activities one after another as a case ran before it rested (each does nothing), then sleeps, on the baseline
    // worker: the floor for a case's CPU with Temporal's step machinery and none of Shortfall's work.
    const steps = results.find((r) => r.kind === 'open cases')?.oneHistory.ACTIVITY_TASK_SCHEDULED ?? 0;
    results.push(await baseline('stepping workflows', 'steppingWorkflow', [steps]));
    return results;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(err));
  }
}

// Findings, issue 18 point 4 (December 2026, 2 cores shared with three other engineers' test runs: load 17–30, so
// seconds are not comparable between runs; CPU is the worker's own CPU time, RSS its own). 300 then 1,000 of each:
//
// | 1,000 on one worker (cache 500)    | before                  | after                   |
// |------------------------------------|-------------------------|-------------------------|
// | sleeping workflows: RSS 300 → 1k   | 390 → 516 MB            | 266 → 395 MB (same code)|
// | sleeping: CPU per start            | 6.4 ms                  | 6.2 ms                  |
// | open cases: RSS 300 → 1k           | 921 → 1,200 MB          | 703 → 879 MB            |
// | open cases: main heap at 1k        | 121 MB                  | 95 MB                   |
// | open cases: CPU per start          | 83 ms                   | 81 ms                   |
// | history per case                   | 72 events, 27.6 KB      | 50 events, 23.1 KB      |
// | workflow tasks / activities        | 11 / 10                 | 6 / 5 (+5 local)        |
// | search-attribute upserts           | 5 (all 7 attributes)    | 2 changed + 3 SDK       |
// (loads: before 20–30, after 22–26; a second "before" run with CPU profiling gave 953 → 1,054 MB.)
//
// After, `npm run bench -- --open-cases-only` (1,000 then 2,000; load 10–18): sleeping 455 → 479 MB (heaps: main
// 38, workflow thread 44 MB), 5.6 ms a start; open cases 1,182 → 1,142 MB (heaps: main 96, workflow thread 150 MB),
// 66 ms a start. Memory is bounded by the workflow cache (2,000 against 1,000: 0.97; sleeping 1.05), but 2,000 open
// cases take 2.4 × the sleeping workflows' RSS, about 900 MB of it outside both V8 heaps (Temporal Core and malloc),
// and the CPU per start is 11.8 × a sleeping workflow's.
//
// What grew or cost per case, and what changed:
// - Every workflow in the worker's reusable V8 context evaluated its own copy of each bundled module it imports,
//   luxon and decimal.js included, at start and at every replay, and kept it while cached; luxon rebuilt its Intl
//   zone caches per case. Now both are preloaded and shared (src/app/temporal/workflow-bundle.ts). [Second pass:
//   they were not: the list named the packages, which webpack resolved to nothing for luxon and to decimal.js's
//   CommonJS copy, which nothing used; see below.]
// - 11 workflow tasks and 10 activities to reach the owner's approval: 3 were audit rows and 2 the case list's
//   projection. Making those local activities cut it to 6 tasks and 5 activities, but was reverted: under load, cases
//   then failed on replay with nondeterminism errors (patch markers out of order). The figures above include it.
// - 5 upserts of all seven search attributes; now only what changed (patched 'upsert-changed-search-attributes').
//   The TS SDK itself upserts TemporalChangeVersion the first time each patch is taken (3 per new case).
// - A new Intl formatter per amount or date (letters, and the workflow's texts): now one per locale and options.
// - A new SMTP connection (and TLS handshake, in production) per letter: now a pool.
// - The worker process loaded the whole HTTP tree: now only server modes do (main heap 119 → 97 MB at rest).
// - Checked and left: the worker uses the prebuilt bundle (main.ts passes workflowBundle; nothing bundles in the
//   running worker); maxCachedWorkflows 500 with reuseV8Context (the SDK default) and 40 concurrent workflow tasks;
//   no query handler runs unless asked; no memo. State carries the drafts (subject, text and HTML of each letter)
//   and the timeline (capped at 500); the drafts also pass through history twice (draftLetter's result and
//   requestApproval's input).
// Not met: CPU per case stays about 13 × a sleeping workflow's. With the workflow tasks halved it did not move, so
// most of it is likely the activities' own work (not profiled on an idle machine): a PDF from the ledger through the
// shared rate limiter and the vault, two letters rendered, two mails with the PDF attached, approval tokens, and the
// SQL behind each. RSS at 1,000 is 2.2 × the sleeping worker's, most of it the production worker's own base (about
// 430–460 MB at 10 cases against about 220 MB: its main heap holds the services, provider SDKs and drivers) and
// native memory outside both heaps.
//
// Second pass, issue 18 point 4 (7 December 2026; 2 cores shared with four other engineers, load in brackets). The
// probe now splits the RSS by mapping (V8's pages, the malloc heap and arenas, other anonymous memory, code) and the
// worker's CPU by thread (/proc/self/task), since a sampled CPU profile on a loaded machine mostly shows waiting: the
// main thread's `writev` to Postgres (the write wakes the backend, which preempts us) and the workflow thread's
// `runInContext` (the SDK runs every call into the sandbox with its 5 s timeout, so Node starts and joins a watchdog
// thread each time: 75 µs of CPU, 240 µs of wall time measured, four or more calls an activation).
//
// | default run (1,000 then 2,000)     | before (main)          | after                                   |
// |------------------------------------|------------------------|-----------------------------------------|
// | sleeping: RSS 1k → 2k              | 484 → 479 MB           | 358 → 366 MB                            |
// | open cases: RSS 1k → 2k            | 1,031 → 1,053 MB       | 659 → 669 MB (1.02)                     |
// | RSS, open against sleeping at 2k   | 2.20                   | 1.83                                    |
// | CPU per start, open / sleeping     | 67.2 / 5.3 ms (12.7 ×) | 68.6 / 6.8 ms (10.1 ×)                  |
// | activities / workflow tasks a case | 10 / 11                | 8 / 9                                   |
// (loads: before 5–15; after 15–26. After, at 2,000: heaps used main 70, workflow thread 88 MB; resident by kind:
// V8 pages 352, malloc heap 154, other anonymous 86, code 79 MB; 65 history events a case against 75; CPU per start
// by thread: main 28.4, workflow thread 19.3, Temporal Core 9.7, V8's workers 6.9, the rest 4.3 ms.) The sleeping
// baseline itself moves between runs (366–479 MB at 2,000, 4.9–6.8 ms a start), so compare ratios within a run.
// With only the first two changes below (load 14–23): sleeping 391 → 404 MB, open cases 733 → 744 MB (1.84 ×; heaps
// used: main 70, workflow thread 148 MB; resident by kind: V8 pages 408, malloc heap 170, other anonymous 86, code
// 81 MB), CPU 75.1 against 6.5 ms.
// At 2,000 and 10,000 (`--open-cases=2000,10000`, started on the code before the audit and shared-module changes;
// load 15–26): sleeping workflows 362 MB at 2,000 → 470 MB at 10,000 (1.30). The open cases did not finish in the
// time this session had: 4,293 of 10,000 at rest after 35 minutes, and the run was stopped. Sampled meanwhile (the
// worker's VmRSS without a GC, not a bench figure): 640–760 MB from about 2,500 to 4,300 cases at rest, with no
// upward trend past the cache of 500; the bound at 10,000 is not measured.
//
// What the RSS was, and what changed:
// - V8's young generation. Node 24 grows each thread's semi-spaces up to 64 MiB under a busy allocator and a full GC
//   does not give them back: the production worker kept about 128 MB resident for each of its main and workflow
//   threads beyond what their heaps used (the first pass's "outside both V8 heaps" was mostly this: the probe then
//   reported heap used, not what V8 keeps). `--max-semi-space-size=16` (bin/process-settings.js): at 300 cases the
//   open-cases worker 668 → 421 MB (main heap resident 178 → 71 MB, workflow thread 235 → 119), for about 6 % more
//   CPU per start (73.9 → 78.4 ms, V8's GC threads 11.6 → 13.6 ms; load 10–15). The sleeping worker never grew its
//   young generation, so its RSS does not move (291 → 304 MB, noise).
// - glibc's arenas: each thread that mallocs (Temporal Core's tokio threads, libuv's pool, V8's workers) got its own
//   64 MiB arena, four of them about 200 MB resident in the running worker; `MALLOC_ARENA_MAX=2` leaves the main heap
//   and one arena (malloc 270 → 211 MB mid-run). Both settings reach production through bin/shortfall.js, which
//   starts Node again in place when they are missing (the image's entry point, `npm start`, compose's services), and
//   both bench workers get them.
// - The worker's base: every provider's SDK loaded at start through integrations/providers.ts (xero-node 25 MB of V8
//   heap, stripe 10, QuickBooks 12, pdfkit 9). Providers now load on first use, pdfkit with the first evidence pack:
//   the wiring's heap at import 67 → 32 MB; the bench loads QuickBooks with its first case.
// - Per cached case, the workflow thread's heap: luxon and decimal.js were not shared (above), nor the domain modules
//   around them. The shared list is now the domain modules the case imports, by file, which brings the ES builds of
//   luxon and decimal.js along: the workflow thread's heap at 300 cached cases 105 → 69 MB, its CPU per start 25.7 →
//   21.2 ms (load 19–25).
// - Left: the probe still cannot name about 70 MB of V8 pages in the production worker (40 in the sleeping one): heaps
//   of isolates it cannot ask, tsx's esbuild worker among them (the worker runs TypeScript through tsx; precompiled
//   JavaScript would drop it). The SDK keeps a stack trace for every pending promise of every cached workflow.
//
// What the CPU is (150 then 300 cases, after the first three changes; load 12–15): 78.4 ms a start = main thread 31.5
// (the activities: drizzle building each statement, pg, nodemailer, the SDK's activity pipeline), workflow thread
// 20.5, V8's GC and compiler threads 13.6, Temporal Core 9.5, the rest 3; a sleeping workflow 4.9 = 0.9 + 2.1 + 1.0 +
// 0.5. On the workflow thread, besides the watchdog threads: the SDK captures a stack trace, source-mapped, for every
// promise the workflow creates (v8 promise hooks; 1.24 has no switch), and luxon's zone arithmetic in the business-day
// schedules. Changed: the schedules built a new Intl formatter to check the zone on every call (now luxon's cached
// zone); the receipt's and the approval request's audit entries are written by the activities that send them
// (patched 'audit-in-its-step': 10 → 8 activities, 11 → 9 workflow tasks). CPU per start moves ±30 % with the load
// (the sleeping baseline itself read 4.9 to 6.8 ms across runs), so these show in the thread split more than in the
// ratio: 16.0 × (load 12–15) before the audit change, 13.6 × after (load 22–25), 14.1 × with the shared modules.
// Not met: CPU per start stays 11–14 × a sleeping workflow's. What a case does before the owner's approval is real
// work: two letters rendered, two emails through the outbox (insert, select, SMTP, update), the invoice PDF fetched
// through the shared rate limiter (a transaction of about seven statements a provider request), an approval token,
// some 25 SQL statements, 9 workflow tasks against 1. Not tried: prepared drizzle statements for the hot inserts and
// updates, the case-list projection written by the step before it, a cheaper limiter transaction, precompiled JS.
//
// Third pass, issue 18 point 4 (7 December 2026, 2 cores shared with two other engineers' benches and a 10,000-case
// run; `--open-cases=200,500`, 500 cached cases at most, so every case stays cached). The bench now counts the SQL
// statements the production worker sends, by text (worker-probe.ts wraps pg's Client.query; BENCH_COUNT_STATEMENTS):
// a case sent 45–50 statements to reach the owner's approval, not the 25 the second pass estimated. Of those, 20–24
// were the shared rate limiter's: each of the case's two provider requests (the invoice PDF, the payment link the
// first response names) took a transaction of eight round trips (begin, create the row, lock it, read it with the
// leases, write the lease, move the pacer, sweep, commit) plus the release, and each try that found the pacer ahead
// (1.2 of them a case here: 100 cases share one simulated realm's 500 a minute) took five. Then 4 reads of the same
// connection row (the vault's get, then getFreshAuth's own read, for each provider request), 6 for the two emails
// (insert, select, update) and 4 for the invoice PDF's document (a transaction of two inserts).
//
// | 500 cases (4 pairs)          | main 1      | main 2      | main 3      | main 4      | after 1     | after 2     | after 3     | after 4     |
// |------------------------------|-------------|-------------|-------------|-------------|-------------|-------------|-------------|-------------|
// | SQL statements a case        | 50.3        | 45.0        | 75.6        | 79.6        | 29.4 ¹      | 26.2        | 30.8        | 35.1        |
// |   of them provider tries     | 3.3         | 2.2         | 8.3         | 9.2         | 5.4         | 5.3         | 10.0        | 14.4        |
// | CPU per start, open cases    | 84.3 ms     | 87.5 ms     | 65.2 ms     | 63.7 ms     | 75.8 ms     | 84.2 ms     | 59.0 ms     | 59.7 ms     |
// |   main thread (activities)   | 36.0        | 37.0        | 27.9        | 28.1        | 30.4        | 33.5        | 22.6        | 23.5        |
// |   workflow thread            | 22.4        | 23.8        | 16.2        | 16.6        | 20.7        | 23.5        | 15.9        | 16.1        |
// |   Temporal Core / V8 workers | 10.3 / 11.9 | 10.7 / 11.8 | 7.8 / 10.5  | 8.1 / 8.0   | 9.7 / 11.3  | 11.0 / 12.1 | 7.4 / 10.4  | 7.8 / 9.4   |
// | CPU per start, sleeping      | 6.3 ms      | 5.3 ms      | 4.8 ms      | 4.5 ms      | 4.9 ms      | 6.0 ms      | 4.7 ms      | 5.4 ms      |
// | ratio                        | 13.4 ×      | 16.5 ×      | 13.6 ×      | 14.2 ×      | 15.5 ×      | 14.0 ×      | 12.6 ×      | 11.1 ×      |
// | RSS at 500, open / sleeping  | 532 / 328   | 520 / 344   | 432 / 327   | 649 / 320   | 490 / 335   | 481 / 330   | 404 / 317   | 417 / 302   |
// | load (open cases, 200 / 500) | 13.8 / 14.6 | 17.0 / 22.6 | 18.8 / 17.1 | 9.7 / 10.4  | 20.2 / 19.0 | 19.2 / 18.4 | 17.9 / 18.2 | 6.0 / 6.6   |
// Pairs run back to back: main 1 then after 1 (with a test run beside it), main 2 then after 2, after 3 then main 3
// (same load), after 4 then main 4 (the quietest; main 4's RSS is an outlier: its main heap kept 151 MB resident). Provider tries: the limiter's tries a
// case, 2 granted and the rest told to wait by the pacer (a faster run meets the simulated realm's rate more often).
// (¹ without the document change below.)
//
// What changed (each keeps its tests green: test/integration/limits, mail, documents, activities, connections):
// - The shared limiter's try is one statement, `select … from provider_rate_acquire(…)` (migration 0021): a
//   PL/pgSQL function that takes the same steps in the same order under the account's row lock. A single UPDATE …
//   RETURNING cannot count the leases: a statement that waited for the row lock still reads the leases as of its own
//   start (read committed) and misses the lease of the attempt it waited for; inside a volatile function each
//   statement takes a fresh snapshot, so the count after the lock sees it, as the transaction's did. Same tables,
//   so processes of the earlier release share the budget with it during a rolling upgrade. 8 round trips → 1.
// - The outbox inserts … returning the row (read back only when a first attempt wrote it); a ledger call reads its
//   connection's row once for what it is and its tokens (vault.getWithFreshAuth); a stored document is one
//   data-modifying CTE (row and bytes, still all or nothing) instead of a transaction of four.
// What moved: the statements fell by 19–45 a case (more when the pacer makes requests wait: a wait is now one
// statement, not five), and the main thread's CPU with them by 3.5–5.6 ms a case (9–19 %; 4.6 ms in pair 4, though
// its "after" tried the limiter 14.4 times a case against 9.2). The CPU per start as a whole moved by about as much in
// the two steadier pairs (65.2 → 59.0 and 63.7 → 59.7 ms) and less than the spread between runs otherwise; the
// sleeping baseline itself read 4.5–6.3 ms in these eight runs, so the ratio moves with it. RSS did not move beyond
// the runs' spread.
// What did not move, and why the 3 × target stays out of reach this way: a statement cost the worker 0.1–0.3 ms of CPU
// (the main thread's drop over the statements' drop: drizzle building it, pg writing and parsing, the wakeups), so
// the 26–35 left are 4–10 ms of the main thread's 23–34; the rest is the activities' own work (two letters rendered,
// two SMTP sends, the PDF read from the simulated ledger, the SDK's activity pipeline), and the 9 workflow tasks and 8
// activities cost the workflow thread, Temporal Core and V8's GC 34–47 ms a case against about 4 ms for a sleeping
// workflow's one task. The ratio at 500 is 11.1–15.5 × after, 13.4–16.5 × before (not rerun at 2,000).
// Each case's history also holds 7 search-attribute upserts, 5 of them Temporal Core's TemporalChangeVersion, one for
// each patch a new case takes (attach-invoice-pdf, audit-in-its-step, draft-basis-before-drafting,
// upsert-changed-search-attributes, project-standing): they cost no workflow task, but each is a visibility write.
// Not tried (next): fewer workflow tasks (the case-list projection written by requestApproval's step, behind a patch
// and a new activity name as audit-in-its-step did; the projection after the receipt, which the case list shows for
// the seconds before the draft); prepared statements (node-postgres prepares per connection; the hot ones are the
// three inserts and two updates above); what a cached case holds in the workflow thread (about 90 KB each against
// a sleeping workflow's: the state with the draft's text and HTML, the SDK's stack trace per pending promise).
//
// 10,000 on one worker (7 December 2026, main at 273e2af, before the statement changes above;
// `--open-cases=2000,10000`, load 5–10 for the sleeping phase, 13–18 for the open cases):
// | at 10,000                         | sleeping workflows | open cases                          |
// |-----------------------------------|--------------------|-------------------------------------|
// | RSS at 2,000 → 10,000             | 355 → 483 MB (1.36)| 550 → 641 MB (1.17; target ≤ 1.3)   |
// | RSS, open against sleeping        |                    | 1.33 (target ≤ 1.5)                 |
// | heaps used, main / workflow thread| 38 / 40 MB         | 68 / 89 MB                          |
// | resident: V8 pages, malloc, other anonymous, files | 216, 93, 103, 73 | 306, 156, 98, 81 MB |
// | CPU per start                     | 6.8 ms             | 65.4 ms (9.6 ×; target ≤ 3)         |
// | CPU per start by thread: main, workflow thread, Core, V8's workers | 1.2, 3.2, 1.0, 0.5 | 26.0, 18.3, 10.0, 6.7 |
// | time to start all                 | 489 s              | 2,634 s                             |
// The open cases' RSS past the cache grows by 11 KB a case (550 → 641 MB over 8,000), less than the sleeping
// workflows' 16 KB (Temporal Core's per-run state and the dev server's answers); what each cached case holds is
// bounded by the cache. The ratio at 2,000 (1.55–1.83 across runs) is higher than at 10,000 because the production
// worker's own base (its services, drivers and SDKs: about 150 MB more than the sleeping worker's) weighs more there.
//
// Fourth pass, issue 18 point 4 (7 December 2026, 2 cores shared with two engineers' test runs; `--open-cases=100,300`).
// The bench now runs a third phase, the floor this target sits on: a workflow that runs as many activities one after
// another as a case ran before it rested (each does nothing), then sleeps, on the baseline worker. What Temporal's
// step machinery alone costs (the SDK's activation and activity pipelines, Temporal Core, the server's round trips):
// | 300 on one worker                 | before (8 steps)           | after (6 steps)            |
// |-----------------------------------|----------------------------|----------------------------|
// | sleeping workflow, CPU per start  | 5.8 / 6.2 ms               | 5.9 / 5.7 ms               |
// | stepping workflow (no-op steps)   | 28.2 / 29.7 ms (4.9 / 4.8 ×)| 25.7 / 33.3 ms (4.4 / 5.8 ×)|
// | open cases                        | 75.8 / 78.2 ms (13.1 / 12.6 ×)| 66.5 / 70.1 ms (11.3 / 12.3 ×)|
// | open cases against stepping       | 2.7 / 2.6 ×                | 2.6 / 2.1 ×                |
// | by thread, open cases (main, workflow thread, Core, V8's workers) | 31.8, 20.0, 9.8, 10.5 | 27.8, 16.9, 8.5, 10.1 |
// | SQL statements a case             | 38 → 23.9 (limiter in line) | 23.9                      |
// (loads 3–9; two runs of each.) So a workflow that takes a case's steps and does nothing in them already costs 4.4–5.8
// × a sleeping workflow's start, past the 3 × target before any of Shortfall's work; each step costs about 3 ms of the
// worker's CPU. Meeting 3 × would need a case to rest in at most three steps doing next to nothing in them, where it
// must document the partial payment in a letter, draft the written response and ask the owner's approval, each a
// durable, idempotent step (the seed's first points). That is why point 4's CPU target is not met: it is below the
// floor the SDK sets for the work the case must do. What was done against it:
// - The case list's row is written by the steps that send the receipt and ask the owner's approval (patch
//   project-in-its-step, new activity names sendEmailProjected / requestApprovalProjected): 8 activities and 9
//   workflow tasks to the owner's approval → 6 and 7; 69 → 59 history events; 75.8–78.2 → 66.5–70.1 ms a start. A
//   change that lands while such a step runs is written after it by project(), as before; each row carries the
//   workflow time it was read at, and the list keeps the newest (an attempt that outlived its retry cannot put an
//   older row back: cases.projected_at, migration 0022).
// - The shared limiter: within a process only the first request in line asks the database for a slot, and it sleeps
//   until the pacer's slot instead of polling every 250 ms. 100 cases opening on one company asked 17.5 times a case
//   (every waiter asking at every slot); now 2 per provider request (38 → 24 statements a case).
// - Tried and dropped: a workflow bundle without source mappings (the SDK maps every promise's stack trace through
//   it): the workflow thread's CPU did not move (21.2 against 20.8 ms a start).
// - `--heap-growing-percent=50` (bin/process-settings.js; for the Xero backfill's peak, bench/system/backfill.ts):
//   61.1 ms a start against 66.5–70.1 without, RSS at 300 457 against 447–472 MB: no cost seen here.
// Not done (each a further step off, none enough for 3 ×): the receipt drafted inside its send, the response drafted
// inside its approval request (each one step), the opening audit entry written by the starter.
