import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/services/db/index.js';

let template: Promise<Blob> | undefined;

/** A new in-memory PGlite database, migrated: started from the run's template (pglite-template.ts). */
export async function openPglite(): Promise<DatabaseHandle> {
  template ??= readFile(inject('pgliteTemplate')).then((b) => new Blob([b]));
  return openDatabase({ kind: 'pglite', loadDataDir: await template });
}

/** A new, empty Postgres database on the suite's server, so test files never share state. */
export async function freshPostgresUrl(): Promise<string> {
  const base = new URL(inject('postgresUrl'));
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  base.pathname = `/${name}`;
  return base.toString();
}

/**
 * The two engines for describe.each: PGlite (the embedded default) and Postgres (production), each on a fresh
 * database. Every handle an opener returns is closed after the file.
 */
export function bothEngines(): [string, () => Promise<DatabaseHandle>][] {
  const handles: DatabaseHandle[] = [];
  afterAll(async () => {
    for (const h of handles) await h.close();
  });
  const tracked = (open: () => Promise<DatabaseHandle>) => async () => {
    const h = await open();
    handles.push(h);
    return h;
  };
  return [
    ['PGlite', tracked(openPglite)],
    ['Postgres', tracked(async () => openDatabase({ kind: 'postgres', url: await freshPostgresUrl() }))],
  ];
}
