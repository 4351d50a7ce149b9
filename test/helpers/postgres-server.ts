import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const exec = promisify(execFile);

function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => path.join(base, v, 'bin')).find((d) => existsSync(path.join(d, 'initdb')));
  if (!dir) throw new Error('No PostgreSQL server binaries: set TEST_DATABASE_URL, or install Debian\'s postgresql (`bash .ci/run` does both).');
  return dir;
}

/** initdb refuses to run as root, so as root the cluster belongs to the `postgres` user. */
export async function startThrowawayPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = pgBinDir();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await exec('id', ['-u', 'postgres']);
    const { stdout: gid } = await exec('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const run = (cmd: string, args: string[]) => (asRoot ? exec('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]) : exec(path.join(bin, cmd), args));
  const data = path.join(dir, 'data');
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  await run('pg_ctl', ['-D', data, '-w', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  await run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'shortfall_test']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/shortfall_test`,
    async stop() {
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
