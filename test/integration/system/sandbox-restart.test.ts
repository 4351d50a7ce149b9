// The embedded demo's sandbox from the owner's side, across restarts: the simulators keep their state in the data
// directory, so after a stop and a start the connection still syncs (no "Reconnect" email, nothing sent to the
// client again); connecting an already-connected company again re-links the same connection; "Reset the sandbox"
// starts the simulators over and disconnects what pointed at them. Real PGlite on disk, a real Temporal dev server
// (kept running across the restart, as the embedded one keeps its SQLite file), real simulators over HTTP.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app/app.js';
import { loadConfig } from '../../../src/app/config.js';
import { createSandboxReset } from '../../../src/services/connections/sandbox-reset.js';
import { openTokens, sealedTokenColumns } from '../../../src/services/connections/tokens.js';
import { openDatabase } from '../../../src/services/db/index.js';
import { cases, connections, emailOutbox } from '../../../src/services/db/schema.js';
import { createServices } from '../../../src/app/deps.js';
import { createLogger } from '../../../src/services/logger.js';
import { startSandbox, type Sandbox } from '../../../src/app/sandbox.js';
import { parseKeyRing } from '../../../src/services/security/cipher.js';
import { resumeSyncs } from '../../../src/services/sync/resume.js';
import { freePort } from '../../helpers/ports.js';
import { bundle, createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { csrfOf, fieldOf, textOf, type InjectBrowser } from '../web/browser.js';
import { createWebHarness, PUBLIC_URL, SECRET, seedOrganisation, signIn } from '../web/harness.js';

const secrets = { encryptionKeys: `k1:${Buffer.alloc(32, 5).toString('base64')}`, appSecret: SECRET };
const owner = 'ana@brightside.example';
const client = 'accounts@harbor-cafe.example';
const logger = createLogger({ level: 'silent' });

let env: TestWorkflowEnvironment;
let dir: string;
let appPort: number;
let taskQueue: string;
let workflowBundle: Awaited<ReturnType<typeof bundle>>;

beforeAll(async () => {
  [env, dir, appPort, workflowBundle] = await Promise.all([
    createDevEnv(),
    mkdtemp(path.join(os.tmpdir(), 'shortfall-sandbox-')),
    freePort(),
    bundle(new URL('../../../workflows/index.ts', import.meta.url)),
  ]);
  taskQueue = uniqueId('sandbox');
}, 120_000);

let life: Life | undefined;
afterAll(async () => {
  await life?.stop().catch(() => undefined);
  await env?.teardown();
  await rm(dir, { recursive: true, force: true });
});

/** Shortfall as `npm start` runs it on the embedded defaults, in the one data directory: one run until stop(). */
async function startShortfall() {
  const config = loadConfig({
    PORT: String(appPort),
    PUBLIC_URL,
    SHORTFALL_DATA_DIR: dir,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'silent',
  });
  const db = await openDatabase(config.db);
  const sandbox = await startSandbox({
    appUrl: `http://127.0.0.1:${appPort}`,
    publicUrl: config.http.publicUrl,
    logger,
    stateDir: config.sandbox.stateDir,
  });
  const services = createServices({ config, logger, db, client: env.client, secrets, sandbox });
  await services.registry.ready(); // as the embedded process does before it listens
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: services.activities,
  });
  const running = worker.run();
  // Webhooks from the simulators land on the real port; the owner's pages are driven through app.inject.
  const receiver = await buildApp({ logger, readiness: [], webhooks: services.webhooks });
  await receiver.listen({ host: '127.0.0.1', port: appPort });
  const resetSandbox = createSandboxReset({ db: db.db, connections: services.connections, sandbox, logger });
  const web = await createWebHarness({
    db,
    connections: services.connections,
    workflows: env.client.workflow,
    resetSandbox,
  });
  await resumeSyncs(db.db, services.dispatcher);
  return {
    db: db.db,
    sandbox,
    web,
    config,
    services,
    async stop() {
      await web.close();
      await receiver.close();
      worker.shutdown();
      await running;
      services.transport.close();
      await sandbox.close();
      await db.close();
    },
  };
}
type Life = Awaited<ReturnType<typeof startShortfall>>;

