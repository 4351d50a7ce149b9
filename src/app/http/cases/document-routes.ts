// Case documents. Upload takes the file's bytes as application/octet-stream (name and kind in the query,
// CSRF token in a header) because no multipart parser is installed yet; a small script on the case page
// sends it. Download serves the stored bytes as an attachment so nothing uploaded runs in our origin.
import multipart, { type MultipartFile, type MultipartValue } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditEvents } from '../../../services/db/schema.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import { caseDocumentKinds } from '../../../domain/case.js';
import { formatBytes, StorageQuotaExceeded } from '../../../services/documents/storage.js';
import { documentAddedSignal } from '../../../../workflows/dispute-case/definitions.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { PageError } from '../page-error.js';
import { requireCsrf } from '../security/csrf.js';
import { findCase } from './queries.js';

export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;
const CaseParams = z.object({ id: z.uuid() });
const UploadQuery = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(caseDocumentKinds),
  type: z.string().max(100).optional(),
});
export const contentTypes =
  /^(application\/pdf|image\/(png|jpeg|gif|webp|heic)|text\/plain|message\/rfc822|application\/(msword|vnd\.openxmlformats-officedocument\.[\w.]+|vnd\.ms-excel|octet-stream))$/;

/**
 * Keeps the name readable in a Content-Disposition header and a file system: no paths, no control characters, and
 * no invisible format characters (a right-to-left override makes "invoice‮fdp.exe" read as "invoiceexe.pdf").
 */
export const cleanName = (name: string) =>
  name
    .replace(/[\\/]/g, '_')
    .replace(/[\p{Cc}\p{Cf}"]/gu, '')
    .slice(0, 200);
/** A stored document as a download: never rendered inline, never cached. */
export const sendDocument = (
  reply: FastifyReply,
  doc: { readonly name: string; readonly contentType: string },
  content: Buffer,
) =>
  reply
    .type(doc.contentType)
    .header(
      'content-disposition',
      `attachment; filename="${asciiName(doc.name)}"; filename*=UTF-8''${encodeURIComponent(doc.name)}`,
    )
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(content);
/** Header values are Latin-1: the plain filename gets ASCII, filename* carries the real name. */
export const asciiName = (name: string) => cleanName(name).replace(/[^\x20-\x7e]/g, '_');

/** The file and its description from a multipart form (attachFieldsToBody); the name comes from the file itself. */
async function fromForm(req: FastifyRequest): Promise<{ content: Buffer; query: Record<string, string | undefined> }> {
  const body = (req.body ?? {}) as Record<string, MultipartFile | MultipartValue | undefined>;
  const file = body.file && 'toBuffer' in body.file ? body.file : undefined;
  const kind = body.kind && 'value' in body.kind ? String(body.kind.value) : undefined;
  if (!file || !file.filename) throw new PageError(400, 'empty_upload', 'No file received', 'Choose a file to upload.');
  return { content: await file.toBuffer(), query: { name: file.filename, kind, type: file.mimetype } };
}

/** HTTP 413 in words: what the file needs, what is left, what to do; nothing of the upload was kept. */
export const quotaError = (err: StorageQuotaExceeded) =>
  new PageError(
    413,
    'storage_quota_exceeded',
    'Not enough storage left',
    `This file (${formatBytes(err.uploadBytes)}) does not fit in your organisation's document storage: ` +
      `${formatBytes(err.usedBytes)} of ${formatBytes(err.quotaBytes)} is in use, ` +
      `${formatBytes(Math.max(0, err.quotaBytes - err.usedBytes))} is left. Nothing was saved. Upload a smaller ` +
      `file, or ask whoever runs Shortfall for your organisation to raise the storage allowance (STORAGE_QUOTA_MB).`,
    { cause: err },
  );

export function documentRoutes(deps: WebDeps) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);
    app.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES },
      (_req, body, done) => done(null, body),
    );
    // Without JavaScript the form posts multipart/form-data; fields land on the body before the CSRF check runs.
    await app.register(multipart, {
      attachFieldsToBody: true,
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 },
    });

    const caseOf = async (organisationId: string, id: string) => {
      const record = await findCase(deps.db, organisationId, id);
      if (!record)
        throw new PageError(404, 'not_found', 'Case not found', 'There is no such case in your organisation.');
      return record;
    };

    app.post(
      '/cases/:id/documents',
      { schema: { params: CaseParams }, bodyLimit: MAX_UPLOAD_BYTES, preHandler: requireCsrf },
      async (req, reply) => {
        const user = userOf(req);
        const record = await caseOf(user.organisation.id, req.params.id);
        const form = req.isMultipart() ? await fromForm(req) : undefined;
        const content = form ? form.content : req.body;
        if (!Buffer.isBuffer(content))
          throw new PageError(
            415,
            'unsupported_upload',
            'The file was not sent',
            'Send the file with the upload form.',
          );
        if (content.length === 0)
          throw new PageError(400, 'empty_upload', 'No file received', 'The file is empty. Choose another file.');
        const query = UploadQuery.safeParse(form?.query ?? req.query);
        if (!query.success)
          throw new PageError(
            400,
            'invalid_upload',
            'The upload was not accepted',
            'Name the file and choose what kind of document it is.',
          );
        const { name, kind, type } = query.data;
        const contentType = type && contentTypes.test(type) ? type : 'application/octet-stream';
        // The case's organisation pays for its storage, whoever uploads (a shared case's other organisations too).
        const [doc] = await deps.documents
          .upload(record.organisationId, [{ caseId: record.id, kind, name: cleanName(name), contentType, content }])
          .catch((err: unknown) => {
            throw err instanceof StorageQuotaExceeded ? quotaError(err) : err;
          });
        if (!doc) throw new Error('the upload stored nothing');
        await deps.db.insert(auditEvents).values({
          caseId: record.id,
          idempotencyKey: `web/document/${doc.id}`,
          kind: 'document_uploaded',
          actor: user.email,
          data: { documentId: doc.id, name: doc.name, sha256: doc.sha256 },
        });
        req.log.info({ caseId: record.id, documentId: doc.id, bytes: doc.sizeBytes }, 'document uploaded');
        // The running case attaches it to its next letters and the evidence pack; a closed case keeps it on file only.
        // Letters and the evidence pack also read the case's documents from the database, so a missed signal loses nothing.
        // Not awaited: an unreachable Temporal must not hold the upload up, and nothing depends on the signal landing.
        void deps.workflows
          .getHandle(record.workflowId)
          .signal(documentAddedSignal, { id: doc.id, kind, name: doc.name })
          .catch((err: unknown) => {
            if (!(err instanceof WorkflowNotFoundError))
              req.log.warn({ err, caseId: record.id }, 'could not tell the case about the new document');
          });
        const location = `/cases/${record.id}?notice=document_uploaded#documents`;
        if (form) return reply.redirect(location, 303); // a plain form post goes back to the case page
        return reply
          .code(201)
          .send({ id: doc.id, name: doc.name, kind: doc.kind, sizeBytes: doc.sizeBytes, sha256: doc.sha256, location });
      },
    );

    app.get(
      '/cases/:id/documents/:documentId',
      { schema: { params: CaseParams.extend({ documentId: z.uuid() }) } },
      async (req, reply) => {
        const record = await caseOf(userOf(req).organisation.id, req.params.id);
        const doc = (await deps.documents.listForCase(record.id)).find((d) => d.id === req.params.documentId);
        if (!doc) throw new PageError(404, 'not_found', 'Document not found', 'This case has no such document.');
        const file = await deps.documents.load(doc.id);
        return sendDocument(reply, doc, file.content);
      },
    );
  };
}
