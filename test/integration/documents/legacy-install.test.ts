// Upgrading an install whose documents are files under SHORTFALL_DATA_DIR/documents (as the server container kept
// them): the first start moves them into the database, so a worker that never had that disk reads them, and the
// next start (or a second process starting at once) moves nothing twice.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/app/config.js';
import { createServices, moveLegacyDocuments } from '../../../src/app/deps.js';
import { openDatabase, type DatabaseHandle } from '../../../src/services/db/index.js';
import { cases, connections, documentContents, documents, organisations } from '../../../src/services/db/schema.js';
import { createDocumentStore } from '../../../src/services/documents/storage.js';
import { createLogger } from '../../../src/services/logger.js';
import { freshPostgresUrl } from '../../helpers/databases.js';

const secrets = { encryptionKeys: `k1:${Buffer.alloc(32, 5).toString('base64')}`, appSecret: 's'.repeat(48) };
/** Starting the services touches no Temporal server: a client that never connects. */
const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });

let serverDir: string;
let workerDir: string;
let url: string;
let h: DatabaseHandle;
beforeAll(async () => {
  [serverDir, workerDir, url] = await Promise.all([
    mkdtemp(path.join(os.tmpdir(), 'shortfall-upgrade-server-')),
    mkdtemp(path.join(os.tmpdir(), 'shortfall-upgrade-worker-')),
    freshPostgresUrl(),
  ]);
  h = await openDatabase({ kind: 'postgres', url });
});
afterAll(async () => {
  await h?.close();
  await rm(serverDir, { recursive: true, force: true });
  await rm(workerDir, { recursive: true, force: true });
});

/** One process's start as main.ts runs it, on its own data directory and the shared Postgres. */
async function start(dataDir: string) {
  const logged: { msg: string; documents?: number; missing?: string[] }[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void logged.push(JSON.parse(line)) },
  });
  const config = loadConfig({ SHORTFALL_DATA_DIR: dataDir, DATABASE_URL: url, SIMULATORS: 'off' });
  const services = createServices({ config, logger, db: h, client, secrets });
  await moveLegacyDocuments(services, logger);
  return { services, logged };
}

describe('upgrading an install that kept documents on disk', () => {
  it('moves them into the database at start, once, so a process without that disk reads them', async () => {
    // What the disk-backed version left: a row naming <case id>/<document id> under <data dir>/documents.
    const [org] = await h.db.insert(organisations).values({ name: 'Brightside Studio' }).returning();
    const [conn] = await h.db
      .insert(connections)
      .values({ organisationId: org!.id, provider: 'quickbooks', accountId: 'realm-1', name: 'QBO' })
      .returning();
    const [c] = await h.db
      .insert(cases)
      .values({
        organisationId: org!.id,
        caseKey: 'k1',
        workflowId: 'case/k1',
        connectionId: conn!.id,
        kind: 'short_payment',
        status: 'awaiting_client',
        currency: 'USD',
      })
      .returning();
    const content = randomBytes(40_000);
    const [doc] = await h.db
      .insert(documents)
      .values({
        caseId: c!.id,
        kind: 'sow',
        name: 'Signed SOW.pdf',
        contentType: 'application/pdf',
        sizeBytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        storageKey: 'pending',
      })
      .returning();
    const storageKey = path.join(c!.id, doc!.id);
    await h.db.update(documents).set({ storageKey }).where(eq(documents.id, doc!.id));
    await mkdir(path.join(serverDir, 'documents', c!.id), { recursive: true });
    await writeFile(path.join(serverDir, 'documents', storageKey), content);

    // Before the upgraded server starts, a worker without the disk cannot read it.
    await expect(createDocumentStore(h.db).load(doc!.id)).rejects.toThrow(/no stored content/);

    // The server (with the disk) and a worker (without) start at once.
    const [server, worker] = await Promise.all([start(serverDir), start(workerDir)]);
    expect(server.logged).toContainEqual(
      expect.objectContaining({ msg: 'documents moved from the data directory into the database', documents: 1 }),
    );
    expect(worker.logged.some((l) => l.msg === 'documents moved from the data directory into the database')).toBe(
      false,
    );

    // The worker reads the bytes from the database, even once the server's disk is gone.
    await rm(path.join(serverDir, 'documents'), { recursive: true });
    const loaded = await worker.services.documents.load(doc!.id);
    expect(loaded.content.equals(content)).toBe(true);
    expect(loaded.name).toBe('Signed SOW.pdf');

    // The next start moves nothing twice and has nothing to report.
    const again = await start(serverDir);
    expect(again.logged.filter((l) => /documents/.test(l.msg))).toEqual([]);
    expect(await h.db.select().from(documentContents).where(eq(documentContents.documentId, doc!.id))).toHaveLength(1);
  });
});