async function poll<T>(what: string, read: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** The owner's "Connect QuickBooks" click through the simulator's consent page, keeping the preselected company. */
async function connectQuickbooks(browser: InjectBrowser): Promise<{ realmId: string; consentHtml: string }> {
  const start = await browser.get('/oauth/quickbooks/start');
  expect(start.statusCode).toBe(303);
  const authorize = new URL(start.headers.location as string);
  const consentHtml = await (await fetch(authorize)).text();
  const realmId = /<option value="(\d+)" selected>/.exec(consentHtml)?.[1];
  if (!realmId) throw new Error('the consent page preselects no company');
  const action = '/connect/oauth2/consent';
  const form = new URLSearchParams({ realmId, decision: 'allow' });
  for (const name of ['client_id', 'redirect_uri', 'state']) form.set(name, decode(fieldOf(consentHtml, action, name)));
  const decided = await fetch(new URL(action, authorize), { method: 'POST', body: form, redirect: 'manual' });
  const callback = new URL(decided.headers.get('location')!);
  expect(callback.origin).toBe(PUBLIC_URL);
  const done = await browser.get(`${callback.pathname}${callback.search}`);
  expect(done.headers.location).toBe('/connections?notice=connected');
  return { realmId, consentHtml };
}

const mailTo = async (l: Life, to: string) => l.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, to));
const allConnections = async (l: Life) => l.db.select().from(connections);
const sandboxView = (s: Sandbox) => ({ quickbooks: s.quickbooks, xero: s.xero, stripe: s.stripe });

