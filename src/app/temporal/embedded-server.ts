// The embedded default: `temporal server start-dev` persisted to a SQLite file under the data dir.
// We spawn the CLI ourselves (fixed ports, logs into pino, our own lifecycle); without a binary we fall
// back to the SDK's cached download with a long ttl so an offline restart keeps working.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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

/** The command line of process `pid`, or undefined when it is gone or cannot be read (Linux's /proc, else `ps`). */
async function commandLine(pid: number): Promise<string | undefined> {
  const proc = await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => undefined);
  if (proc !== undefined) return proc.split('\0').join(' ');
  return new Promise((resolve) =>
    execFile('ps', ['-o', 'command=', '-p', String(pid)], (err, out) => resolve(err ? undefined : out.trim())),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A dev server an earlier run left behind on this data directory (that run was killed before it could stop it): its
 * pid is in the pid file, and it is stopped only if that process is still the dev server of this very SQLite file.
 * Otherwise the new one could not take its ports, and the owner would be left to find and kill it.
 */
async function stopLeftover(pidFile: string, dbFile: string, log: Logger): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const command = await commandLine(pid);
  if (!command?.includes('start-dev') || !command.includes(dbFile)) return;
  log.warn({ pid }, 'stopping the Temporal dev server an earlier run of Shortfall left running');
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && (await commandLine(pid))?.includes(dbFile)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await delay(100);
  }
}

async function spawnCli(o: EmbeddedOptions, cliPath: string): Promise<EmbeddedTemporal> {
  const log = o.logger.child({ module: 'temporal-dev-server' });
  const pidFile = path.join(path.dirname(o.dbFile), 'dev-server.pid');
  await stopLeftover(pidFile, o.dbFile, log);
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
  // Its own process group: Ctrl-C in the terminal reaches Shortfall alone, which stops the dev server last, after the
  // worker has drained (in the terminal's group it died first, under a draining worker).
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Whatever ends this process (a stop past its grace, a crash) ends the dev server too; only SIGKILL cannot, and
  // the pid file lets the next start stop what it left.
  const stopAtExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stopAtExit);
  if (child.pid !== undefined) await writeFile(pidFile, `${child.pid}\n`, { mode: 0o600 });
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
      process.off('exit', stopAtExit);
      if (child.exitCode === null && child.signalCode === null) {
        stopping = true;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(pidFile, { force: true });
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
