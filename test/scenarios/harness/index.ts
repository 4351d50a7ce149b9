// scenario(name, body): one test against the real components. The file's first scenario registers the hooks that
// start what the file shares (world.ts); each scenario then gets its own time-skipping Temporal server (time
// skipping is global to a server), services wired by src/app/deps.ts on its clock, and a worker running the real
// workflows and activities. A failing scenario's error carries every case's timeline and the mail received.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import proto from '@temporalio/proto'; // CommonJS: named ESM imports of its namespaces fail at runtime
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, it } from 'vitest';
import { createServices } from '../../../src/app/deps.js';
import { searchAttributeKeys } from '../../../workflows/search-attributes.js';
import { createTimeSkippingEnv } from '../../helpers/temporal-env.js';
import { createScenario, type Scenario } from './run.js';
import { secrets, startWorld, type World } from './world.js';

export type { Scenario } from './run.js';
export type { QbInvoice } from './books.js';
export type { Mail } from './mail.js';

let world: World | undefined;
let registered = false;
let count = 0;

function registerFileHooks(): void {
  if (registered) return;
  registered = true;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });
}

/**
 * The case starter sets the case's search attributes, so the test server must know them. It implements the
 * Operator service's add but not its list, so src/app/temporal/search-attributes.ts cannot be used as it is.
 */
async function addSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const IVT = proto.temporal.api.enums.v1.IndexedValueType;
  const types: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
    KEYWORD: IVT.INDEXED_VALUE_TYPE_KEYWORD,
    INT: IVT.INDEXED_VALUE_TYPE_INT,
    DATETIME: IVT.INDEXED_VALUE_TYPE_DATETIME,
  };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(searchAttributeKeys.map((k) => [k.name, types[k.type]!])),
  });
}

async function runScenario(body: (s: Scenario) => Promise<void>): Promise<void> {
  const w = world!;
  const tag = `s${++count}-${Date.now().toString(36)}`;
  const env = await createTimeSkippingEnv();
  try {
    await addSearchAttributes(env);
    const s = await createScenario(
      w,
      env,
      (now) =>
        createServices({
          config: w.config,
          logger: w.logger,
          db: w.db,
          client: env.client,
          secrets,
          sandbox: w.sandbox,
          now,
        }),
      tag,
    );
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: w.config.temporal.taskQueue,
      workflowBundle: w.workflowBundle,
      activities: s.services.activities,
    });
    try {
      await worker.runUntil(async () => {
        try {
          await body(s);
        } catch (err) {
          if (err instanceof Error)
            err.message = `${err.message}\n\n--- scenario state ---\n${await s.report().catch((e: unknown) => `(no report: ${String(e)})`)}`;
          throw err;
        }
      });
    } finally {
      await s.close();
    }
  } finally {
    await env.teardown();
  }
}

/** Declares one scenario; `timeoutMs` (90 s, for a busy machine) bounds the whole of it, each wait inside is bounded too (30 s). */
export function scenario(name: string, body: (s: Scenario) => Promise<void>, timeoutMs = 90_000): void {
  registerFileHooks();
  it(name, () => runScenario(body), timeoutMs);
}
