// The real wiring of src/app/deps.ts on the embedded setup: connect the QuickBooks sandbox through OAuth, let the
// sync workflow pull the books, and watch the short payment become a case that documents the payment, alerts
// the owner about the "full and final" memo, and sends the approved response.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app/app.js';
import { loadConfig } from '../../../src/app/config.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { cases, emailOutbox, organisations, users } from '../../../src/services/db/schema.js';
import { createServices } from '../../../src/app/deps.js';
import { createLogger } from '../../../src/services/logger.js';
import { startSandbox, type Sandbox } from '../../../src/app/sandbox.js';
import { checkApprovalToken } from '../../../src/services/security/approval-links.js';
import { decideDraftUpdate } from '../../../workflows/dispute-case/definitions.js';
import { freePort } from '../../helpers/ports.js';
import { bundle, createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { openPglite } from '../../helpers/databases.js';

const secrets = { encryptionKeys: `k1:${Buffer.alloc(32, 9).toString('base64')}`, appSecret: 'a'.repeat(40) };
let env: TestWorkflowEnvironment;
let db: DatabaseHandle;
let sandbox: Sandbox;
let dir: string;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [env, db, dir] = await Promise.all([
    createDevEnv(),
    openPglite(),
    mkdtemp(path.join(os.tmpdir(), 'shortfall-system-')),
  ]);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await sandbox?.close();
  await env?.teardown();
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

async function poll<T>(what: string, read: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('embedded system', () => {
  it("turns a connected sandbox company's full-and-final short payment into a documented case", async () => {
    const port = await freePort();
    const logger = createLogger({ level: 'silent' });
    const config = loadConfig({ PORT: String(port), SHORTFALL_DATA_DIR: dir, TEMPORAL_TASK_QUEUE: uniqueId('system') });
    sandbox = await startSandbox({ appUrl: `http://127.0.0.1:${port}`, publicUrl: config.http.publicUrl, logger });
    const services = createServices({ config, logger, db, client: env.client, secrets, sandbox });
    await services.registry.ready(); // as the embedded process does before it listens
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: await bundle(new URL('../../../workflows/index.ts', import.meta.url)),
      activities: services.activities,
    });
    const running = worker.run();
    closers.push(async () => {
      worker.shutdown();
      await running;
    });
    const app = await buildApp({ logger, readiness: [], webhooks: services.webhooks });
    await app.listen({ host: '127.0.0.1', port });
    closers.push(() => app.close());

    const [org] = await db.db
      .insert(organisations)
      .values({ name: 'Brightside Design', timeZone: 'America/New_York', signature: 'Ana Ruiz' })
      .returning();
    const [owner] = await db.db
      .insert(users)
      .values({ organisationId: org!.id, email: 'ana@brightside.example' })
      .returning();

    // OAuth: our authorize URL → the simulator's consent (auto-approved) → our callback with code, realmId, state.
    const authorize = await services.connections.startUrl(owner!.id, 'quickbooks');
    const consent = await fetch(`${authorize}&auto=1`, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    expect(callback.pathname).toBe('/oauth/quickbooks/callback');
    const connected = await services.connections.completeCallback(
      owner!.id,
      'quickbooks',
      Object.fromEntries(callback.searchParams),
    );
    if (!connected.ok) throw new Error(connected.message);
    if (connected.value.kind !== 'connected') throw new Error('one realm needs no choice');
    const [connection] = connected.value.connections;
    expect(connected.value.connections).toEqual([
      expect.objectContaining({ provider: 'quickbooks', status: 'active', sandbox: true }),
    ]);
    const replay = await services.connections.completeCallback(
      owner!.id,
      'quickbooks',
      Object.fromEntries(callback.searchParams),
    );
    expect(replay.ok).toBe(false); // a state works once

    const opened = await poll('the case', async () => (await db.db.select().from(cases))[0]);
    expect(opened).toMatchObject({ kind: 'short_payment', currency: 'USD', connectionId: connection!.id });
    const mail = await poll('receipt and approval emails', async () => {
      const rows = await db.db.select().from(emailOutbox).where(eq(emailOutbox.caseId, opened.id));
      return rows.some((r) => r.subject.startsWith('Approve:')) ? rows : undefined;
    });
    const receipt = mail.find((r) => r.toAddress === 'accounts@harbor-cafe.example')!;
    expect(receipt.text).toContain('$600.00');
    expect(receipt.text).toMatch(/partial payment/i);
    expect(mail.some((r) => r.toAddress === 'ana@brightside.example' && /full and final/i.test(r.subject))).toBe(true);

    const approval = mail.find((r) => r.subject.startsWith('Approve:'))!;
    const token = decodeURIComponent(/approvals\/(\S+)/.exec(approval.text)![1]!);
    const check = checkApprovalToken(secrets.appSecret, token, Date.now());
    if (!check.ok) throw new Error(check.reason);
    await env.client.workflow.getHandle(check.claims.workflowId).executeUpdate(decideDraftUpdate, {
      args: [{ kind: 'approve', version: check.claims.version, by: 'ana@brightside.example' }],
      updateId: check.claims.jti,
    });
    const response = await poll('the written response', async () =>
      (await db.db.select().from(emailOutbox).where(eq(emailOutbox.caseId, opened.id))).find(
        (r) => r.toAddress === 'accounts@harbor-cafe.example' && r.subject !== receipt.subject && r.status === 'sent',
      ),
    );
    expect(response.text).toMatch(/not .*(settlement|full)/i);
    // The demo invoice takes QuickBooks Payments: the letter asking for the balance names QuickBooks' own page.
    expect(response.text).toMatch(/\nPay online: http:\/\/127\.0\.0\.1:\d+\/portal\/app\/CommerceNetwork\/view\/\S+\n/);
    expect(response.status).toBe('sent');
    // The ledger's own invoice PDF travels with the letter, next to the case documents.
    expect(response.attachments).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: expect.stringMatching(/^Invoice .+\.pdf$/) })]),
    );
  }, 90_000);
});
