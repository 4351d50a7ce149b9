// File uploads (multipart). Dispute evidence must be PDF, JPEG or PNG.
import type { StripeObject } from '../collection.js';
import { invalidParam } from '../errors.js';
import { newId } from '../ids.js';
import type { MultipartBody } from '../multipart.js';
import type { AccountData, StripeStore } from '../store.js';

const purposes = new Set([
  'dispute_evidence',
  'additional_verification',
  'business_icon',
  'business_logo',
  'customer_signature',
  'identity_document',
  'tax_document_user_upload',
]);
const evidenceTypes: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

export function createFile(store: StripeStore, data: AccountData, body: MultipartBody): StripeObject {
  const purpose = body.fields.purpose;
  if (!purpose) throw invalidParam('purpose', 'Missing required param: purpose.', 'parameter_missing');
  if (!purposes.has(purpose)) throw invalidParam('purpose', `Invalid purpose: ${purpose}`);
  const upload = body.files.find((f) => f.field === 'file');
  if (!upload) throw invalidParam('file', 'Missing required param: file.', 'parameter_missing');
  const type = evidenceTypes[upload.contentType];
  if (purpose === 'dispute_evidence' && !type)
    throw invalidParam('file', `Dispute evidence must be a PDF, JPEG or PNG, not ${upload.contentType}.`);
  const id = newId('file');
  const now = store.now();
  return data.files.add({
    id,
    object: 'file',
    created: now,
    expires_at: null,
    filename: upload.filename,
    links: { object: 'list', data: [], has_more: false, url: `/v1/file_links?file=${id}` },
    purpose,
    size: upload.data.length,
    title: null,
    type: type ?? upload.filename.split('.').pop() ?? null,
    url: `${store.baseUrl}/v1/files/${id}/contents`,
  });
}
