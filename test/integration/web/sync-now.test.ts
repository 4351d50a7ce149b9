// "Sync now" and live progress, on a real dev server with the real sync workflow, activities, vault and store (the
// provider is a scripted connector). The owner sees a backfill page by page with what the provider says is left,
// on a page that works without script; a second click while it runs starts nothing; the last sync and its result stay.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncActivities } from '../../../activities/sync.js';
import type { ChangeBatch } from '../../../integrations/types.js';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { createOAuthStateStore } from '../../../src/services/connections/oauth-states.js';
import { createPendingGrantStore } from '../../../src/services/connections/pending-grants.js';
import { createConnectionsPort } from '../../../src/services/connections/port.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { connections, users } from '../../../src/services/db/schema.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { connectionSyncWorkflowId, syncStatusQuery } from '../../../workflows/connection-sync/definitions.js';
import { connectionSyncWorkflow } from '../../../workflows/connection-sync/workflow.js';
import { recordingActivities } from '../../helpers/case-fixtures.js';
import { eventually } from '../../helpers/eventually.js';
import { bundle, createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { FakeOAuthProvider, ScriptedConnector } from '../sync/fakes.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { batch, invoice, qbo } from '../sync/fixtures.js';
import { csrfOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';
import { openPglite } from '../../helpers/databases.js';
import type { DatabaseHandle } from '../../../src/services/db/index.js';

/** A connector whose second page waits until the test opens the gate: a backfill caught half way. */
class GatedConnector extends ScriptedConnector {
  gate: Promise<void> | undefined;
  override async pullChanges(input: { cursor?: string; pageCursor?: string }): Promise<ChangeBatch> {
    if (input.pageCursor !== undefined && this.gate) await this.gate;
    return super.pullChanges(input);
  }
}

const paid = (n: number) =>
  invoice({ ref: qbo(`inv-${n}`), number: String(n), totalMinor: 10_000, balanceMinor: 0, status: 'paid' });

let env: TestWorkflowEnvironment;
let db: DatabaseHandle;
let w: WebHarness;
let worker: Worker;
let running: Promise<void>;
let owner: InjectBrowser;
let viewer: InjectBrowser;
let connectionId: string;
const connector = new GatedConnector('quickbooks');
let release!: () => void;

beforeAll(async () => {
  let workflowBundle;
  [env, db, workflowBundle] = await Promise.all([
    createDevEnv(),
    openPglite(),
    bundle(new URL('../../../workflows/index.ts', import.meta.url)),
  ]);
  const keyRing = testKeyRing();
  const oauth = new FakeOAuthProvider('quickbooks');
  const providers = { get: () => ({ oauth, connector: () => connector }) };
  const vault = createConnectionVault({ db: db.db, keyRing });
  const port = createConnectionsPort({
    db: db.db,
    vault,
    states: createOAuthStateStore({ db: db.db }),
    pending: createPendingGrantStore({ db: db.db, keyRing }),
    providers: providers as never,
    redirectUri: () => 'https://app.shortfall.test/oauth/quickbooks/callback',
    onConnected: async () => undefined,
    onDisconnected: async () => undefined,
  });
  w = await createWebHarness({ db, workflows: env.client.workflow, connections: port });
  const { org } = await seedOrganisation(w.h, { email: 'ana@brightside.example' });
  await w.h.db.insert(users).values({ organisationId: org.id, email: 'sam@brightside.example', role: 'viewer' });
  const { connection } = await vault.connect({
    organisationId: org.id,
    provider: 'quickbooks',
    accountId: `realm-${randomUUID()}`,
    name: 'Brightside QBO',
    tokens: oauth.initialTokens(3_600_000),
  });
  connectionId = connection.id;

  // The first backfill: 3 invoices, then (held at the gate) 2 more; the provider says 2 are left after page one.
  connector.gate = new Promise<void>((r) => (release = r));
  connector.push(
    batch({
      invoices: [paid(1), paid(2), paid(3)],
      nextCursor: 'page-2',
      checkpoint: 'page-2',
      backfill: true,
      remaining: { what: 'invoices', records: 2 },
    }),
    batch({ invoices: [paid(4), paid(5)], checkpoint: 'cp-1', backfill: true }),
  );
  const taskQueue = uniqueId('sync-now');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: {
      ...createSyncActivities({
        connections: vault,
        providers: providers as never,
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
  release?.();
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
    expect(text).toContain('Syncing: 1 page and 3 records read so far; QuickBooks says 2 invoices still to read.');
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

    release();
    const done = await eventually(connectionsText, (t) => t.includes('Finished:'), 'the backfill finished');
    expect(done).toContain('Result: Finished: 2 pages and 5 records read.');
    expect(done).not.toContain('Syncing:');
    const after = await eventually(status, (s) => s.phase !== 'syncing', 'the pass to end');
    expect(after).toMatchObject({ phase: 'idle', passes: 1 }); // the clicks queued nothing
    expect((await owner.get('/connections/progress')).headers.refresh).toBeUndefined();
    const [row] = await w.h.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(row!.syncProgress).toMatchObject({ pages: 2, records: 5, finishedAt: expect.any(String) });
    expect(row!.lastSyncAt).not.toBeNull();
  });

  it('syncs at once when clicked while idle, and shows when it last ran', async () => {
    const res = await syncNow(owner);
    expect(res.headers.location).toBe(`/connections?notice=sync_started#sync-${connectionId}`);
    await eventually(status, (s) => s.passes === 2 && s.phase === 'idle', 'the second pass');
    const text = await connectionsText();
    expect(text).toMatch(/Last sync: \w+/);
    expect(text).toContain('Result: Finished: 1 page and 0 records read.');
  });
});
