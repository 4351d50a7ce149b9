// Case documents (SOWs, photos, receipts, invoice PDFs, evidence packs, kept emails): metadata in `documents`, bytes
// in `document_contents`, so the server and every worker read the same files and a database backup holds them.
// One store for every caller; uploads from people (the owner's, the client's) count against their organisation's
// storage quota, documents Shortfall makes itself are kept regardless (a case must never fail for want of space).
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { cases, documentContents, documents } from '../db/schema.js';

export interface StoredDocument {
  readonly id: string;
  readonly caseId: string;
  readonly kind: string;
  readonly name: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

export interface NewDocument {
  readonly caseId: string;
  readonly kind: string;
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
  /** Derive it from an idempotency key (documentIdFor) so a retried step stores its document once. */
  readonly id?: string;
}

export interface LoadedDocument {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface DocumentStoreOptions {
  /** Each organisation's uploads may total this many bytes (STORAGE_QUOTA_MB); unlimited when absent. */
  readonly quotaBytes?: number;
  /**
   * Where installs from before the documents moved into the database kept the bytes (<data dir>/documents):
   * importLegacyFiles() copies them in, and a document not imported yet is read from there.
   */
  readonly legacyDir?: string;
}

/** An upload that would take its organisation over the storage quota: nothing of it was stored. */
export class StorageQuotaExceeded extends Error {
  override readonly name = 'StorageQuotaExceeded';
  constructor(
    readonly usedBytes: number,
    readonly quotaBytes: number,
    readonly uploadBytes: number,
  ) {
    super(
      `This upload (${formatBytes(uploadBytes)}) would exceed the storage allowance of ${formatBytes(quotaBytes)}: ` +
        `${formatBytes(usedBytes)} is in use, ${formatBytes(Math.max(0, quotaBytes - usedBytes))} is left.`,
    );
  }
}

/** Sizes as a person reads them: 1.5 MB, 820 KB, 12 bytes (binary units, as file managers and quotas count). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  const [value, unit] =
    n < 1024 ** 2 ? [n / 1024, 'KB'] : n < 1024 ** 3 ? [n / 1024 ** 2, 'MB'] : [n / 1024 ** 3, 'GB'];
  return `${Number(value.toFixed(value < 10 ? 1 : 0))} ${unit}`;
}

const sha256Of = (content: Buffer) => createHash('sha256').update(content).digest('hex');

export function createDocumentStore(db: Database, o: DocumentStoreOptions = {}) {
  const legacyFile = (storageKey: string) => {
    if (!o.legacyDir) return undefined;
    const file = path.resolve(o.legacyDir, storageKey);
    // Keys were <case id>/<document id>; anything pointing outside the directory is not ours to read.
    return file.startsWith(path.resolve(o.legacyDir) + path.sep) ? file : undefined;
  };

  /**
   * Metadata and bytes in one statement (a data-modifying CTE: one round trip, and atomic on its own), so a document
   * is either whole or absent. Idempotent on the id: a document already stored is read back as it is.
   */
  async function insert(db: Database, i: NewDocument): Promise<StoredDocument> {
    const id = i.id ?? randomUUID();
    const result = await db.execute(sql`
      with row as (
        insert into ${documents} (id, case_id, kind, name, content_type, size_bytes, sha256)
        values (${id}, ${i.caseId}, ${i.kind}, ${i.name}, ${i.contentType}, ${i.content.length}, ${sha256Of(i.content)})
        on conflict do nothing
        returning *
      ), stored as (
        insert into ${documentContents} (document_id, content) select id, ${i.content} from row
      )
      select id, case_id as "caseId", kind, name, content_type as "contentType", size_bytes as "sizeBytes", sha256,
        storage_key as "storageKey", created_at as "createdAt"
      from row`);
    const [row] = (result as unknown as { rows: (typeof documents.$inferSelect)[] }).rows;
    if (!row) return (await db.select().from(documents).where(eq(documents.id, id)))[0]!;
    // As drizzle maps the row: the same document whichever way it was found.
    const stored: typeof documents.$inferSelect = {
      ...row,
      sizeBytes: Number(row.sizeBytes),
      createdAt: new Date(row.createdAt),
    };
    return stored;
  }

  /** Bytes the organisation's documents take (uploads and generated ones alike). */
  async function usedBytes(tx: Database, organisationId: string): Promise<number> {
    const [r] = await tx
      .select({ total: sql<string | number | null>`coalesce(sum(${documents.sizeBytes}), 0)` })
      .from(documents)
      .innerJoin(cases, eq(cases.id, documents.caseId))
      .where(eq(cases.organisationId, organisationId));
    return Number(r?.total ?? 0);
  }

  const absent = async (tx: Database, ids: readonly string[]) => {
    if (ids.length === 0) return new Set<string>();
    const found = await tx
      .select({ id: documents.id })
      .from(documents)
      .where(inArray(documents.id, [...ids]));
    return new Set(ids.filter((id) => !found.some((f) => f.id === id)));
  };

