// Process entry: `embedded` (everything in one process), `server` (HTTP only) or `worker` (Temporal worker only).
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/index.js';
import { createLogger, type Logger } from './logger.js';
import { resolveSecrets } from './security/local-secrets.js';
import { connectClient, connectWorker } from './temporal/connection.js';
import { resolveTemporal } from './temporal/resolve.js';
import { installTemporalRuntimeLogger } from './temporal/runtime-logger.js';
import { registerSearchAttributes } from './temporal/search-attributes.js';
import { createActivities } from '../activities/index.js';
import { createWorker } from './worker.js';

type Mode = 'embedded' | 'server' | 'worker';
type Stop = () => Promise<void>;

async function run(mode: Mode, config: Config, logger: Logger, pathVar: string | undefined): Promise<Stop[]> {
  const stops: Stop[] = [];
  await resolveSecrets(config);
  const db: DatabaseHandle = await openDatabase(config.db);
  stops.push(() => db.close());
  logger.info({ engine: db.kind }, 'database ready');

  const temporal = await resolveTemporal(config, logger, { embed: mode === 'embedded', pathVar });
  stops.push(() => temporal.stop());
  const { client, connection: clientConnection } = await connectClient(temporal.target);
  stops.push(() => clientConnection.close());
  await registerSearchAttributes(clientConnection, temporal.target.namespace);

  if (mode !== 'server') {
    installTemporalRuntimeLogger(logger);
    const connection = await connectWorker(temporal.target);
    const worker = await createWorker({ connection, namespace: temporal.target.namespace, taskQueue: config.temporal.taskQueue, activities: createActivities({}) });
    const running = worker.run();
    running.catch((err: unknown) => logger.fatal({ err }, 'worker stopped unexpectedly'));
    stops.push(async () => {
      worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    });
    logger.info({ taskQueue: config.temporal.taskQueue }, 'worker polling');
  }

  if (mode !== 'worker') {
    const app = await buildApp({
      logger,
      readiness: [
        { name: 'database', check: () => db.ping() },
        { name: 'temporal', check: async () => void (await client.workflowService.getSystemInfo({})) },
      ],
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    stops.push(() => app.close());
    logger.info({ url: config.http.publicUrl, temporalUi: temporal.uiUrl }, 'shortfall is up');
    console.log(`\n  Shortfall      ${config.http.publicUrl}\n  Temporal UI    ${temporal.uiUrl ?? '(not embedded)'}\n`);
  }
  return stops;
}

async function main() {
  const mode = (process.argv[2] ?? 'embedded') as Mode;
  if (!['embedded', 'server', 'worker'].includes(mode)) {
    console.error(`usage: shortfall [embedded|server|worker]`);
    process.exit(2);
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
  const logger = createLogger({ level: config.log.level });
  const stops: Stop[] = [];
  closeWithGrace({ delay: 30_000 }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => logger.error({ err: e }, 'shutdown step failed'));
  });
  stops.push(...(await run(mode, config, logger, process.env.PATH)));
}

await main();
