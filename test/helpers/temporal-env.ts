import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributeKeys } from '../../workflows/search-attributes.js';
import { requireBinary } from './binaries.js';

export function createDevEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: requireBinary('temporal') }, searchAttributes: searchAttributeKeys },
  });
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env: TestWorkflowEnvironment = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary('temporal-test-server') } },
  });
  return env;
}

/** Bundle once per test file; Worker.create then reuses it for every test (reference/temporal.md §6). */
export function bundle(workflowsUrl: URL): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: fileURLToPath(workflowsUrl), logger: quietBundlerLogger });
}

const noop = () => {};
const quietBundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

export const uniqueId = (prefix: string) => `${prefix}/${randomUUID()}`;
