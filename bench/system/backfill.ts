// Backfill cost per provider: API calls the simulator received against the fewest a backfill can make (one list
// call per page, plus each provider's fixed calls), 429s, the time to seed the simulator (its bulk import), and the
// peak RSS of the connector and the sync store alone: the backfill runs in a child process (backfill-child.ts)
// that pulls every page and stores it, on Postgres and on embedded PGlite, while the simulator stays here.
import { fork } from 'node:child_process';
import pg from 'pg';
import { startQuickbooksSimulator } from '../../simulators/quickbooks/index.js';
import { manualClock as stripeClock, startStripeSimulator } from '../../simulators/stripe/index.js';
import {
  defaultTenants,
  manualClock as xeroClock,
  simulatorClient,
  startXeroSimulator,
} from '../../simulators/xero/index.js';
import { startThrowawayPostgres } from '../../test/helpers/postgres-server.js';
import type { ChildConnector, ChildResult, ChildSpec } from './backfill-child.js';

export type Engine = 'postgres' | 'pglite';

export interface BackfillResult {
  readonly provider: 'quickbooks' | 'stripe' | 'xero';
  readonly records: number;
  readonly layout: 'spread' | 'bulk';
  readonly engine: Engine;
  readonly calls: number;
  readonly floor: number;
  readonly rateLimited: number;
  readonly seedMs: number;
  readonly backfillMs: number;
  readonly rows: number;
  readonly pages: number;
  /** The child's RSS with the database open, before the first page, and its peak over the whole run. */
  readonly idleRssMb: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly peakExternalMb: number;
}

/** What a provider's run hands over for each engine: where the simulator is, and how to count its calls. */
interface Seeded {
  readonly connector: ChildConnector;
  readonly now: number;
  readonly floor: number;
  readonly seedMs: number;
  readonly calls: () => { total: number; rateLimited: number };
  close(): Promise<void>;
}

const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const v = f();
  return [v, Math.round(performance.now() - t)];
};

/** `spread`: a minute between invoices (each paid as it is issued); `bulk`: all of them in one second. */
function* spreadOut<T>(n: number, layout: 'spread' | 'bulk', advance: () => void, record: (i: number) => T) {
  for (let i = 0; i < n; i += 1) {
    if (layout === 'spread') advance();
    yield record(i);
  }
}

/**
 * The Node flags the service's processes run with (the Dockerfile's NODE_OPTIONS and package.json's start scripts,
 * kept equal by test/unit/docker-compose.test.ts), so the child's memory is what a worker's backfill costs.
 */
export const serviceNodeFlags = ['--max-semi-space-size=16'] as const;

