// "Sync now" and live progress, on a real dev server with the real sync workflow, activities, connections port,
// vault and store, and the real Xero connector against the Xero simulator (the provider that says how many records
// are left), reading three to a page. The owner sees a backfill page by page with what Xero says is left, on a page
// that works without script, while Xero holds the second page; a second click while it runs starts nothing; the last
// sync and its result stay.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import type { ProviderServices } from '../../../integrations/registry.js';
import { createXeroConnector } from '../../../integrations/xero/connector.js';
import { XeroTenantLimiters } from '../../../integrations/xero/limiter.js';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { connections, invoices, users } from '../../../src/services/db/schema.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { connectionSyncWorkflowId, syncStatusQuery } from '../../../workflows/connection-sync/definitions.js';
import { connectionSyncWorkflow } from '../../../workflows/connection-sync/workflow.js';
import { recordingActivities } from '../../helpers/case-fixtures.js';
import { eventually } from '../../helpers/eventually.js';
import { connectSimulatedCompany, type ProviderSimulators } from '../../helpers/provider-connections.js';
import { bundle, createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { csrfOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';
import { openPglite } from '../../helpers/databases.js';
import type { DatabaseHandle } from '../../../src/services/db/index.js';

let env: TestWorkflowEnvironment;
let db: DatabaseHandle;
let w: WebHarness;
let sims: ProviderSimulators;
let worker: Worker;
let running: Promise<void>;
let owner: InjectBrowser;
let viewer: InjectBrowser;
let connectionId: string;
let tenantId: string;
/** Xero holds the first backfill's second page of invoices until the test releases it: a backfill caught half way. */
let secondPage: { release(): void; held(): number } | undefined;

beforeAll(async () => {
  let workflowBundle;
  [env, db, workflowBundle] = await Promise.all([
    createDevEnv(),
    openPglite(),
    bundle(new URL('../../../workflows/index.ts', import.meta.url)),
  ]);
  w = await createWebHarness({ db, workflows: env.client.workflow });
  const { org, user } = await seedOrganisation(w.h, { email: 'ana@brightside.example' });
  await w.h.db.insert(users).values({ organisationId: org.id, email: 'sam@brightside.example', role: 'viewer' });
  // The owner connects a Xero organisation through the real port and Xero's consent page.
  sims = await w.providers.simulators();
  connectionId = (await connectSimulatedCompany(w.providers, user.id, 'xero', 'Brightside Xero')).id;
  tenantId = (await w.providers.vault.get(connectionId)).accountId;
  // Five invoices awaiting payment, due next month: nothing for a case, five records to read.
  const contact = sims.xero.admin.addContact(tenantId, { name: 'Harbor Cafe', email: 'pay@harbor.example' });
  const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  sims.xero.admin.importInvoices(
    tenantId,
    [1, 2, 3, 4, 5].map((n) => ({
      contact,
      number: `INV-${n}`,
      dueDate: due,
      lines: [{ description: 'Brand identity', unitAmount: '100.00' }],
    })),
  );
  secondPage = sims.xero.admin.hold({ pathIncludes: '/Invoices', query: { page: '2' } }, 10 * 60_000);

  // The real Xero provider, its connector reading three records a page (Xero's pageSize) so five make two pages.
  const xero = sims.registry.get('xero');
  const limiters = new XeroTenantLimiters();
  const smallPages: ProviderServices = {
    ...xero,
    connector: (auth) =>
      createXeroConnector({
        auth,
        apiBasePath: sims.xero.apiBasePath,
        limiter: limiters.forTenant(auth.accountId),
        pageSize: 3,
      }),
  };
  const providers = { get: (p: string) => (p === 'xero' ? smallPages : sims.registry.get(p)) };
  const taskQueue = uniqueId('sync-now');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: {
      ...createSyncActivities({
        connections: w.providers.vault,
        providers,
        sync: createSyncStore({ db: db.db }),
        cases: createCaseStarter({ db: db.db, client: env.client, taskQueue }),
      }),
      ...recordingActivities().activities,
    },
  });
  running = worker.run();
  await env.client.workflow.start(connectionSyncWorkflow, {
    taskQueue,
    workflowId: connectionSyncWorkflowId(connectionId),
    args: [{ connectionId, intervalMs: 60 * 60_000 }],
  });
  owner = w.browser();
  await signIn(w, owner, 'ana@brightside.example');
  viewer = w.browser();
  await signIn(w, viewer, 'sam@brightside.example');
});
afterAll(async () => {
  secondPage?.release();
  if (connectionId)
    await env?.client.workflow
      .getHandle(connectionSyncWorkflowId(connectionId))
      .terminate()
      .catch(() => undefined);
  worker?.shutdown();
  await running;
  await w?.close();
  await db?.close();
  await env?.teardown();
});

/** The Accounting API reads that reached Xero for the connected organisation, in order. */
const xeroReads = () =>
  sims.xero.admin
    .requests()
    .filter((r) => r.method === 'GET' && r.headers['xero-tenant-id']?.toLowerCase() === tenantId.toLowerCase());