  return {
    /** A document Shortfall made or received (an invoice PDF, an evidence pack, a kept email): no quota applies. */
    save: (i: NewDocument): Promise<StoredDocument> => insert(db, i),

    /**
     * Files a person uploads: all of them or none, and only if the organisation stays within its quota. Uploads
     * to one organisation take turns (a transaction-scoped advisory lock), so two at once cannot both squeeze
     * into the last megabyte. A file already stored under its id (a resubmitted form) does not count again.
     */
    async upload(organisationId: string, files: readonly NewDocument[]): Promise<StoredDocument[]> {
      return db.transaction(async (t) => {
        const tx = t as unknown as Database;
        if (o.quotaBytes !== undefined) {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`documents/${organisationId}`}, 0))`);
          const fresh = await absent(
            tx,
            files.flatMap((f) => (f.id ? [f.id] : [])),
          );
          const adding = files.filter((f) => !f.id || fresh.has(f.id)).reduce((sum, f) => sum + f.content.length, 0);
          const used = await usedBytes(tx, organisationId);
          if (adding > 0 && used + adding > o.quotaBytes) throw new StorageQuotaExceeded(used, o.quotaBytes, adding);
        }
        const stored: StoredDocument[] = [];
        for (const f of files) stored.push(await insert(tx, f));
        return stored;
      });
    },

    /** Throws StorageQuotaExceeded if files of this many bytes would not fit now (a check before other work). */
    async assertRoom(organisationId: string, bytes: number): Promise<void> {
      if (o.quotaBytes === undefined || bytes === 0) return;
      const used = await usedBytes(db, organisationId);
      if (used + bytes > o.quotaBytes) throw new StorageQuotaExceeded(used, o.quotaBytes, bytes);
    },

    /** What the organisation's documents take now, against its quota (undefined: unlimited). */
    async usage(organisationId: string): Promise<{ usedBytes: number; quotaBytes: number | undefined }> {
      return { usedBytes: await usedBytes(db, organisationId), quotaBytes: o.quotaBytes };
    },

    /** Removes documents stored by a step that was then given back (a client's answer the case refused). */
    async remove(ids: readonly string[]): Promise<void> {
      if (ids.length > 0) await db.delete(documents).where(inArray(documents.id, [...ids]));
    },

    async load(id: string): Promise<LoadedDocument> {
      const [row] = await db
        .select({
          name: documents.name,
          contentType: documents.contentType,
          storageKey: documents.storageKey,
          content: documentContents.content,
        })
        .from(documents)
        .leftJoin(documentContents, eq(documentContents.documentId, documents.id))
        .where(eq(documents.id, id));
      if (!row) throw new Error(`document ${id} does not exist`);
      if (row.content) return { name: row.name, contentType: row.contentType, content: row.content };
      // Not imported yet (another process's disk held it, or this one has not started its import): read the disk.
      const file = row.storageKey ? legacyFile(row.storageKey) : undefined;
      if (!file) throw new Error(`document ${id} has no stored content`);
      return { name: row.name, contentType: row.contentType, content: await readFile(file) };
    },

    async listForCase(caseId: string): Promise<StoredDocument[]> {
      return db
        .select({
          id: documents.id,
          caseId: documents.caseId,
          kind: documents.kind,
          name: documents.name,
          contentType: documents.contentType,
          sizeBytes: documents.sizeBytes,
          sha256: documents.sha256,
        })
        .from(documents)
        .where(eq(documents.caseId, caseId));
    },

    /**
     * Copies documents an older install kept on disk into the database, once: run at every start, it imports
     * what is still missing and skips what another process imported meanwhile. A file whose bytes no longer
     * match the recorded SHA-256, or that this process cannot see, is left for the disk fallback and reported.
     */
    async importLegacyFiles(): Promise<{ imported: number; missing: string[]; mismatched: string[] }> {
      const result = { imported: 0, missing: [] as string[], mismatched: [] as string[] };
      if (!o.legacyDir) return result;
      const pending = await db
        .select({ id: documents.id, storageKey: documents.storageKey, sha256: documents.sha256 })
        .from(documents)
        .leftJoin(documentContents, eq(documentContents.documentId, documents.id))
        .where(and(isNotNull(documents.storageKey), sql`${documentContents.documentId} is null`));
      for (const d of pending) {
        const file = legacyFile(d.storageKey!);
        const content = file ? await readFile(file).catch(() => undefined) : undefined;
        if (!content) {
          result.missing.push(d.id);
          continue;
        }
        if (sha256Of(content) !== d.sha256) {
          result.mismatched.push(d.id);
          continue;
        }
        const [row] = await db
          .insert(documentContents)
          .values({ documentId: d.id, content })
          .onConflictDoNothing()
          .returning({ id: documentContents.documentId });
        if (row) result.imported += 1;
      }
      return result;
    },
  };
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;

/** A document id derived from an idempotency key (UUID-shaped), so a retried step stores its document once. */
export function documentIdFor(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
