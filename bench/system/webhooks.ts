// Webhook acknowledgement under a fixed offered load (autocannon, 500 requests a second): the app's real route
// (Stripe signature check, inbox insert, the work after the answer) against a bare Fastify route that only reads
// the body, in the same run, on embedded PGlite (the `npm start` default) and on Postgres. Every acknowledged
// event must be in the inbox exactly once: the load generator reports which events were acknowledged, and the
// bench counts each in the inbox. autocannon runs in a child process (./load.ts) for both routes, so the server
// under test has its event loop (and its share of the 2 cores) to itself, as it would behind a real network;
// in one process, autocannon's work delayed the bare route's answers as much as the real route's and hid the
// difference the ratio is about.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { count, inArray, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pino from 'pino';
import { createStripeWebhookVerifier } from '../../integrations/stripe/webhook.js';
import { buildApp } from '../../src/app/app.js';
import { openDatabase, type DatabaseHandle } from '../../src/services/db/index.js';
import { webhookInbox } from '../../src/services/db/schema.js';
import { listActiveByAccounts } from '../../src/services/connections/records.js';
import { createLogger } from '../../src/services/logger.js';
import { startThrowawayPostgres } from '../../test/helpers/postgres-server.js';
import type { LoadReport, LoadRequest } from './load.js';

export interface AckResult {
  readonly target: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  readonly errors: number;
  /** CPU time of this process (the server, with PGlite when embedded; not Postgres's) per acknowledged request. */
  readonly cpuMsPerRequest: number;
  readonly stored?: number;
  readonly storedDistinct?: number;
  /** Acknowledged events found in the inbox exactly once, and acknowledged events missing from it (must be 0). */
  readonly acknowledgedStoredOnce?: number;
  readonly acknowledgedMissing?: number;
}

const secret = 'whsec_bench';
const account = 'acct_bench';
const rate = 500;

/** Runs the load generator (./load.ts) in a child process and returns its report. */
async function load(url: string, seconds: number): Promise<LoadReport> {
  const child = fork(fileURLToPath(new URL('./load.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  try {
    const report = once(child, 'message').then(([m]) => m as LoadReport);
    const request: LoadRequest = { url, seconds, rate, connections: 50, secret, account };
    child.send(request);
    return await Promise.race([
      report,
      exited.then(([code]) => Promise.reject(new Error(`load generator exited with ${String(code)}`))),
    ]);
  } finally {
    if (child.exitCode === null) child.kill();
    await exited;
  }
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

const summary = (target: string, r: LoadReport, cpu: number): AckResult => ({
  target,
  cpuMsPerRequest: Math.round((cpu / Math.max(1, r.ok)) * 100) / 100,
  rps: Math.round(r.ok / r.durationS),
  p50: r.p50,
  p99: r.p99,
  ok: r.ok,
  errors: r.errors,
});

const silent = () => createLogger({ level: 'info', destination: pino.destination('/dev/null') });

async function bare(seconds: number): Promise<AckResult> {
  const app = Fastify({ loggerInstance: silent() });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/:provider', async () => ({ received: 1 }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const cpu = process.cpuUsage();
    const r = await load(`${url}/webhooks/stripe`, seconds);
    return summary('bare Fastify route', r, cpuMs(cpu));
  } finally {
    await app.close();
  }
}

async function real(name: string, handle: DatabaseHandle, seconds: number): Promise<AckResult> {
  const { db } = handle;
  const app = await buildApp({
    logger: silent(),
    readiness: [],
    webhooks: {
      verifiers: { stripe: createStripeWebhookVerifier({ secrets: [secret], platformAccountId: 'acct_platform' }) },
      db,
      logger: silent(),
      inboxConcurrency: handle.kind === 'postgres' ? 3 : 1, // as src/app/deps.ts sets it
      // What the dispatcher does with new events before it signals a workflow: find the connections they wake.
      onEvents: async (provider, events) =>
        void (await listActiveByAccounts(db, provider, [...new Set(events.map((e) => e.accountId))])),
    },
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const cpu = process.cpuUsage();
    const r = await load(`${url}/webhooks/stripe`, seconds);
    const cpuUsed = cpuMs(cpu);
    await app.close(); // waits for the work after the answers
    const [row] = await db
      .select({ stored: count(), distinct: sql<number>`count(distinct ${webhookInbox.eventId})::int` })
      .from(webhookInbox);
    // Every acknowledged event must be in the inbox exactly once (the unique key allows no more; this counts).
    const copies = await db
      .select({ eventId: webhookInbox.eventId, n: count() })
      .from(webhookInbox)
      .where(inArray(webhookInbox.eventId, r.acknowledged))
      .groupBy(webhookInbox.eventId);
    return {
      ...summary(name, r, cpuUsed),
      stored: Number(row?.stored ?? 0),
      storedDistinct: Number(row?.distinct ?? 0),
      acknowledgedStoredOnce: copies.filter((c) => Number(c.n) === 1).length,
      acknowledgedMissing: r.acknowledged.length - copies.length,
    };
  } finally {
    await app.close();
  }
}

export async function benchWebhooks(seconds: number): Promise<{ pglite: AckResult[]; postgres: AckResult[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-bench-'));
  const pgl = await openDatabase({ kind: 'pglite', dir: path.join(dir, 'pglite') });
  let pglite: AckResult[];
  try {
    pglite = [await bare(seconds), await real('webhook route, PGlite', pgl, seconds)];
  } finally {
    await pgl.close();
    await rm(dir, { recursive: true, force: true });
  }
  const server = await startThrowawayPostgres();
  try {
    const pg = await openDatabase({ kind: 'postgres', url: server.url });
    try {
      return { pglite, postgres: [await bare(seconds), await real('webhook route, Postgres', pg, seconds)] };
    } finally {
      await pg.close();
    }
  } finally {
    await server.stop();
  }
}
