// Webhook acknowledgement under a fixed offered load (autocannon, 500 requests a second): the app's real route
// (Stripe signature check, inbox insert, the work after the answer) against a bare Fastify route that only reads
// the body, in the same run, on embedded PGlite (the `npm start` default) and on Postgres. Every acknowledged
// event must be in the inbox exactly once.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { count, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pino from 'pino';
import { createStripeWebhookVerifier } from '../../integrations/stripe/webhook.js';
import { buildApp } from '../../src/app/app.js';
import { openDatabase, type DatabaseHandle } from '../../src/services/db/index.js';
import { webhookInbox } from '../../src/services/db/schema.js';
import { listActiveByAccounts } from '../../src/services/connections/records.js';
import { createLogger } from '../../src/services/logger.js';
import { signPayload } from '../../simulators/stripe/index.js';
import { startThrowawayPostgres } from '../../test/helpers/postgres-server.js';

export interface AckResult {
  readonly target: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  readonly errors: number;
  readonly stored?: number;
  readonly storedDistinct?: number;
}

const secret = 'whsec_bench';
const account = 'acct_bench';
const rate = 500;

function eventBody(n: number): string {
  return JSON.stringify({
    id: `evt_bench_${n}_${Math.random().toString(36).slice(2)}`,
    object: 'event',
    type: 'invoice.updated',
    account,
    api_version: '2025-03-31.basil',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object: { id: `in_${n}`, object: 'invoice' } },
  });
}

async function load(url: string, seconds: number): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url,
    method: 'POST',
    connections: 50,
    overallRate: rate,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          const body = eventBody((n += 1));
          return {
            ...req,
            body,
            headers: {
              'content-type': 'application/json',
              'stripe-signature': signPayload(body, secret, Math.floor(Date.now() / 1000)),
            },
          };
        },
      },
    ],
  });
}

const summary = (target: string, r: autocannon.Result): AckResult => ({
  target,
  rps: Math.round(r['2xx'] / r.duration),
  p50: r.latency.p50,
  p99: r.latency.p99,
  ok: r['2xx'],
  errors: r.errors + r.timeouts + r.non2xx,
});

const silent = () => createLogger({ level: 'info', destination: pino.destination('/dev/null') });

async function bare(seconds: number): Promise<AckResult> {
  const app = Fastify({ loggerInstance: silent() });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/:provider', async () => ({ received: 1 }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return summary('bare Fastify route', await load(`${url}/webhooks/stripe`, seconds));
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
      // What the dispatcher does with new events before it signals a workflow: find the connections they wake.
      onEvents: async (provider, events) =>
        void (await listActiveByAccounts(db, provider, [...new Set(events.map((e) => e.accountId))])),
    },
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const r = await load(`${url}/webhooks/stripe`, seconds);
    await app.close(); // waits for the work after the answers
    const [row] = await db
      .select({ stored: count(), distinct: sql<number>`count(distinct ${webhookInbox.eventId})::int` })
      .from(webhookInbox);
    return { ...summary(name, r), stored: Number(row?.stored ?? 0), storedDistinct: Number(row?.distinct ?? 0) };
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
