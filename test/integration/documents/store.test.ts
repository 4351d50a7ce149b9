// The document store on both engines: bytes live in the database (every process reads what another wrote), uploads
// stay within the organisation's quota all or nothing, and documents an older install kept on disk still load and
// move into the database once.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../src/services/db/index.js';
import { cases, connections, documentContents, documents, organisations } from '../../../src/services/db/schema.js';
import { createDocumentStore, documentIdFor, StorageQuotaExceeded } from '../../../src/services/documents/storage.js';
import { bothEngines } from '../../helpers/databases.js';

let legacyDir: string;
beforeAll(async () => {
  legacyDir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-legacy-docs-'));
});
afterAll(async () => {
  await rm(legacyDir, { recursive: true, force: true });
});

/** An organisation with one case on one connection. */
async function seedCase(h: DatabaseHandle, name: string) {
  const [org] = await h.db.insert(organisations).values({ name }).returning();
  const [conn] = await h.db
    .insert(connections)
    .values({ organisationId: org!.id, provider: 'quickbooks', accountId: `realm-${name}`, name })
    .returning();
  const [row] = await h.db
    .insert(cases)
    .values({
      organisationId: org!.id,
      caseKey: `k-${name}`,
      workflowId: `case/k-${name}`,
      connectionId: conn!.id,
      kind: 'short_payment',
      status: 'awaiting_client',
      currency: 'USD',
    })
    .returning();
  return { organisationId: org!.id, caseId: row!.id };
}

const file = (caseId: string, bytes: number, name = 'photo.jpg', id?: string) => ({
  caseId,
  kind: 'photo',
  name,
  contentType: 'image/jpeg',
  content: randomBytes(bytes),
  ...(id ? { id } : {}),
});

