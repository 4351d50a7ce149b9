// Decides which Temporal server this process talks to: the configured cluster, or the embedded dev server.
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../../services/logger.js';
import { findBinary } from './binaries.js';
import { startEmbeddedTemporal } from './embedded-server.js';
import type { TemporalTarget } from './connection.js';

export interface ResolvedTemporal {
  readonly target: TemporalTarget;
  readonly uiUrl?: string | undefined;
  stop(): Promise<void>;
}

export async function resolveTemporal(
  config: Config,
  logger: Logger,
  opts: { embed: boolean; pathVar: string | undefined },
): Promise<ResolvedTemporal> {
  const t = config.temporal;
  if (t.address || !opts.embed) {
    const address = t.address ?? `127.0.0.1:${t.embedded.port}`;
    return {
      target: { address, namespace: t.namespace, apiKey: t.apiKey, tls: t.tls },
      uiUrl: t.uiUrl,
      stop: async () => {},
    };
  }
  const server = await startEmbeddedTemporal({
    cliPath: findBinary('temporal', t.embedded.cliPath, opts.pathVar),
    dbFile: t.embedded.dbFile,
    port: t.embedded.port,
    uiPort: t.embedded.uiPort,
    namespace: t.namespace,
    downloadDir: path.join(config.dataDir, 'temporal-download'),
    logger,
  });
  return {
    target: { address: server.address, namespace: server.namespace },
    uiUrl: server.uiUrl,
    stop: () => server.stop(),
  };
}
