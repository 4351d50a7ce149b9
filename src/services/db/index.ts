// Opens the database the config names (PGlite embedded, or Postgres) and runs the one migration set.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { schema } from './schema.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: 'pglite' | 'postgres';
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * The advisory lock every migration run holds (an arbitrary constant, the same in every process of every version),
 * so processes starting at once against one fresh database migrate one after another: the first applies the
 * migrations, the others wait, then find nothing left to apply. Without it two runs race on `CREATE SCHEMA` and
 * `CREATE TABLE` and one fails (`duplicate key value violates unique constraint "pg_type_typname_nsp_index"`).
 */
export const MIGRATION_LOCK_KEY = 7_305_117_317_062_017n;

/**
 * Runs `migrate` while holding the migration lock on `client`'s session, released in every case. The lock is
 * session-level, so it must be taken and released on the one connection the migrations run on. PGlite has a
 * single connection in a single process: the lock is taken and released there too, and never waits.
 */
async function underMigrationLock(
  client: { query(text: string, params?: unknown[]): Promise<unknown> },
  migrate: () => Promise<void>,
): Promise<void> {
  const key = MIGRATION_LOCK_KEY.toString();
  await client.query('select pg_advisory_lock($1::bigint)', [key]);
  try {
    await migrate();
  } finally {
    await client.query('select pg_advisory_unlock($1::bigint)', [key]);
  }
}

/** Migrates a Postgres database on one connection of its own, under the migration lock; the connection is closed after. */
export async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await underMigrationLock(client, () => migratePg(drizzlePg(client), { migrationsFolder }));
  } finally {
    await client.end();
  }
}

/**
 * Where the data lives: Postgres by URL, or PGlite in a directory (`dir` undefined: in memory, for tests);
 * `loadDataDir` starts PGlite from a dumped data directory (the tests' migrated template, which skips PGlite's
 * initdb and the migrations).
 */
export type DatabaseSettings =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly dir?: string; readonly loadDataDir?: Blob };

export async function openDatabase(cfg: DatabaseSettings): Promise<DatabaseHandle> {
  if (cfg.kind === 'postgres') {
    await migratePostgres(cfg.url);
    const pool = new pg.Pool({ connectionString: cfg.url, max: 10 });
    // An idle connection the server closed (a restart, a failover) is an 'error' on the pool; unheard, it would end
    // the process. The pool drops that client and the next query opens a new connection.
    pool.on('error', () => undefined);
    const db = drizzlePg(pool, { schema });
    return {
      db: db as unknown as Database,
      kind: 'postgres',
      ping: async () => void (await db.execute(sql`select 1`)),
      close: () => pool.end(),
    };
  }
  // Embedded PGlite (its WebAssembly Postgres and drizzle's driver for it) is loaded only by a process that opens it.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  if (cfg.dir) await mkdir(cfg.dir, { recursive: true });
  const client = cfg.dir
    ? new PGlite(cfg.dir)
    : new PGlite('loadDataDir' in cfg && cfg.loadDataDir ? { loadDataDir: cfg.loadDataDir } : undefined);
  const db = drizzlePglite(client, { schema });
  await underMigrationLock(client, () => migratePglite(db, { migrationsFolder }));
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.close(),
  };
}
