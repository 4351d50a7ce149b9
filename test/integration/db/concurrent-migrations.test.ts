// Server and workers start at the same time against one fresh Postgres: every process migrates under one advisory
// lock, so all of them start and the schema is applied once. Separate OS processes, each opening the database through
// the real `openDatabase`, released together.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { migrationsFolder } from '../../../src/services/db/index.js';
import { freshPostgresUrl } from '../../helpers/databases.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = path.join(root, 'test/fixtures/migrate/open-database.ts');
const PROCESSES = 5;

interface Child {
  readonly proc: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

const children: Child[] = [];
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
});

function start(url: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, url], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const child: Child = {
    proc,
    output: '',
    exited: new Promise((resolve) => proc.once('exit', (code) => resolve(code))),
  };
  proc.stdout!.on('data', (d: Buffer) => (child.output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (child.output += d.toString()));
  children.push(child);
  return child;
}

describe('migrations started by several processes at once', () => {
  it('all succeed against one fresh Postgres, and each migration is applied once', async () => {
    const url = await freshPostgresUrl();
    const started = Array.from({ length: PROCESSES }, () => start(url));
    // Node and tsx load at different speeds: release every process only once all of them are ready to migrate.
    await vi.waitFor(
      () => {
        for (const c of started) {
          if (c.proc.exitCode !== null) throw new Error(`a process ended before migrating:\n${c.output}`);
          expect(c.output).toContain('READY');
        }
      },
      { timeout: 60_000, interval: 100 },
    );
    for (const c of started) c.proc.stdin!.write('go\n');
    const codes = await Promise.all(started.map((c) => c.exited));
    for (const [i, c] of started.entries()) {
      expect(codes[i], `process ${i + 1} of ${PROCESSES}:\n${c.output}`).toBe(0);
      expect(c.output).toContain('MIGRATED');
    }

    const journal = JSON.parse(await readFile(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
      entries: { tag: string }[];
    };
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const applied = await client.query<{ hash: string }>('select hash from drizzle.__drizzle_migrations');
      expect(applied.rows).toHaveLength(journal.entries.length);
      expect(new Set(applied.rows.map((r) => r.hash)).size).toBe(journal.entries.length);
      const tables = await client.query<{ n: number }>(
        `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
      );
      expect(tables.rows[0]!.n).toBeGreaterThan(0);
      const cases = await client.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_schema = 'public' and table_name = 'cases'`,
      );
      expect(cases.rows.map((r) => r.column_name)).toContain('workflow_id');
      // Nobody is left holding or waiting for the lock.
      const locks = await client.query<{ n: number }>(
        `select count(*)::int as n from pg_locks where locktype = 'advisory'`,
      );
      expect(locks.rows[0]!.n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
