import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributeKeys } from '../../workflows/search-attributes.js';
import { requireBinary } from './binaries.js';

/**
 * The SDK gives an ephemeral server a fixed 5 s to answer (reference/temporal.md §1.1); on a loaded 2-core machine
 * a start can miss that window, so starting is retried a few times before the test fails.
 */
async function withStartRetries(start: () => Promise<TestWorkflowEnvironment>, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

export function createDevEnv(): Promise<TestWorkflowEnvironment> {
  return withStartRetries(() => TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: requireBinary('temporal') }, searchAttributes: searchAttributeKeys },
  }));
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return withStartRetries(() => TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary('temporal-test-server') } },
  }));
}

/** Bundle once per test file; Worker.create then reuses it for every test (reference/temporal.md §6). */
export function bundle(workflowsUrl: URL): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: fileURLToPath(workflowsUrl), logger: quietBundlerLogger });
}

const noop = () => {};
const quietBundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

export const uniqueId = (prefix: string) => `${prefix}/${randomUUID()}`;
