// Gives the suite a real Postgres: TEST_DATABASE_URL when set, otherwise a throwaway cluster (postgres-server.ts),
// a migrated PGlite data directory to start PGlite databases from (pglite-template.ts), and a cache for workflow
// bundles (temporal-env.ts). Marks the run so that every process it starts is stopped when it ends, interrupted or
// not (reaper.ts).
//
// Vitest calls a global setup once per project; the run's resources are started once and shared by every project.
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

interface Run {
  postgresUrl: string;
  pgliteTemplate: string;
  projects: number;
  stop(): Promise<void>;
}

async function startRun(): Promise<Run> {
  const runId = randomUUID();
  process.env[runMarker] = runId;
  const cleanUp = () => {
    rmSync(bundleCacheDir(runId), { recursive: true, force: true });
    rmSync(pgliteTemplate, { force: true });
  };
  process.once('exit', () => {
    cleanUp();
    const left = stopMarked(runId);
    if (left.length > 0)
      console.error(
        `test run: stopped ${left.length} leftover process(es):\n${left.map((p) => `  ${p.pid} ${p.command.slice(0, 160)}`).join('\n')}`,
      );
  });
  const fromEnv = process.env.TEST_DATABASE_URL;
  const [pgliteTemplate, server] = await Promise.all([
    buildPgliteTemplate(runId),
    fromEnv ? undefined : startThrowawayPostgres(),
  ]);
  return {
    postgresUrl: fromEnv ?? server!.url,
    pgliteTemplate,
    projects: 0,
    async stop() {
      await server?.stop();
      cleanUp();
    },
  };
}

const shared = globalThis as { [key: symbol]: Promise<Run> | undefined };
const runKey = Symbol.for('shortfall.test-run');

export default async function setup(project: TestProject) {
  const run = await (shared[runKey] ??= startRun());
  run.projects++;
  project.provide('postgresUrl', run.postgresUrl);
  project.provide('pgliteTemplate', run.pgliteTemplate);
  return async () => {
    if (--run.projects === 0) await run.stop();
  };
}