describe('the sandbox across restarts', () => {
  let realmId: string;
  let browser: InjectBrowser;

  it('keeps a connection working after Shortfall stops and starts again: same ports, no reconnect email, nothing re-sent to the client', async () => {
    life = await startShortfall();
    await seedOrganisation(life.web.h, { email: owner });
    browser = life.web.browser();
    await signIn(life.web, browser, owner);
    const connected = await connectQuickbooks(browser);
    realmId = connected.realmId;
    // The consent page looks like Shortfall (its stylesheet) and names itself a simulator.
    expect(connected.consentHtml).toContain('--accent');
    expect(textOf(connected.consentHtml)).toContain('Sandbox Design Co. (simulated)');

    const opened = await poll('the case', async () => (await life!.db.select().from(cases))[0]);
    await poll('the receipt to the client', async () => (await mailTo(life!, client)).length === 1);
    const [before] = await allConnections(life);
    const shown = sandboxView(life.sandbox);

    // The state is on disk, private to the owner of the process.
    for (const provider of ['quickbooks', 'xero', 'stripe']) {
      const file = path.join(life.config.sandbox.stateDir, `${provider}.json`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }
    expect(await readFile(path.join(life.config.sandbox.stateDir, 'quickbooks.json'), 'utf8')).toContain(realmId);

    await life.stop();
    const restartedAt = new Date();
    life = await startShortfall();
    browser = life.web.browser();
    await signIn(life.web, browser, owner);

    // Same ports, same app keys and webhook secrets: the provider settings Shortfall was built with still hold.
    expect(sandboxView(life.sandbox)).toEqual(shown);
    // The sync pass after the start reads the same company with the tokens issued before the restart.
    const synced = await poll('a sync pass after the restart', async () => {
      const [row] = await allConnections(life!);
      return row && row.lastSyncAt && row.lastSyncAt > restartedAt ? row : undefined;
    });
    expect(synced).toMatchObject({ id: before!.id, status: 'active', lastError: null, accountId: realmId });
    // The refresh token issued before the restart works too: with the access token marked expired, the next use
    // of the connection refreshes it at the simulator, and the sync goes on with the new tokens.
    const ring = parseKeyRing(secrets.encryptionKeys);
    const held = openTokens(ring, before!)!;
    const expired = { ...held, expiresAt: new Date(Date.now() - 60_000).toISOString() };
    await life.db
      .update(connections)
      .set(sealedTokenColumns(ring, before!.id, expired))
      .where(eq(connections.id, before!.id));
    const fresh = await life.services.vault.getFreshAuth(before!.id, life.services.registry.get('quickbooks').oauth);
    expect(fresh.tokens.refreshToken).not.toBe(held.refreshToken);
    expect(Date.parse(fresh.tokens.expiresAt!)).toBeGreaterThan(Date.now());
    const resyncedAt = new Date();
    await life.services.dispatcher.syncNow(before!.id);
    await poll('a sync pass with the refreshed tokens', async () => {
      const [row] = await allConnections(life!);
      return row && row.lastSyncAt && row.lastSyncAt > resyncedAt && row.status === 'active' && row.lastError === null
        ? row
        : undefined;
    });

    const page = textOf((await browser.get('/connections')).body);
    expect(page).toMatch(/Sandbox Design Co\. \(simulated\) Sandbox \(simulated\) Working/);
    expect(page).not.toContain('Needs reconnecting');
    expect((await life.db.select().from(cases)).map((c) => c.id)).toEqual([opened.id]);
    expect(await mailTo(life, client)).toHaveLength(1);
    expect((await mailTo(life, owner)).filter((m) => /reconnect/i.test(m.subject))).toEqual([]);
  }, 240_000);

  it('re-links the existing connection when the owner connects an already-connected company again: one connection, one case, no second receipt', async () => {
    if (!life) throw new Error('runs after the restart test');
    const [before] = await allConnections(life);
    const connectedAt = new Date();
    const again = await connectQuickbooks(browser);
    expect(again.realmId).toBe(realmId);
    const rows = await allConnections(life);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: before!.id, status: 'active', accountId: realmId });
    expect(rows[0]!.authorizedAt.getTime()).toBeGreaterThan(before!.authorizedAt.getTime());
    // The sync runs on the new tokens and finds the same invoice: its case, not a new one.
    await poll('a sync pass on the new tokens', async () => {
      const [row] = await allConnections(life!);
      return Boolean(row?.lastSyncAt && row.lastSyncAt > connectedAt);
    });
    expect(await life.db.select().from(cases)).toHaveLength(1);
    expect(await mailTo(life, client)).toHaveLength(1);
  }, 120_000);

  it('starts over on "Reset the sandbox": fresh companies on the same ports, the old connection disconnected, a new one connects', async () => {
    if (!life) throw new Error('runs after the restart test');
    const shown = sandboxView(life.sandbox);
    const [old] = await allConnections(life);
    const page = await browser.get('/connections');
    expect(textOf(page.body)).toContain('Reset the sandbox');
    // A POST without the form's CSRF token is refused and changes nothing.
    expect((await browser.post('/connections/sandbox/reset', {})).statusCode).toBe(403);
    expect((await allConnections(life))[0]!.status).toBe('active');

    const reset = await browser.post('/connections/sandbox/reset', {
      _csrf: csrfOf(page.body, '/connections/sandbox/reset'),
    });
    expect(reset.statusCode).toBe(303);
    expect(reset.headers.location).toBe('/connections?notice=sandbox_reset');
    const after = textOf((await browser.get(reset.headers.location as string)).body);
    expect(after).toContain('The sandbox starts over');
    expect(after).toMatch(/Sandbox Design Co\. \(simulated\) Sandbox \(simulated\) Disconnected/);
    expect((await allConnections(life))[0]).toMatchObject({
      id: old!.id,
      status: 'disconnected',
      tokenCiphertext: null,
    });
    // Same ports and app keys, so Shortfall's provider settings still point at the simulators.
    expect(sandboxView(life.sandbox)).toEqual(shown);
    const saved = JSON.parse(await readFile(path.join(life.config.sandbox.stateDir, 'quickbooks.json'), 'utf8')) as {
      demo: string;
    };
    expect(saved.demo).not.toBe(realmId);

    // Connecting again reaches the fresh company, whose short payment opens its own case with its own receipt.
    const fresh = await connectQuickbooks(browser);
    expect(fresh.realmId).toBe(saved.demo);
    expect(fresh.consentHtml).not.toContain(realmId);
    const rows = await allConnections(life);
    expect(rows.map((r) => [r.accountId, r.status]).sort()).toEqual(
      [
        [realmId, 'disconnected'],
        [saved.demo, 'active'],
      ].sort(),
    );
    await poll('the fresh case', async () => (await life!.db.select().from(cases)).length === 2);
    await poll('the fresh receipt', async () => (await mailTo(life!, client)).length === 2);
  }, 120_000);
});
