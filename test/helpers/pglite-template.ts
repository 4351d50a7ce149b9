// PGlite's in-memory start runs initdb inside WASM and then our migrations: 2–5 s on a 2-core machine, paid by every
// test that opens one. The global setup builds one migrated data directory per run; openPglite() (databases.ts)
// starts each database from it in about half a second. test/integration/db/migrations.test.ts still migrates
// from empty.
import { writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from '../../src/services/db/index.js';
import { pgliteTemplateFile } from './run-files.js';

export async function buildPgliteTemplate(runId: string): Promise<string> {
  const client = new PGlite();
  try {
    await migrate(drizzle(client), { migrationsFolder });
    const dump = await client.dumpDataDir('none');
    const file = pgliteTemplateFile(runId);
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
    return file;
  } finally {
    await client.close();
  }
}
