// Shortfall as `npm start` runs it, on a real port: the embedded sandbox of provider simulators, every service
// from src/app/deps.ts, a worker running the real workflows and activities on a Temporal dev server, PGlite, and
// mail over SMTP to a real SMTP server. Only the owner's browser is missing: the test brings Chromium.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { buildApp } from '../../src/app/app.js';
import { loadConfig } from '../../src/app/config.js';
import { createServices } from '../../src/app/deps.js';
import { createLogger } from '../../src/services/logger.js';
import { startSandbox } from '../../src/app/sandbox.js';
import { webSettings } from '../../src/app/http/settings.js';
import { freePort } from '../helpers/ports.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { bundle, createDevEnv, uniqueId } from '../helpers/temporal-env.js';
import { openPglite } from '../helpers/databases.js';

export const secrets = { encryptionKeys: `k1:${Buffer.alloc(32, 7).toString('base64')}`, appSecret: 'e2e-'.repeat(12) };

export async function startStack() {
  const [env, db, smtp, dir, port] = await Promise.all([
    createDevEnv(),
    openPglite(),
    startSmtpServer(),
    mkdtemp(path.join(os.tmpdir(), 'shortfall-e2e-')),
    freePort(),
  ]);
  const baseUrl = `http://127.0.0.1:${port}`;
  const logger = createLogger({ level: 'warn' });
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    SHORTFALL_DATA_DIR: dir,
    TEMPORAL_TASK_QUEUE: uniqueId('e2e'),
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Shortfall <cases@shortfall.test>',
  });
  const sandbox = await startSandbox({ appUrl: baseUrl, publicUrl: baseUrl, logger });
  const services = createServices({ config, logger, db, client: env.client, secrets, sandbox });
  await services.registry.ready(); // as a server does before it listens (integrations/providers.ts)
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: await bundle(new URL('../../workflows/index.ts', import.meta.url)),
    activities: services.activities,
  });
  const running = worker.run();
  const app = await buildApp({
    logger,
    readiness: [{ name: 'database', check: () => db.ping() }],
    webhooks: services.webhooks,
    web: {
      settings: webSettings(config, secrets.appSecret),
      db: db.db,
      workflows: env.client.workflow,
      outbox: services.outbox,
      documents: services.documents,
      approvals: services.approvals,
      connections: services.connections,
    },
  });
  await app.listen({ host: '127.0.0.1', port });
  return {
    env,
    db: db.db,
    smtp,
    baseUrl,
    async stop() {
      await app.close();
      worker.shutdown();
      await running;
      services.transport.close();
      await Promise.all([sandbox.close(), env.teardown(), smtp.close()]);
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export async function waitForMail(
  stack: Stack,
  match: (subject: string, to: string, text: string) => boolean,
  what: string,
  timeoutMs = 60_000,
) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const m = stack.smtp.messages.find((x) =>
      match(x.subject ?? '', x.to && !Array.isArray(x.to) ? x.to.text : '', x.text ?? ''),
    );
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no email ${what}; got: ${stack.smtp.messages.map((m) => m.subject).join(' | ')}`);
}