const status = () => env.client.workflow.getHandle(connectionSyncWorkflowId(connectionId)).query(syncStatusQuery);
const connectionsText = async () => textOf((await owner.get('/connections')).body);
async function syncNow(b: InjectBrowser) {
  const page = await b.get('/connections');
  const action = `/connections/${connectionId}/sync`;
  return b.post(action, { _csrf: csrfOf(page.body, action) });
}

describe('sync you can see', () => {
  it('shows a backfill page by page, with what the provider says is left, and refreshes itself without script', async () => {
    const text = await eventually(connectionsText, (t) => t.includes('Syncing:'), 'the backfill under way');
    expect(text).toContain('Syncing: 1 page and 3 records read so far; Xero says 2 invoices still to read.');
    await eventually(secondPage!.held, (n) => n === 1, 'Xero to hold the request for the second page');
    expect(text).toContain('Follow the sync as it runs');
    const progress = await owner.get('/connections/progress');
    expect(progress.statusCode).toBe(200);
    expect(progress.headers.refresh).toBe('3');
    expect(textOf(progress.body)).toContain('A sync is running. This page refreshes itself');
    expect(textOf(progress.body)).toContain('Syncing: 1 page and 3 records read so far');
    const fragment = await owner.get('/connections/progress?fragment=1');
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).toContain(`id="sync-${connectionId}" data-sync-progress data-running="true"`);
  });

  it('starts no second sync while one runs, however often it is clicked, and a viewer cannot start one', async () => {
    const before = await status();
    expect(before.phase).toBe('syncing');
    for (const _ of [1, 2]) {
      const res = await syncNow(owner);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/connections?notice=sync_running#sync-${connectionId}`);
    }
    expect(textOf((await owner.get('/connections?notice=sync_running')).body)).toContain(
      'A sync is already running for that connection; it was not started twice.',
    );
    const viewerPage = await viewer.get('/connections');
    expect(viewerPage.body).not.toContain(`action="/connections/${connectionId}/sync"`);
    expect(textOf(viewerPage.body)).toContain('Syncing:'); // a viewer sees the progress, and cannot start a sync
    const refused = await viewer.post(`/connections/${connectionId}/sync`, {
      _csrf: csrfOf(viewerPage.body, '/sign-out'),
    });
    expect(refused.statusCode).toBe(403);

    expect(secondPage!.held()).toBe(1); // Xero still holds the second page: the clicks read nothing
    secondPage!.release();
    const done = await eventually(connectionsText, (t) => t.includes('Finished:'), 'the backfill finished');
    // Two pages of invoices, then Xero's (empty) pages of payments and credit notes.
    expect(done).toContain('Result: Finished: 4 pages and 5 records read.');
    expect(done).not.toContain('Syncing:');
    const after = await eventually(status, (s) => s.phase !== 'syncing', 'the pass to end');
    expect(after).toMatchObject({ phase: 'idle', passes: 1 }); // the clicks queued nothing
    expect((await owner.get('/connections/progress')).headers.refresh).toBeUndefined();
    const [row] = await w.h.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(row!.syncProgress).toMatchObject({ pages: 4, records: 5, finishedAt: expect.any(String) });
    expect(row!.lastSyncAt).not.toBeNull();
    expect(await w.h.db.select().from(invoices).where(eq(invoices.connectionId, connectionId))).toHaveLength(5);
    // One backfill: each page asked for once (the held one included), none of it incremental.
    const reads = xeroReads();
    expect(reads.map((r) => `${r.path} ${r.query.page}`)).toEqual([
      '/api.xro/2.0/Invoices 1',
      '/api.xro/2.0/Invoices 2',
      '/api.xro/2.0/Payments 1',
      '/api.xro/2.0/CreditNotes 1',
    ]);
    expect(reads.every((r) => r.headers['if-modified-since'] === undefined)).toBe(true);
  });

  it('syncs at once when clicked while idle, and shows when it last ran', async () => {
    const [before] = await w.h.db.select().from(connections).where(eq(connections.id, connectionId));
    const res = await syncNow(owner);
    expect(res.headers.location).toBe(`/connections?notice=sync_started#sync-${connectionId}`);
    await eventually(status, (s) => s.passes === 2 && s.phase === 'idle', 'the second pass');
    const text = await connectionsText();
    expect(text).toMatch(/Last sync: \w+/);
    // An incremental run: what changed since the backfill began (with Xero's five-minute margin, the five invoices
    // just entered), asked with If-Modified-Since; no backfill again.
    expect(text).toContain('Result: Finished: 4 pages and 5 records read.');
    const [after] = await w.h.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(after!.lastSyncAt!.getTime()).toBeGreaterThan(before!.lastSyncAt!.getTime());
    const incremental = xeroReads().slice(4);
    expect(incremental.map((r) => r.path)).toEqual([
      '/api.xro/2.0/Invoices',
      '/api.xro/2.0/Invoices',
      '/api.xro/2.0/Payments',
      '/api.xro/2.0/CreditNotes',
    ]);
    expect(incremental.every((r) => r.headers['if-modified-since'] !== undefined)).toBe(true);
  });
});
