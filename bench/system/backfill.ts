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
import { nodeFlags, processEnv } from '../../bin/process-settings.js';

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
 * The child runs Node as every service process does (bin/process-settings.js: the flags and malloc's environment
 * that bin/shortfall.js and the Dockerfile apply), so its memory is what a worker's backfill costs.
 */
const serviceNodeFlags = nodeFlags;

async function backfillInChild(spec: ChildSpec, nodeFlags: readonly string[]): Promise<ChildResult> {
  const child = fork(new URL('./backfill-child.ts', import.meta.url), {
    // Flags given to the bench come after the service's, so they override them (e.g. --max-semi-space-size=64).
    execArgv: ['--expose-gc', ...serviceNodeFlags, ...nodeFlags, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...processEnv },
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

// Findings, issue 18 point 2 (December 2026; 2 cores shared with four other engineers' runs, load 9–29, so seconds
// are not comparable between runs; RSS is the child's own). 100,000 invoices + 100,000 payments on Postgres, MB:
//
// | provider, layout  | before: idle → peak (heap), time | after: idle → peak (heap), time | calls (floor), 429s |
// |-------------------|----------------------------------|---------------------------------|---------------------|
// | QuickBooks spread | 313 → 492 (275), 192 s           | 149 → 245 (132), 203 s          | 203 (203), 0        |
// | QuickBooks bulk   | 301 → 461 (265), 340 s           | 149 → 237 (125), 671 s          | 203 (203), 0        |
// | Stripe spread     | 310 → 460 (276), 321 s           | 161 → 258 (139), 168 s          | 2004 (2004), 0      |
// | Stripe bulk       | 296 → 448 (276), 392 s           | 147 → 228 (122), 694 s          | 2004 (2004), 0      |
// | Xero spread       | 309 → 494 (293), 563 s           | 157 → 330 (198), 544 s          | 201 (201), 0        |
// | Xero bulk         | 318 → 488 (286), 348 s           | 157 → 326 (199), 963 s          | 201 (201), 0        |
// (before: load 13–20; after: load 9–29, with PGlite benches and others' open-cases runs beside it. Calls were at
// the floor with no 429 before and after. Peak external memory before 18–30 MB, after 10–23 MB.)
//
// Where the ~300 MB idle went (the child with the database open, before the first page, after a full GC):
// - V8's young generation, 128 MB: Node 24's V8 sizes the semi-spaces from the heap limit, itself from the host's
//   memory (4 GB on this 24 GB host → 64 MB semi-spaces), grows them while modules load (drizzle's ESM graph alone
//   pushes them to the maximum: everything allocated while loading survives) and keeps them. The service now runs
//   with --max-semi-space-size=16 (the Dockerfile's NODE_OPTIONS, the npm start scripts; `serviceNodeFlags` above):
//   −110 MB idle in every process. It cannot be set at run time (v8.setFlagsFromString comes after the heap is sized).
// - xero-node: 25 MB of the 49 MB idle heap (its generated models' sources held twice, their source maps too) and
//   ~40 MB of RSS, loaded in a QuickBooks or Stripe backfill only because the child imported every connector. The
//   child now imports only the provider it runs. Production does the same as the old child: integrations/providers.ts
//   imports all three providers at start (owned elsewhere this session; it should load a provider's module when a
//   connection of that provider is first used, or when its settings are present).
// - PGlite's module on Postgres: src/services/db/index.ts imported it statically; now only a PGlite open loads it.
// - tsx: its loader costs ~16 MB at start (58 against 42 MB for `node -e`) and ~5 MB of heap for our modules
//   (transformed sources and source maps; Node keeps every loaded file's source map once tsx enables them).
//   Compiled JavaScript would save about 20 MB; not done (a build step for the image and bin/shortfall.js).
// - The rest (~90 MB at idle after all this): the node binary's resident text (~50 MB, shared), the V8 heap left
//   (~24 MB used), malloc (module compilation, pg) — not ours to shrink.
//
// What grows from idle to peak: not live data (a full GC after a 30k Stripe backfill leaves 25 MB, as at idle), but
// garbage promoted to the old generation between major GCs (V8 sizes that slack from the allocation rate and the
// 4 GB limit). Allocations sampled over a 10k QuickBooks backfill (includeObjectsCollectedBy*GC):
// - 1.5 GB for 20,000 rows; a third was zod compiling a new schema per row (`isDeleted` in
//   integrations/quickbooks/sync.ts built `z.object(...)` on every call; zod 4 JIT-compiles an object schema on its
//   first parse). Now built once: 1.06 GB, heap peak 228 → 183 MB at 10k.
// - drizzle building the multi-row upserts (src/services/sync/upsert.ts, 500 rows a statement): ~420 MB per 20,000
//   rows, 40% of what is left, for every provider (~20 KB per row: {sql, params} pieces per value, merged level by
//   level). Since replaced: see "Xero under 300 MB" below.
// - Xero: xero-node's ObjectSerializer.deserialize allocates ~780 MB per 20,000 rows (per-field type lookups,
//   `toString().substring` on every primitive). Since avoided: see below.
// - Checked and not the cause: pg's result buffers and the connectors' caches (external memory peaks at 10–20 MB),
//   pages in flight (one at a time), the store's batches (bounded by the page).
//
// PGlite (`--engines=pglite`, quickbooks): the bench's PGlite is in memory, so the child holds the whole database
// (WebAssembly memory): spread 1,446 MB before, 1,300 MB after (last VmHWM read before the end), bulk stopped
// at 16 minutes at 1,410 against 1,289 MB (load 19–29). That is the data, not the connector; on disk (`npm start`)
// PGlite keeps its pages in files.
//
// Xero under 300 MB (issue 18 point 2, second pass). 100,000 invoices + 100,000 payments on Postgres, the child's
// idle → peak RSS (heap peak), MB; 201 calls (the floor, 201) and no 429 in every run; `uptime` load over each run:
//
// | code                                       | spread          | bulk            | load          |
// |--------------------------------------------|-----------------|-----------------|---------------|
// | main (273e2af)                             | 169 → 330 (197) | 153 → 304 (196) | 3–22          |
// | + one-statement upsert, text bodies, run 1 | 164 → 298 (160) | 152 → 282 (155) | 14–23         |
// | same, run 2                                | 163 → 312 (169) | 154 → 286 (166) | 7–20          |
// | + ids as one parameter, run 1              | 156 → 286 (157) | 152 → 289 (162) | 5–11 (two runs at once) |
// | same, run 2                                | 151 → 286 (159) | 154 → 290 (167) | 5–11 (two runs at once) |
// | main again, beside run 3 (both at once)    | 154 → 332 (214) | 154 → 334 (211) | 4–13          |
// | + ids as one parameter, run 3              | 154 → 281 (153) | 155 → 288 (161) | 4–13          |
// | merged main (b587ad3), all three providers    | 161 → 304 (160) | 154 → 253 (130) | 4–9           |
// In that last run QuickBooks peaked at 221 (spread) and 222 MB (bulk), Stripe at 220 and 219 MB: under 300 with room.
// Xero's spread run went 4 MB over: what is left is garbage between major GCs (decimal.js about 95 MB a 20k rows,
// drizzle's and pg's row mapping for the detection reads about 120 MB), not anything held.
//
// Allocations sampled over a 10k Xero backfill on Postgres (heapprofile with includeObjectsCollectedBy*GC; the
// totals include ~230 MB of module loading before the first page): 2,058 MB on main, of which xero-node's
// deserializer 750 MB (with its Object.entries) and drizzle 493 MB; 834 MB after the first two changes, 734 MB after
// the third (drizzle 75 MB, all reads). What was done, each in the core path every provider shares or in the Xero
// connector, with xero-node still the client:
// - src/services/sync/upsert.ts: one statement a table a page (up to 1,000 rows), the rows as one JSON parameter
//   through `jsonb_to_recordset`, instead of drizzle's VALUES builder: same conflict target, update list and
//   newer-only guard, on both engines (test/integration/sync/, unchanged, plus a 2,500-row page).
// - integrations/xero/client.ts: xero-node's requests ask axios for text (through the API's default authentication
//   hook, which sees each request's options); the serializer finds nothing to build in a string and the client
//   parses the JSON once, as axios did. xero-node's models were never read: client.ts already returned
//   response.data. Error bodies that come as text are read as JSON for Xero's messages (integrations/xero/errors.ts).
// - src/services/db/lists.ts: the page's ids as one JSON parameter in the queries that flag, load and clear a page's
//   invoices and its cases (drizzle's inArray built pieces for each of 1,000 placeholders, half a dozen times a page).
//   Not for payments' applications (src/services/ledger/read.ts `namesInvoice`): there Postgres joined each stored
//   payment's applications to the whole list, 43 s a query at 100k payments; the IN list is hashed, so it stays.
// What was not the cause: pages in flight (the child and the sync workflow read one page, store it, then read the
// next; the raw text, the parsed page and zod's copy are dropped once readStage returns the mapped rows).
// What remains of the garbage at 10k: decimal.js (~95 MB: parseDecimal's pow per amount, detection's tolerances),
// drizzle's and pg's row mapping for detection's reads (~75 + 45 MB), zod (~30 MB, its compiled parsers).
//
// PGlite (Xero, in memory, 10k + 10k; RSS is mostly the database in WebAssembly memory): main spread 492 → 1,111 MB
// (heap peak 114), bulk 442 → 1,116 (147); after 490 → 1,132 (71) and 458 → 1,073 (71), load 15–18. The heap's peak
// halves; the RSS is PGlite's. 100k on PGlite not run (tens of minutes; the figure would be the database's).
//
// Issue 18 point 2, the old generation (7 December 2026, load 4–8). With `--trace-gc` on a 20k Xero backfill, each
// full GC left about 41 MB live and ran when the heap reached 130–140 MB: V8 let the old generation grow to about
// three times what was live, and a page's objects (the text, the parsed page, zod's copy, the rows: all alive while
// the page is parsed and written) are promoted before they die. `--heap-growing-percent=50` (bin/process-settings.js,
// every Shortfall process) collects at 1.5 × instead. 100k + 100k on Postgres, spread / bulk:
// | provider   | before: idle → peak RSS (MB) | after                     |
// |------------|------------------------------|---------------------------|
// | QuickBooks | ~150 → 219–222               | 128 → 162 / 167           |
// | Stripe     | ~150 → 219–220               | 126 → 149, 129 → 157      |
// | Xero       | 151–153 → 289–304            | 140 → 175, 139 → 176      |
// API calls unchanged (203, 2,004, 201: the floor), no 429. The open-cases bench saw no cost in the worker's CPU per
// case start (61.1 ms with it, 66.5–70.1 without, at 300 cases).
