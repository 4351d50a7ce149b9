import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributeKeys } from '../../workflows/search-attributes.js';
import { sharedWorkflowModules } from '../../src/app/temporal/workflow-bundle.js';
import { requireBinary } from './binaries.js';
import { runMarker } from './reaper.js';
import { bundleCacheDir } from './run-files.js';

/**
 * The SDK gives an ephemeral server a fixed 5 s to answer (reference/temporal.md §1.1); on a loaded 2-core machine
 * a start can miss that window, so starting is retried a few times before the test fails.
 */
async function withStartRetries(
  start: () => Promise<TestWorkflowEnvironment>,
  attempts = 3,
): Promise<TestWorkflowEnvironment> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

export function createDevEnv(): Promise<TestWorkflowEnvironment> {
  return withStartRetries(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: requireBinary('temporal') },
        searchAttributes: searchAttributeKeys,
      },
    }),
  );
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return withStartRetries(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: requireBinary('temporal-test-server') } },
    }),
  );
}

/**
 * Bundle once per test run and workflows entry: webpack takes 2 s or more, and a dozen test files bundle the same
 * workflows/index.ts. The first file to ask builds it into the run's cache; the others read it. Worker.create
 * then reuses it for every test of the file (reference/temporal.md §6).
 */
export async function bundle(
  workflowsUrl: URL,
  /** Workflow interceptor modules bundled with the code (a replay's result reporter). */
  interceptorUrls: readonly URL[] = [],
): Promise<WorkflowBundleWithSourceMap> {
  const workflowsPath = fileURLToPath(workflowsUrl);
  const workflowInterceptorModules = interceptorUrls.map((u) => fileURLToPath(u));
  // The modules production shares between workflows are shared here too, so tests run the bundle as it ships.
  const build = () =>
    bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules,
      preloadModules: [...sharedWorkflowModules],
      logger: quietBundlerLogger,
    });
  const runId = process.env[runMarker];
  if (!runId) return build();
  const file = path.join(
    bundleCacheDir(runId),
    `${createHash('sha256')
      .update([workflowsPath, ...workflowInterceptorModules].join('\n'))
      .digest('hex')
      .slice(0, 16)}.json`,
  );
  try {
    return JSON.parse(await readFile(file, 'utf8')) as WorkflowBundleWithSourceMap;
  } catch {
    const built = await build();
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, JSON.stringify(built));
    await rename(partial, file);
    return built;
  }
}

const noop = () => {};
const quietBundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

export const uniqueId = (prefix: string) => `${prefix}/${randomUUID()}`;
