// Process entry: `embedded` (everything in one process), `server` (HTTP only), `worker` (Temporal worker only) or
// `simulators` (the provider simulators alone, for a test of the production topology or a shared demo).
import { stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { startBanner } from './banner.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from '../services/db/index.js';
import { createServices, moveLegacyDocuments } from './deps.js';
import { createLogger, type Logger } from '../services/logger.js';
import { resumeSyncs } from '../services/sync/resume.js';
import { sandboxBaseUrls, type Sandbox } from './sandbox.js';
import { startHousekeeping } from '../services/security/housekeeping.js';
import { createSettingsDelivery } from '../services/cases/settings-signal.js';
import { resolveSecrets } from '../services/security/local-secrets.js';
import { makePrivate, privateByDefault } from '../services/security/private-files.js';
import { connectClient, connectWorker } from './temporal/connection.js';
import { resolveTemporal } from './temporal/resolve.js';
import { installTemporalRuntimeLogger } from './temporal/runtime-logger.js';
import { registerSearchAttributes } from './temporal/search-attributes.js';
import { createWorker } from './worker.js';
import { workflowBundle } from './temporal/workflow-bundle.js';
import { closeWhenStopping } from './http/closing.js';
import { AlreadyRunningError, lockDataDir } from './instance-lock.js';

type Mode = 'embedded' | 'server' | 'worker' | 'simulators' | 'healthcheck';

/**
 * A running worker touches this file every 10 s; `shortfall healthcheck worker` reads its age. It lives in the
 * temporary directory, not the data directory, so worker containers sharing a data volume each report their own.
 */
const heartbeatFile = (config: Config) =>
  path.join(os.tmpdir(), `shortfall-worker-${config.temporal.taskQueue.replace(/[^\w.-]/g, '_')}.heartbeat`);
const heartbeatStaleMs = 60_000;
type Stop = () => Promise<void>;

async function run(
  mode: Mode,
  config: Config,
  logger: Logger,
  pathVar: string | undefined,
  stops: Stop[],
): Promise<void> {
  privateByDefault();
  const tightened = await makePrivate(config.dataDir);
  if (tightened.exposed > 0)
    logger.warn(
      { dataDir: config.dataDir, files: tightened.exposed },
      'data files other users could read or write are now private to this user',
    );
  else if (tightened.changed > 0)
    logger.debug(
      { dataDir: config.dataDir, files: tightened.changed },
      'data files inside the private folder tightened',
    );
  // An embedded store (PGlite, the embedded Temporal's SQLite file) has one owner: a second start here is refused.
  if (config.db.kind === 'pglite' || mode === 'embedded') {
    const lock = await lockDataDir(config.dataDir);
    stops.push(() => lock.release());
  }
  const secrets = await resolveSecrets(config);
  const db = await openDatabase(config.db);
  stops.push(() => db.close());
  logger.info({ engine: db.kind }, 'database ready');

  const temporal = await resolveTemporal(config, logger, { embed: mode === 'embedded', pathVar });
  stops.push(() => temporal.stop());
  const { client, connection: clientConnection } = await connectClient(temporal.target);
  stops.push(() => clientConnection.close());
  await registerSearchAttributes(clientConnection, temporal.target.namespace);

  let sandbox: Sandbox | undefined;
  if (config.simulators) {
    const { startSandbox, defaultSandboxPorts } = await import('./sandbox.js');
    sandbox = await startSandbox({
      appUrl: `http://127.0.0.1:${config.http.port}`,
      publicUrl: config.http.publicUrl,
      logger,
      stateDir: config.sandbox.stateDir,
      ports: config.sandbox.ports,
      defaultPorts: defaultSandboxPorts,
    });
    stops.push(() => sandbox!.close());
  }
  const services = createServices({ config, logger, db, client, secrets, sandbox });
  stops.push(async () => services.transport.close());
  stops.push(() => services.flushLimits()); // before the database closes (stops run last-first)
  await moveLegacyDocuments(services, logger);

  if (mode !== 'server') {
    installTemporalRuntimeLogger(logger);
    const bundle = await workflowBundle(path.join(config.dataDir, 'workflow-bundles'));
    if (bundle.builtNow) logger.info({ file: bundle.codePath }, 'workflow bundle built for this workflow code');
    const workerConnection = await connectWorker(temporal.target);
    const worker = await createWorker({
      workflowBundle: { codePath: bundle.codePath },
      connection: workerConnection,
      namespace: temporal.target.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: services.activities,
    });
    const running = worker.run();
    running.catch((err: unknown) => logger.fatal({ err }, 'worker stopped unexpectedly'));
    stops.push(async () => {
      worker.shutdown();
      await running.catch(() => undefined);
      await workerConnection.close();
    });
    // The worker has no HTTP port: it proves it is alive and polling by touching a file.
    const beat = () => {
      if (worker.getState() === 'RUNNING')
        writeFile(heartbeatFile(config), new Date().toISOString()).catch((err: unknown) =>
          logger.warn({ err }, 'worker heartbeat not written'),
        );
    };
    beat();
    const heartbeat = setInterval(beat, 10_000);
    heartbeat.unref();
    stops.push(async () => clearInterval(heartbeat));
    logger.info({ taskQueue: config.temporal.taskQueue }, 'worker polling');
  }

  if (mode !== 'worker') {
    // The HTTP tree (pages, views, the dashboard's chart renderer) loads only in a process that serves it: a worker
    // alone does not carry it (about 20 MB of its RSS).
    // Providers load their code on first use (integrations/providers.ts); what the HTTP tree asks of them at once (a
    // webhook's signature, an OAuth consent URL) needs every configured one loaded before the first request.
    const [{ buildApp }, { processInbox }, { webSettings }, { createSandboxReset }] = await Promise.all([
      import('./app.js'),
      import('./http/webhooks/inbox.js'),
      import('./http/settings.js'),
      import('../services/connections/sandbox-reset.js'),
      services.registry.ready(),
    ]);
    // Saved Settings are passed on to open cases in the background, one delivery at a time per organisation; the
    // sweep below sends what a delivery could not, and stops them at a stop: what is left is owed to the next sweep.
    const settingsDelivery = createSettingsDelivery(db.db, client.workflow, { log: logger });
    const app = await buildApp({
      logger,
      trustProxy: config.http.trustProxy,
      readiness: [
        { name: 'database', check: () => db.ping() },
        { name: 'temporal', check: async () => void (await client.workflowService.getSystemInfo({})) },
        // Letters and approval links go out by mail: a server that refuses connections is not ready to work.
        { name: 'mail', check: () => services.transport.verify() },
      ],
      webhooks: services.webhooks,
      web: {
        settings: webSettings(config, secrets.appSecret),
        db: db.db,
        workflows: client.workflow,
        settingsDelivery,
        outbox: services.outbox,
        documents: services.documents,
        approvals: services.approvals,
        connections: services.connections,
        paymentLinks: services.paymentLinks,
        resetSandbox: sandbox && createSandboxReset({ db: db.db, connections: services.connections, sandbox, logger }),
      },
    });
    const closeApp = closeWhenStopping(app);
    await app.listen({ host: config.http.host, port: config.http.port });
    stops.push(async () => {
      const { unanswered } = await closeApp();
      if (unanswered > 0) logger.warn({ unanswered }, 'requests still being handled after the grace; stopping anyway');
    });
    // Webhook events whose processing failed after the 2xx are retried from the inbox.
    const inbox = setInterval(() => {
      processInbox({ db: db.db, onEvents: services.webhooks.onEvents }).catch((err: unknown) =>
        logger.error({ err }, 'inbox processing failed'),
      );
    }, 60_000);
    stops.push(async () => clearInterval(inbox));
    // Notices no workflow retries (a connection that broke) are sent again while the mail server was down.
    let redelivering: Promise<unknown> | undefined;
    const redeliver = setInterval(() => {
      // One sweep at a time: a slow mail server must not stack sweeps up.
      redelivering ??= services.outbox
        .redeliverDue()
        .catch((err: unknown) => logger.error({ err }, 'outbox redelivery failed'))
        .finally(() => (redelivering = undefined));
    }, 5 * 60_000).unref();
    stops.push(async () => clearInterval(redeliver));
    // Saved Settings some open case does not have (Temporal unreachable, or a stop between save and delivery):
    // sent again now and every 5 minutes, one sweep at a time, to the cases that miss them.
    let resending: Promise<unknown> | undefined;
    const resendSettings = () =>
      (resending ??= settingsDelivery
        .sweep()
        .then((r) => r.organisations > 0 && logger.info(r, 'saved settings sent again to open cases'))
        .catch((err: unknown) => logger.error({ err }, 'settings redelivery failed'))
        .finally(() => (resending = undefined)));
    void resendSettings();
    const settingsSweep = setInterval(resendSettings, 5 * 60_000).unref();
    stops.push(async () => {
      clearInterval(settingsSweep);
      await settingsDelivery.close();
      await resending;
    });
    // Expired sessions, sign-in links, OAuth states, pending grants and approval links: swept now and hourly.
    const housekeeping = startHousekeeping({
      db: db.db,
      logger,
      before: () => services.connections.releaseExpiredChoices(),
    });
    stops.push(() => housekeeping.stop());
    await resumeSyncs(db.db, services.dispatcher);
    logger.info(
      { url: config.http.publicUrl, temporalUi: temporal.uiUrl, sandbox: Boolean(sandbox) },
      'shortfall is up',
    );
    const banner = startBanner({
      publicUrl: config.http.publicUrl,
      temporalUi: temporal.uiUrl ?? config.temporal.uiUrl,
      temporalAddress: temporal.target.address,
      mailbox: webSettings(config, secrets.appSecret).mailbox,
      dataDir: config.dataDir,
      cwd: process.cwd(),
      sandbox: sandbox && sandboxBaseUrls(sandbox),
    });
    console.log(`\n${banner}\n`);
  }
}

/**
 * `shortfall healthcheck [server|worker]`, for container health checks: the server is healthy when its /readyz
 * answers 200 (database, Temporal and mail reachable); a worker when it touched its heartbeat file within a minute.
 */
async function healthcheck(config: Config, what: string | undefined): Promise<number> {
  if (what === 'worker') {
    const age = await stat(heartbeatFile(config)).then(
      (s) => Date.now() - s.mtimeMs,
      () => Number.POSITIVE_INFINITY,
    );
    if (age <= heartbeatStaleMs) return 0;
    console.error(`worker unhealthy: no heartbeat in ${heartbeatFile(config)} for ${Math.round(age / 1000)} s`);
    return 1;
  }
  const host = ['0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}/readyz`, {
    signal: AbortSignal.timeout(5_000),
  }).catch((err: unknown) => err as Error);
  if (res instanceof Response && res.ok) return 0;
  console.error(`server unhealthy: ${res instanceof Response ? `/readyz answered ${res.status}` : res.message}`);
  return 1;
}

async function main() {
  const mode = (process.argv[2] ?? 'embedded') as Mode;
  if (!['embedded', 'server', 'worker', 'simulators', 'healthcheck'].includes(mode)) {
    console.error('usage: shortfall [embedded|server|worker|simulators|healthcheck [server|worker]]');
    process.exit(2);
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
  if (mode === 'healthcheck') process.exit(await healthcheck(config, process.argv[3]));
  const logger = createLogger({ level: config.log.level });
  const stops: Stop[] = [];
  closeWithGrace({ delay: 30_000 }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    for (const stop of stops.reverse())
      await stop().catch((e: unknown) => logger.error({ err: e }, 'shutdown step failed'));
  });
  if (mode === 'simulators') {
    if (config.env === 'production') {
      console.error('shortfall simulators: the provider simulators never run with NODE_ENV=production');
      process.exit(1);
    }
    const { runSimulators } = await import('./sandbox.js');
    await runSimulators(config, logger, process.argv.slice(3), stops);
  } else
    await run(mode, config, logger, process.env.PATH, stops).catch((err: unknown) => {
      if (!(err instanceof AlreadyRunningError)) throw err;
      console.error(err.message);
      process.exit(1);
    });
}

await main();
