// The embedded default: `temporal server start-dev` persisted to a SQLite file under the data dir.
// We spawn the CLI ourselves (fixed ports, logs into pino, our own lifecycle); without a binary we fall
// back to the SDK's cached download with a long ttl so an offline restart keeps working.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger } from '../../services/logger.js';
import { searchAttributeKeys } from '../../../workflows/search-attributes.js';
import { searchAttributeFlags } from './search-attributes.js';

export interface EmbeddedTemporal {
  readonly address: string;
  readonly uiUrl: string;
  readonly namespace: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly cliPath: string | undefined;
  readonly dbFile: string;
  readonly port: number;
  readonly uiPort: number;
  readonly namespace: string;
  readonly downloadDir: string;
  readonly logger: Logger;
}

async function waitUntilServing(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      await c.workflowService.getSystemInfo({});
      await c.close();
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal dev server did not answer on ${address} within ${timeoutMs} ms`, { cause: err });
      await delay(250);
    }
  }
}

function pipeLogs(child: ChildProcess, log: Logger): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string };
        const level =
          entry.level === 'error' || entry.level === 'fatal' ? 'error' : entry.level === 'warn' ? 'warn' : 'debug';
        log[level]({ server: entry }, entry.msg ?? 'temporal server');
      } catch {
        log.debug({ line }, 'temporal server output');
      }
    });
  }
}

async function spawnCli(o: EmbeddedOptions, cliPath: string): Promise<EmbeddedTemporal> {
  const log = o.logger.child({ module: 'temporal-dev-server' });
  const address = `127.0.0.1:${o.port}`;
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    o.dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--namespace',
    o.namespace,
    '--log-format',
    'json',
    '--log-level',
    'warn',
    '--sqlite-pragma',
    'journal_mode=WAL',
    ...searchAttributeFlags.flatMap((f) => ['--search-attribute', f]),
  ];
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  pipeLogs(child, log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failedEarly = exited.then((code) => {
    throw new Error(
      `Temporal dev server exited with code ${code} before it was ready (is port ${o.port} or ${o.uiPort} in use?)`,
    );
  });
  await Promise.race([waitUntilServing(address, 60_000), failedEarly]);
  let stopping = false;
  failedEarly.catch(() => {
    if (!stopping) log.error('temporal dev server exited unexpectedly');
  });
  return {
    address,
    uiUrl: `http://127.0.0.1:${o.uiPort}`,
    namespace: o.namespace,
    async stop() {
      if (child.exitCode !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function downloadAndStart(o: EmbeddedOptions): Promise<EmbeddedTemporal> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download', downloadDir: o.downloadDir, ttl: '3650d' },
      dbFilename: o.dbFile,
      ip: '127.0.0.1',
      port: o.port,
      uiPort: o.uiPort,
      namespace: o.namespace,
      searchAttributes: searchAttributeKeys,
    },
  });
  return {
    address: env.address,
    uiUrl: `http://127.0.0.1:${o.uiPort}`,
    namespace: o.namespace,
    stop: () => env.teardown(),
  };
}

export async function startEmbeddedTemporal(o: EmbeddedOptions): Promise<EmbeddedTemporal> {
  await mkdir(path.dirname(o.dbFile), { recursive: true });
  if (o.cliPath) return spawnCli(o, o.cliPath);
  o.logger.warn({ downloadDir: o.downloadDir }, 'temporal CLI not found; using the SDK download (needs internet once)');
  return downloadAndStart(o);
}
