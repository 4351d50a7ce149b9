// One backfill in a process of its own, so its peak RSS is the connector's and the store's alone (the simulator and
// the bench harness live in the parent): the connector pulls every page from the simulator and the sync store
// writes each into the database, as the sync workflow's activities do, acknowledging the case actions each page
// decides (the workflow starts those cases; no case is started here). Started by backfill.ts with fork(); it
// answers with one message and exits.
import type { LedgerConnector } from '../../integrations/types.js';
import { openDatabase, type DatabaseSettings } from '../../src/services/db/index.js';
import { connections, organisations } from '../../src/services/db/schema.js';
import { createSyncStore } from '../../src/services/sync/store.js';

export type ChildConnector =
  | { readonly provider: 'quickbooks'; readonly realmId: string; readonly accessToken: string; readonly apiUrl: string }
  | { readonly provider: 'stripe'; readonly accountId: string; readonly apiKey: string; readonly baseUrl: string }
  | {
      readonly provider: 'xero';
      readonly tenantId: string;
      readonly accessToken: string;
      readonly apiBasePath: string;
    };

export interface ChildSpec {
  readonly connector: ChildConnector;
  /** The simulator's clock when the backfill runs (it stands still meanwhile). */
  readonly now: number;
  readonly database: { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'pglite' };
}

export interface ChildResult {
  readonly rows: number;
  readonly pages: number;
  readonly backfillMs: number;
  /** RSS once the database is open and migrated, before the first page. */
  readonly idleRssMb: number;
  /** The kernel's peak RSS of this process (getrusage ru_maxrss), the whole run. */
  readonly peakRssMb: number;
  /** The most the V8 heap held (live and not yet collected) and the most held outside it, sampled every 50 ms. */
  readonly peakHeapMb: number;
  readonly peakExternalMb: number;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function heapSampler() {
  let heap = 0;
  let external = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    external = Math.max(external, m.external);
  };
  const timer = setInterval(sample, 50);
  return () => (clearInterval(timer), sample(), { peakHeapMb: mb(heap), peakExternalMb: mb(external) });
}

/** Loads only the provider the backfill runs, as a process serving one connection would (each brings its SDK). */
async function connectorFor(c: ChildConnector, now: () => number): Promise<LedgerConnector> {
  if (c.provider === 'quickbooks') {
    const { createQuickbooksConnector, createRealmLimiter } = await import('../../integrations/quickbooks/index.js');
    return createQuickbooksConnector({
      auth: { accountId: c.realmId, tokens: { accessToken: c.accessToken } },
      apiUrl: c.apiUrl,
      limiter: createRealmLimiter(),
      now,
    });
  }
  if (c.provider === 'stripe') {
    const { createStripeClient } = await import('../../integrations/stripe/client.js');
    const { createStripeConnector } = await import('../../integrations/stripe/connector.js');
    // Stripe's live-mode limit, so a backfill takes seconds rather than minutes at the test-mode 25/s.
    return createStripeConnector({
      client: createStripeClient({ apiKey: c.apiKey, baseUrl: c.baseUrl, opsPerSecond: 100 }),
      accountId: c.accountId,
      now,
    });
  }
  const { TenantLimiter } = await import('../../integrations/xero/limiter.js');
  const { createXeroConnector } = await import('../../integrations/xero/connector.js');
  return createXeroConnector({
    auth: { accountId: c.tenantId, tokens: { accessToken: c.accessToken } },
    apiBasePath: c.apiBasePath,
    // Xero's per-tenant concurrency and daily limits; the minute limit raised (here and in the simulator) so the
    // bench does not wait on it: the call count, not the pacing, is what is measured.
    limiter: new TenantLimiter({ concurrent: 5, perMinute: 60_000, perDay: 5000 }, now),
    now,
  });
}

async function run(spec: ChildSpec): Promise<ChildResult> {
  const settings: DatabaseSettings =
    spec.database.kind === 'postgres' ? { kind: 'postgres', url: spec.database.url } : { kind: 'pglite' };
  const handle = await openDatabase(settings);
  try {
    const { db } = handle;
    const [org] = await db.insert(organisations).values({ name: 'Bench Books', timeZone: 'UTC' }).returning();
    const accountId =
      spec.connector.provider === 'quickbooks'
        ? spec.connector.realmId
        : spec.connector.provider === 'stripe'
          ? spec.connector.accountId
          : spec.connector.tenantId;
    const [connection] = await db
      .insert(connections)
      .values({ organisationId: org!.id, provider: spec.connector.provider, accountId, name: 'Bench ledger' })
      .returning();
    const connectionId = connection!.id;
    const now = () => spec.now;
    const sync = createSyncStore({ db, now });
    const connector = await connectorFor(spec.connector, now);
    global.gc?.();
    const idleRssMb = mb(process.memoryUsage.rss());
    const heap = heapSampler();
    const started = performance.now();
    let rows = 0;
    let pages = 0;
    let pageCursor: string | undefined;
    do {
      const batch = await connector.pullChanges(pageCursor === undefined ? {} : { pageCursor });
      const actions = await sync.applyBatch(connectionId, batch, { first: pageCursor === undefined });
      if (actions.length > 0)
        await sync.acknowledge(
          connectionId,
          actions.map((a) => a.trigger),
        );
      rows += batch.invoices.length + batch.payments.length + batch.creditNotes.length + batch.disputes.length;
      pages += 1;
      pageCursor = batch.nextCursor;
    } while (pageCursor !== undefined);
    const backfillMs = Math.round(performance.now() - started);
    return {
      rows,
      pages,
      backfillMs,
      idleRssMb,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      ...heap(),
    };
  } finally {
    await handle.close();
  }
}

process.once('message', (spec: ChildSpec) => {
  run(spec).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (err: unknown) =>
      process.send?.({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () =>
        process.exit(1),
      ),
  );
});