describe.each(bothEngines())('document store on %s', (_engine, open) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await open();
  });

  it('keeps the bytes in the database, so another process reads exactly what one wrote', async () => {
    const { caseId } = await seedCase(h, 'Shared Disk Ltd');
    const server = createDocumentStore(h.db);
    const worker = createDocumentStore(h.db); // no disk in common: nothing but the database between them
    const content = Buffer.concat([Buffer.from([0, 255, 0, 10, 13]), randomBytes(70_000)]);
    const saved = await server.save({
      caseId,
      kind: 'invoice',
      name: 'Invoice 1042.pdf',
      contentType: 'application/pdf',
      content,
    });
    expect(saved).toMatchObject({
      caseId,
      sizeBytes: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    const loaded = await worker.load(saved.id);
    expect(loaded.name).toBe('Invoice 1042.pdf');
    expect(loaded.contentType).toBe('application/pdf');
    expect(Buffer.isBuffer(loaded.content)).toBe(true);
    expect(loaded.content.equals(content)).toBe(true);
    expect((await worker.listForCase(caseId)).map((d) => d.id)).toEqual([saved.id]);
  });

  it('stores a retried step once: the same id returns the first document', async () => {
    const { caseId } = await seedCase(h, 'Retry Ltd');
    const store = createDocumentStore(h.db);
    const id = documentIdFor('evidence-pack:retry');
    const first = await store.save({ ...file(caseId, 100, 'Pack.pdf'), id });
    const again = await store.save({ ...file(caseId, 300, 'Pack.pdf'), id });
    expect(again).toEqual(first);
    expect((await store.load(id)).content).toHaveLength(100);
    expect(await h.db.select().from(documentContents).where(eq(documentContents.documentId, id))).toHaveLength(1);
  });

  it('refuses an upload over the quota whole, saying what is used and left, and counts per organisation', async () => {
    const a = await seedCase(h, 'Quota A');
    const b = await seedCase(h, 'Quota B');
    const store = createDocumentStore(h.db, { quotaBytes: 10_000 });
    await store.upload(a.organisationId, [file(a.caseId, 6_000)]);
    // Documents Shortfall makes count toward the total but are never refused.
    await store.save({ ...file(a.caseId, 3_000), kind: 'invoice' });

    const refused = store.upload(a.organisationId, [file(a.caseId, 500, 'one.jpg'), file(a.caseId, 600, 'two.jpg')]);
    await expect(refused).rejects.toBeInstanceOf(StorageQuotaExceeded);
    await expect(refused).rejects.toMatchObject({ usedBytes: 9_000, quotaBytes: 10_000, uploadBytes: 1_100 });
    await expect(refused).rejects.toThrow(/would exceed the storage allowance of 9\.8 KB: 8\.8 KB is in use/);
    // Nothing of the refused upload was kept: not the first file, not its bytes.
    expect((await store.listForCase(a.caseId)).map((d) => d.name).sort()).toEqual(['photo.jpg', 'photo.jpg']);
    expect(await store.usage(a.organisationId)).toEqual({ usedBytes: 9_000, quotaBytes: 10_000 });
    await expect(store.assertRoom(a.organisationId, 1_001)).rejects.toBeInstanceOf(StorageQuotaExceeded);
    await store.assertRoom(a.organisationId, 1_000);

    // Exactly up to the quota fits; another organisation has its own allowance.
    await store.upload(a.organisationId, [file(a.caseId, 1_000)]);
    await store.upload(b.organisationId, [file(b.caseId, 10_000)]);
    expect((await store.usage(b.organisationId)).usedBytes).toBe(10_000);
  });

  it('does not count a resubmitted file twice, and lets two uploads race for the last space one at a time', async () => {
    const { organisationId, caseId } = await seedCase(h, 'Race Ltd');
    const store = createDocumentStore(h.db, { quotaBytes: 10_000 });
    const id = documentIdFor('client-response:race:file:0');
    await store.upload(organisationId, [file(caseId, 6_000, 'quote.pdf', id)]);
    await store.upload(organisationId, [file(caseId, 6_000, 'quote.pdf', id)]); // the same form sent again
    expect((await store.usage(organisationId)).usedBytes).toBe(6_000);

    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => store.upload(organisationId, [file(caseId, 3_000, `race-${i}.jpg`)])),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect(r.reason).toBeInstanceOf(StorageQuotaExceeded);
    expect((await store.usage(organisationId)).usedBytes).toBe(9_000);
  });

  it('removes documents a refused step stored, bytes and all', async () => {
    const { organisationId, caseId } = await seedCase(h, 'Remove Ltd');
    const store = createDocumentStore(h.db, { quotaBytes: 10_000 });
    const [doc] = await store.upload(organisationId, [file(caseId, 2_000)]);
    await store.remove([doc!.id]);
    expect(await store.listForCase(caseId)).toEqual([]);
    expect(await h.db.select().from(documentContents).where(eq(documentContents.documentId, doc!.id))).toEqual([]);
    await expect(store.load(doc!.id)).rejects.toThrow(/does not exist/);
  });

  it('reads documents an older install kept on disk, imports them once, and reports what it could not', async () => {
    const { caseId } = await seedCase(h, 'Legacy Ltd');
    // What the disk-backed store wrote: a row with a storage key and the bytes under <data dir>/documents/<key>.
    const onDisk = async (name: string, content: Buffer, write = true) => {
      const id = documentIdFor(`legacy:${caseId}:${name}`);
      const storageKey = path.join(caseId, id);
      if (write) {
        await mkdir(path.join(legacyDir, caseId), { recursive: true });
        await writeFile(path.join(legacyDir, storageKey), content);
      }
      await h.db.insert(documents).values({
        id,
        caseId,
        kind: 'sow',
        name,
        contentType: 'application/pdf',
        sizeBytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        storageKey,
      });
      return id;
    };
    const sowBytes = randomBytes(5_000);
    const sow = await onDisk('SOW.pdf', sowBytes);
    const lost = await onDisk('Lost.pdf', randomBytes(10), false);
    const tampered = await onDisk('Tampered.pdf', randomBytes(10));
    await writeFile(path.join(legacyDir, caseId, tampered), 'changed on disk');

    const store = createDocumentStore(h.db, { legacyDir });
    // Before any import, the disk is the fallback.
    expect((await store.load(sow)).content.equals(sowBytes)).toBe(true);

    // Two processes starting at once import each file once between them.
    const [one, two] = await Promise.all([
      store.importLegacyFiles(),
      createDocumentStore(h.db, { legacyDir }).importLegacyFiles(),
    ]);
    expect(one.imported + two.imported).toBe(1);
    expect(one.missing).toEqual([lost]);
    expect(one.mismatched).toEqual([tampered]);
    expect(await store.importLegacyFiles()).toEqual({ imported: 0, missing: [lost], mismatched: [tampered] });

    // Imported, it no longer needs the disk: a process without it reads the same bytes.
    await rm(path.join(legacyDir, caseId, sow));
    expect((await createDocumentStore(h.db).load(sow)).content.equals(sowBytes)).toBe(true);
    await expect(createDocumentStore(h.db).load(lost)).rejects.toThrow(/no stored content/);
  });

  it('never reads outside the legacy directory, whatever a storage key says', async () => {
    const { caseId } = await seedCase(h, 'Escape Ltd');
    const outside = path.join(os.tmpdir(), `shortfall-outside-${randomBytes(4).toString('hex')}`);
    await writeFile(outside, 'secret');
    try {
      const id = documentIdFor(`escape:${caseId}`);
      await h.db.insert(documents).values({
        id,
        caseId,
        kind: 'other',
        name: 'x',
        contentType: 'text/plain',
        sizeBytes: 6,
        sha256: createHash('sha256').update('secret').digest('hex'),
        storageKey: path.relative(legacyDir, outside),
      });
      const store = createDocumentStore(h.db, { legacyDir });
      await expect(store.load(id)).rejects.toThrow(/no stored content/);
      expect((await store.importLegacyFiles()).missing).toContain(id);
    } finally {
      await rm(outside, { force: true });
    }
  });
});
