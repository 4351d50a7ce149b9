// The embedded default keeps cases across restarts: the dev server persists to a SQLite file.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/services/logger.js';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../../../src/app/temporal/embedded-server.js';
import { registerSearchAttributes } from '../../../src/app/temporal/search-attributes.js';
import { searchAttributeKeys } from '../../../workflows/search-attributes.js';
import { pokeSignal, pokesQuery, waitForPokesWorkflow } from '../../fixtures/workflows/index.js';
import { requireBinary } from '../../helpers/binaries.js';
import { freePort } from '../../helpers/ports.js';
import { bundle } from '../../helpers/temporal-env.js';

describe('embedded Temporal dev server', () => {
  let dir: string;
  let server: EmbeddedTemporal | undefined;
  const logger = createLogger({ level: 'silent' });

  async function start(): Promise<EmbeddedTemporal> {
    const [port, uiPort] = [await freePort(), await freePort()];
    server = await startEmbeddedTemporal({
      cliPath: requireBinary('temporal'),
      dbFile: path.join(dir, 'temporal.sqlite'),
      port,
      uiPort,
      namespace: 'default',
      downloadDir: dir,
      logger,
    });
    return server;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-temporal-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a running workflow and the search attributes across a restart', async () => {
    const workflowBundle = await bundle(new URL('../../fixtures/workflows/index.ts', import.meta.url));
    const first = await start();
    let connection = await Connection.connect({ address: first.address });
    await registerSearchAttributes(connection, 'default');
    await registerSearchAttributes(connection, 'default'); // idempotent
    let client = new Client({ connection });
    const handle = await client.workflow.start(waitForPokesWorkflow, {
      taskQueue: 'restart',
      workflowId: 'restart/poke',
      args: [2],
    });
    await handle.signal(pokeSignal, 'before restart');
    await connection.close();
    await first.stop();

    const second = await start();
    connection = await Connection.connect({ address: second.address });
    client = new Client({ connection });
    const registered = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(registered.customAttributes ?? {})).toEqual(
      expect.arrayContaining(searchAttributeKeys.map((k) => k.name)),
    );
    const native = await NativeConnection.connect({ address: second.address });
    const worker = await Worker.create({ connection: native, taskQueue: 'restart', workflowBundle });
    const result = await worker.runUntil(async () => {
      const again = client.workflow.getHandle(handle.workflowId);
      expect(await again.query(pokesQuery)).toEqual(['before restart']);
      await again.signal(pokeSignal, 'after restart');
      return again.result();
    });
    await native.close();
    await connection.close();
    expect(result).toEqual(['before restart', 'after restart']);
  });
});
