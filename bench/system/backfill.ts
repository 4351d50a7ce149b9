// Backfill cost per provider: API calls the simulator received against the fewest a backfill can make (one list
// call per page, plus each provider's fixed calls), 429s, the time to seed the simulator, and peak RSS.
import { createQuickbooksConnector, createRealmLimiter } from '../../integrations/quickbooks/index.js';
import { createStripeClient } from '../../integrations/stripe/client.js';
import { createStripeConnector } from '../../integrations/stripe/connector.js';
import { TenantLimiter } from '../../integrations/xero/limiter.js';
import { createXeroConnector } from '../../integrations/xero/connector.js';
import type { LedgerConnector } from '../../integrations/types.js';
import { startQuickbooksSimulator } from '../../simulators/quickbooks/index.js';
import { manualClock as stripeClock, startStripeSimulator } from '../../simulators/stripe/index.js';
import {
  defaultTenants,
  manualClock as xeroClock,
  simulatorClient,
  startXeroSimulator,
} from '../../simulators/xero/index.js';

export interface BackfillResult {
  readonly provider: 'quickbooks' | 'stripe' | 'xero';
  readonly records: number;
  readonly layout: 'spread' | 'bulk';
  readonly calls: number;
  readonly floor: number;
  readonly rateLimited: number;
  readonly seedMs: number;
  readonly backfillMs: number;
  readonly rows: number;
  readonly peakRssMb: number;
}

async function drain(connector: LedgerConnector): Promise<number> {
  let rows = 0;
  let batch = await connector.pullChanges({});
  for (;;) {
    rows += batch.invoices.length + batch.payments.length;
    if (!batch.nextCursor) return rows;
    batch = await connector.pullChanges({ pageCursor: batch.nextCursor });
  }
}

function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return () => (clearInterval(timer), Math.round(Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024));
}

const timed = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const v = await f();
  return [v, Math.round(performance.now() - t)];
};

/** Invoices and one payment each; `bulk` puts them all in the same second, `spread` a minute apart. */
async function quickbooks(n: number, layout: 'spread' | 'bulk'): Promise<BackfillResult> {
  let now = Date.parse('2025-01-01T00:00:00Z');
  const sim = await startQuickbooksSimulator({ clock: () => now });
  try {
    const app = sim.admin.createApp({ redirectUris: ['http://127.0.0.1:1/cb'] });
    const realmId = sim.admin.createCompany({});
    const customerId = sim.admin.addCustomer(realmId, { name: 'Northwind Traders' }).Id;
    const [, seedMs] = await timed(() => {
      for (let i = 0; i < n; i += 1) {
        if (layout === 'spread') now += 60_000;
        const inv = sim.admin.addInvoice(realmId, {
          customerId,
          lines: [{ description: `Visit ${i}`, unitPrice: 100 }],
        });
        sim.admin.addPayment(realmId, { customerId, amount: 90, applications: [{ invoiceId: inv.Id, amount: 90 }] });
      }
    });
    now += 3_600_000;
    const granted = sim.admin.grantTokens(app.clientId, realmId);
    const connector = createQuickbooksConnector({
      auth: { accountId: realmId, tokens: { accessToken: granted.access_token, refreshToken: granted.refresh_token } },
      apiUrl: sim.urls.api,
      limiter: createRealmLimiter(),
      now: () => now,
    });
    const peak = rssSampler();
    const [rows, backfillMs] = await timed(() => drain(connector));
    const requests = sim.admin.requests();
    return {
      provider: 'quickbooks',
      records: n,
      layout,
      calls: requests.length,
      // Invoices and payments 1,000 a page; a query result says nothing of what follows, so the list ends only at
      // a short page (an empty one after an exact multiple of 1,000); credit memos one page.
      floor: 2 * (Math.floor(n / 1000) + 1) + 1,
      rateLimited: requests.filter((r) => r.status === 429).length,
      seedMs,
      backfillMs,
      rows,
      peakRssMb: peak(),
    };
  } finally {
    await sim.close();
  }
}

