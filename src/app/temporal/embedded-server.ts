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

/** The arguments of process `pid`, or undefined when it is gone or they cannot be read (Linux's /proc, else `ps`). */
async function argumentsOf(pid: number): Promise<string[] | undefined> {
  const proc = await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => undefined);
  if (proc !== undefined) return proc.split('\0');
  return new Promise((resolve) =>
    execFile('ps', ['-o', 'command=', '-p', String(pid)], (err, out) =>
      resolve(err || !out.trim() ? undefined : out.trim().split(/\s+/)),
    ),
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

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone meanwhile, or not ours to signal: what follows checks again
  }
}

/** Whether `pid` is the dev server of exactly this SQLite file (the argument after --db-filename). */
async function isDevServerOf(pid: number, dbFile: string): Promise<boolean> {
  const args = await argumentsOf(pid);
  if (!args?.includes('start-dev')) return false;
  const i = args.indexOf('--db-filename');
  return i !== -1 && args[i + 1] === dbFile;
}

/**
 * A dev server an earlier run left behind on this data directory: that run was killed before it could stop it (a
 * kill -9). The pid file names the dev server and the Shortfall process that started it; the dev server is stopped
 * only if that process is gone and the pid is still the dev server of this very SQLite file. (A live Shortfall on the
 * same data directory never gets here: the data directory's lock, src/app/instance-lock.ts, refuses the start.)
 * Otherwise the new one could not take its ports, and the owner would be left to find and kill it.
 */
async function stopLeftover(pidFile: string, dbFile: string, log: Logger): Promise<void> {
  const [pid, owner] = (await readFile(pidFile, 'utf8').catch(() => '')).trim().split(/\s+/).map(Number);
  if (!pid || !Number.isInteger(pid) || pid <= 0) return;
  if (owner && owner !== process.pid && alive(owner)) return;
  if (!(await isDevServerOf(pid, dbFile))) return;
  log.warn({ pid }, 'stopping the Temporal dev server an earlier run of Shortfall left running');
  signal(pid, 'SIGTERM');
  const killAfter = Date.now() + 10_000;
  let killed = false;
  // Until it is gone (its ports free), SIGKILL after 10 s; a pid that is no longer that dev server is gone too.
  while (alive(pid) && (await isDevServerOf(pid, dbFile))) {
    if (!killed && Date.now() > killAfter) {
      signal(pid, 'SIGKILL');
      killed = true;
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
  // worker has drained (in the terminal's group it died first, under a draining worker). On Windows, where a detached
  // child gets a console window of its own, it stays attached.
  const child = spawn(cliPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Whatever ends this process (a stop past its grace, a crash) ends the dev server too; only SIGKILL cannot, and
  // the pid file lets the next start stop what it left.
  const stopAtExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stopAtExit);
  const pidLine = `${child.pid} ${process.pid}\n`;
  if (child.pid !== undefined) await writeFile(pidFile, pidLine, { mode: 0o600 });
  /** The pid file goes only while it still names this dev server (a later start may have written its own). */
  const removePidFile = async () => {
    if ((await readFile(pidFile, 'utf8').catch(() => '')) === pidLine) await rm(pidFile, { force: true });
  };
  pipeLogs(child, log);
  const failedEarly = exited.then((code) => {
    throw new Error(
      `Temporal dev server exited with code ${code} before it was ready (is port ${o.port} or ${o.uiPort} in use?)`,
    );
  });
  try {
    await Promise.race([waitUntilServing(address, 60_000), failedEarly]);
  } catch (err) {
    failedEarly.catch(() => undefined); // the reason is the error thrown here
    stopAtExit();
    process.off('exit', stopAtExit);
    await removePidFile();
    throw err;
  }
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
      await removePidFile();
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
