import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/app.js';
import { type DatabaseHandle } from '../../src/services/db/index.js';
import { createLogger } from '../../src/services/logger.js';
import { createDevEnv } from '../helpers/temporal-env.js';
import { openPglite } from '../helpers/databases.js';

describe('health endpoints', () => {
  let env: TestWorkflowEnvironment;
  let db: DatabaseHandle;
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    [env, db] = await Promise.all([createDevEnv(), openPglite()]);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const app = (temporalCheck: () => Promise<void>) =>
    buildApp({
      logger,
      readiness: [
        { name: 'database', check: () => db.ping() },
        { name: 'temporal', check: temporalCheck },
      ],
    });

  it('answers /healthz while alive and /readyz when the database and Temporal answer', async () => {
    const a = await app(async () => void (await env.client.workflowService.getSystemInfo({})));
    expect((await a.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await a.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: ['database', 'temporal'] });
    await a.close();
  });

  it('answers 503 with the reason when a dependency is down', async () => {
    const a = await app(() => Promise.reject(new Error('connection refused 127.0.0.1:1')));
    const res = await a.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', failed: { temporal: 'connection refused 127.0.0.1:1' } });
    await db.close();
    const afterClose = await a.inject('/readyz');
    expect(afterClose.statusCode).toBe(503);
    expect(Object.keys(afterClose.json().failed)).toEqual(['database', 'temporal']);
    await a.close();
  });

  it('answers unknown routes with the error envelope', async () => {
    const a = await app(async () => {});
    const res = await a.inject('/nope?x=1');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope' } });
    await a.close();
  });
});
