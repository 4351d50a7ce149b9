// Temporary files a test run shares between its test files, named by the run's id (reaper.ts), removed when it ends.
import os from 'node:os';
import path from 'node:path';

/** Workflow bundles (temporal-env.ts). */
export const bundleCacheDir = (runId: string) => path.join(os.tmpdir(), `shortfall-bundles-${runId}`);

/** The migrated PGlite data directory (pglite-template.ts). */
export const pgliteTemplateFile = (runId: string) => path.join(os.tmpdir(), `shortfall-pglite-${runId}.tar`);
