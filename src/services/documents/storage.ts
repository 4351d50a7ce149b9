// Case documents (SOWs, photos, receipts, evidence packs): bytes on disk behind a small port, metadata in the database.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { documents } from '../db/schema.js';

export interface StoredDocument {
  readonly id: string;
  readonly caseId: string;
  readonly kind: string;
  readonly name: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

export function createDocumentStore(db: Database, rootDir: string) {
  const fileFor = (storageKey: string) => path.join(rootDir, storageKey);
  return {
    async save(i: {
      caseId: string;
      kind: string;
      name: string;
      contentType: string;
      content: Buffer;
      id?: string;
    }): Promise<StoredDocument> {
      const id = i.id ?? randomUUID();
      const existing = await db.select().from(documents).where(eq(documents.id, id));
      if (existing[0]) return existing[0];
      const storageKey = path.join(i.caseId, id);
      await mkdir(path.dirname(fileFor(storageKey)), { recursive: true });
      await writeFile(fileFor(storageKey), i.content);
      const sha256 = createHash('sha256').update(i.content).digest('hex');
      const [row] = await db
        .insert(documents)
        .values({
          id,
          caseId: i.caseId,
          kind: i.kind,
          name: i.name,
          contentType: i.contentType,
          sizeBytes: i.content.length,
          sha256,
          storageKey,
        })
        .onConflictDoNothing()
        .returning();
      return row ?? (await db.select().from(documents).where(eq(documents.id, id)))[0]!;
    },
    async load(id: string): Promise<{ name: string; contentType: string; content: Buffer }> {
      const [row] = await db.select().from(documents).where(eq(documents.id, id));
      if (!row) throw new Error(`document ${id} does not exist`);
      return { name: row.name, contentType: row.contentType, content: await readFile(fileFor(row.storageKey)) };
    },
    async listForCase(caseId: string): Promise<StoredDocument[]> {
      return db.select().from(documents).where(eq(documents.caseId, caseId));
    },
  };
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;

/** A document id derived from an idempotency key (UUID-shaped), so a retried step stores its document once. */
export function documentIdFor(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