async function backfillInChild(spec: ChildSpec, nodeFlags: readonly string[]): Promise<ChildResult> {
  const child = fork(new URL('./backfill-child.ts', import.meta.url), {
    // Flags given to the bench come after the service's, so they override them (e.g. --max-semi-space-size=64).
    execArgv: ['--expose-gc', ...serviceNodeFlags, ...nodeFlags, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    return await new Promise<ChildResult>((resolve, reject) => {
      child.once('message', (m: { ok: true; result: ChildResult } | { ok: false; error: string }) =>
        m.ok ? resolve(m.result) : reject(new Error(`backfill child failed: ${m.error}`)),
      );
      child.once('exit', (code) => reject(new Error(`backfill child exited with ${code} before answering`)));
      child.send(spec);
    });
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/** Invoices and one payment each, imported in one pass. */
async function quickbooks(n: number, layout: 'spread' | 'bulk'): Promise<Seeded> {
  let now = Date.parse('2025-01-01T00:00:00Z');
  const sim = await startQuickbooksSimulator({ clock: () => now });
  const app = sim.admin.createApp({ redirectUris: ['http://127.0.0.1:1/cb'] });
  const realmId = sim.admin.createCompany({});
  const customerId = sim.admin.addCustomer(realmId, { name: 'Northwind Traders' }).Id;
  const [, seedMs] = timed(() =>
    sim.admin.importInvoices(
      realmId,
      spreadOut(
        n,
        layout,
        () => (now += 60_000),
        (i) => ({ customerId, lines: [{ description: `Visit ${i}`, unitPrice: 100 }], paid: 90 }),
      ),
    ),
  );
  now += 3_600_000;
  const granted = sim.admin.grantTokens(app.clientId, realmId);
  return {
    connector: { provider: 'quickbooks', realmId, accessToken: granted.access_token, apiUrl: sim.urls.api },
    now,
    // Invoices and payments 1,000 a page; a query result says nothing of what follows, so the list ends only at
    // a short page (an empty one after an exact multiple of 1,000); credit memos one page.
    floor: 2 * (Math.floor(n / 1000) + 1) + 1,
    seedMs,
    calls: () => {
      const requests = sim.admin.requests();
      return { total: requests.length, rateLimited: requests.filter((r) => r.status === 429).length };
    },
    close: () => sim.close(),
  };
}

async function stripe(n: number, layout: 'spread' | 'bulk'): Promise<Seeded> {
  const clock = stripeClock(Date.parse('2025-01-01T00:00:00Z'));
  // Stripe's live-mode limit, so a backfill takes seconds rather than minutes at the test-mode 25/s.
  const sim = await startStripeSimulator({ clock, rateLimit: { opsPerSecond: 100 } });
  const { accountId } = sim.admin.createAccount({ name: 'Volume Books' });
  const customer = sim.admin.createCustomer(accountId, { name: 'Adventure Works' });
  const [, seedMs] = timed(() =>
    sim.admin.importInvoices(
      accountId,
      spreadOut(
        n,
        layout,
        () => clock.advance(60_000),
        (i) => ({
          customer: customer.id,
          currency: 'usd',
          lines: [{ description: `Visit ${i}`, quantity: 1, unitAmount: 10_000 }],
          paid: 9_000,
        }),
      ),
    ),
  );
  return {
    connector: { provider: 'stripe', accountId, apiKey: sim.admin.issueRestrictedKey(accountId), baseUrl: sim.url },
    now: clock.now(),
    // Invoices and invoice payments 100 a page, credit notes and disputes a page each, the newest event before
    // the backfill and the feed's first read after it.
    floor: 2 * Math.ceil(n / 100) + 4,
    seedMs,
    calls: () => ({ total: sim.admin.requests().length, rateLimited: sim.admin.rateLimited() }),
    close: () => sim.close(),
  };
}

async function xero(n: number, layout: 'spread' | 'bulk'): Promise<Seeded> {
  const clock = xeroClock('2025-01-01T00:00:00.000Z');
  const sim = await startXeroSimulator({ consent: { mode: 'auto' }, clock });
  const tenantId = defaultTenants[0]?.tenantId ?? '';
  const contactId = sim.admin.addContact(tenantId, { name: 'Adventure Works' });
  const [, seedMs] = timed(() =>
    sim.admin.importInvoices(
      tenantId,
      spreadOut(
        n,
        layout,
        () => clock.advance(60_000),
        (i) => ({
          contact: contactId,
          lines: [{ description: `Visit ${i}`, quantity: 1, unitAmount: '100.00' }],
          paid: '90.00',
        }),
      ),
    ),
  );
  clock.advance(3_600_000);
  const t = sim.admin.grant({ clientId: simulatorClient.clientId, tenantIds: [tenantId] });
  sim.admin.setRateLimits({ perMinute: 60_000 });
  sim.admin.clearRequests();
  return {
    connector: { provider: 'xero', tenantId, accessToken: t.access_token, apiBasePath: sim.apiBasePath },
    now: clock(),
    // Invoices and payments 1,000 a page, credit notes one page.
    floor: 2 * Math.ceil(n / 1000) + 1,
    seedMs,
    calls: () => {
      const requests = sim.admin.requests();
      return { total: requests.length, rateLimited: requests.filter((r) => r.status === 429).length };
    },
    close: () => sim.close(),
  };
}

const providers = { quickbooks, stripe, xero } as const;

/** A fresh database on the bench's Postgres server for each backfill. */
async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `bench_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Each provider, size and layout seeded once, then backfilled on each engine (calls counted per backfill). */
export async function benchBackfills(
  sizes: readonly number[],
  engines: readonly Engine[] = ['postgres', 'pglite'],
  /** Node flags for the child beyond the defaults the service runs with, e.g. `--max-semi-space-size=16`. */
  childNodeFlags: readonly string[] = [],
  only: readonly BackfillResult['provider'][] = ['quickbooks', 'stripe', 'xero'],
): Promise<BackfillResult[]> {
  const server = engines.includes('postgres') ? await startThrowawayPostgres() : undefined;
  const results: BackfillResult[] = [];
  try {
    for (const records of sizes)
      for (const layout of ['spread', 'bulk'] as const)
        for (const provider of only) {
          global.gc?.();
          const seeded = await providers[provider](records, layout);
          try {
            for (const engine of engines) {
              const before = seeded.calls();
              const database: ChildSpec['database'] =
                engine === 'postgres' && server
                  ? { kind: 'postgres', url: await freshDatabase(server.url) }
                  : { kind: 'pglite' };
              const child = await backfillInChild(
                { connector: seeded.connector, now: seeded.now, database },
                childNodeFlags,
              );
              const after = seeded.calls();
              results.push({
                provider,
                records,
                layout,
                engine,
                calls: after.total - before.total,
                floor: seeded.floor,
                rateLimited: after.rateLimited - before.rateLimited,
                seedMs: seeded.seedMs,
                ...child,
              });
            }
          } finally {
            await seeded.close();
          }
        }
  } finally {
    await server?.stop();
  }
  return results;
}
