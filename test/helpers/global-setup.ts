// Gives the suite a real Postgres: TEST_DATABASE_URL when set, otherwise a throwaway cluster (postgres-server.ts),
// a migrated PGlite data directory to start PGlite databases from (pglite-template.ts), and a cache for workflow
// bundles (temporal-env.ts). Marks the run so that every process it starts is stopped when it ends, interrupted or
// not (reaper.ts).
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildPgliteTemplate } from './pglite-template.js';
import { startThrowawayPostgres } from './postgres-server.js';
import { runMarker, stopMarked } from './reaper.js';
import { bundleCacheDir } from './run-files.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = randomUUID();
  process.env[runMarker] = runId;
  process.once('exit', () => {
    rmSync(bundleCacheDir(runId), { recursive: true, force: true });
    const left = stopMarked(runId);
    if (left.length > 0) console.error(`test run: stopped ${left.length} leftover process(es):\n${left.map((p) => `  ${p.pid} ${p.command.slice(0, 160)}`).join('\n')}`);
  });
  const fromEnv = process.env.TEST_DATABASE_URL;
  const [template, server] = await Promise.all([buildPgliteTemplate(runId), fromEnv ? undefined : startThrowawayPostgres()]);
  process.once('exit', () => rmSync(template, { force: true }));
  project.provide('pgliteTemplate', template);
  project.provide('postgresUrl', fromEnv ?? server!.url);
  return async () => {
    await server?.stop();
    rmSync(template, { force: true });
  };
}