async function stripe(n: number, layout: 'spread' | 'bulk'): Promise<BackfillResult> {
  const clock = stripeClock(Date.parse('2025-01-01T00:00:00Z'));
  // Stripe's live-mode limit, so a 10k backfill takes seconds rather than minutes at the test-mode 25/s.
  const sim = await startStripeSimulator({ clock, rateLimit: { opsPerSecond: 100 } });
  try {
    const { accountId } = sim.admin.createAccount({ name: 'Volume Books' });
    const customer = sim.admin.createCustomer(accountId, { name: 'Adventure Works' });
    const [, seedMs] = await timed(() => {
      for (let i = 0; i < n; i += 1) {
        if (layout === 'spread') clock.advance(60_000);
        const inv = sim.admin.createInvoice(accountId, {
          customer: customer.id,
          currency: 'usd',
          lines: [{ description: `Visit ${i}`, quantity: 1, unitAmount: 10_000 }],
        });
        sim.admin.payInvoice(accountId, { invoice: inv.id, amount: 9_000 });
      }
    });
    const client = createStripeClient({
      apiKey: sim.admin.issueRestrictedKey(accountId),
      baseUrl: sim.url,
      opsPerSecond: 100,
    });
    const connector = createStripeConnector({ client, accountId, now: clock.now });
    const peak = rssSampler();
    const [rows, backfillMs] = await timed(() => drain(connector));
    return {
      provider: 'stripe',
      records: n,
      layout,
      calls: sim.admin.requests().length,
      // Invoices and invoice payments 100 a page, credit notes and disputes a page each, the newest event before
      // the backfill and the feed's first read after it.
      floor: 2 * Math.ceil(n / 100) + 4,
      rateLimited: sim.admin.rateLimited(),
      seedMs,
      backfillMs,
      rows,
      peakRssMb: peak(),
    };
  } finally {
    await sim.close();
  }
}

async function xero(n: number, layout: 'spread' | 'bulk'): Promise<BackfillResult> {
  const clock = xeroClock('2025-01-01T00:00:00.000Z');
  const sim = await startXeroSimulator({ consent: { mode: 'auto' }, clock });
  try {
    const tenantId = defaultTenants[0]?.tenantId ?? '';
    const contactId = sim.admin.addContact(tenantId, { name: 'Adventure Works' });
    const [, seedMs] = await timed(() => {
      for (let i = 0; i < n; i += 1) {
        if (layout === 'spread') clock.advance(60_000);
        const { invoiceId } = sim.admin.seedInvoice(tenantId, {
          contact: contactId,
          lines: [{ description: `Visit ${i}`, quantity: 1, unitAmount: '100.00' }],
        });
        sim.admin.seedPayment(tenantId, { invoiceId, amount: '90.00' });
      }
    });
    clock.advance(3_600_000);
    const t = sim.admin.grant({ clientId: simulatorClient.clientId, tenantIds: [tenantId] });
    const connector = createXeroConnector({
      auth: { accountId: tenantId, tokens: { accessToken: t.access_token } },
      apiBasePath: sim.apiBasePath,
      // Xero's per-tenant concurrency and daily limits; the minute limit raised so the bench does not wait on it
      // (the call count, not the pacing, is what is measured here).
      limiter: new TenantLimiter({ concurrent: 5, perMinute: 60_000, perDay: 5000 }, clock),
      now: clock,
    });
    sim.admin.setRateLimits({ perMinute: 60_000 });
    sim.admin.clearRequests();
    const peak = rssSampler();
    const [rows, backfillMs] = await timed(() => drain(connector));
    const requests = sim.admin.requests();
    return {
      provider: 'xero',
      records: n,
      layout,
      calls: requests.length,
      // Invoices and payments 1,000 a page, credit notes one page.
      floor: 2 * Math.ceil(n / 1000) + 1,
      rateLimited: requests.filter((r) => r.status === 429).length,
      seedMs,
      backfillMs,
      rows,
      peakRssMb: peak(),
    };
  } finally {
    await sim.close();
  }
}

export async function benchBackfills(sizes: readonly number[]): Promise<BackfillResult[]> {
  const results: BackfillResult[] = [];
  for (const n of sizes)
    for (const layout of ['spread', 'bulk'] as const)
      for (const run of [quickbooks, stripe, xero]) {
        global.gc?.();
        results.push(await run(n, layout));
      }
  return results;
}
