// Dispute evidence for a chargeback: upload files, stage evidence (submit:false) while the owner reviews,
// then submit once. Stripe usually accepts only one submission, so submitting is guarded twice: by the
// Idempotency-Key and by checking the dispute still awaits a response.
import { createHash } from 'node:crypto';
import type { ChargeDispute, DisputeStatus } from '../../src/domain/model.js';
import { IntegrationError } from '../errors.js';
import type { StripeClient } from './client.js';
import { withStripeErrors } from './errors.js';
import type { StripeReader } from './reader.js';
import { StripeDispute, StripeFile } from './schemas.js';

export type DisputeEvidenceTextField =
  | 'access_activity_log'
  | 'billing_address'
  | 'cancellation_policy_disclosure'
  | 'cancellation_rebuttal'
  | 'customer_email_address'
  | 'customer_name'
  | 'customer_purchase_ip'
  | 'duplicate_charge_explanation'
  | 'duplicate_charge_id'
  | 'product_description'
  | 'refund_policy_disclosure'
  | 'refund_refusal_explanation'
  | 'service_date'
  | 'shipping_address'
  | 'shipping_carrier'
  | 'shipping_date'
  | 'shipping_tracking_number'
  | 'uncategorized_text';

export type DisputeEvidenceFileField =
  | 'cancellation_policy'
  | 'customer_communication'
  | 'customer_signature'
  | 'duplicate_charge_documentation'
  | 'receipt'
  | 'refund_policy'
  | 'service_documentation'
  | 'shipping_documentation'
  | 'uncategorized_file';

export type DisputeEvidenceText = Partial<Record<DisputeEvidenceTextField, string>>;
/** Evidence field → file id returned by uploadEvidenceFile. */
export type DisputeEvidenceFiles = Partial<Record<DisputeEvidenceFileField, string>>;

export interface DisputeState {
  readonly dispute: ChargeDispute;
  readonly hasEvidence: boolean;
  readonly submissionCount: number;
  readonly pastDue: boolean;
}

export interface EvidenceFile {
  readonly fileId: string;
  readonly size: number;
}

/** Payment-provider dispute capability beyond LedgerConnector; a candidate for integrations/types.ts. */
export interface DisputeEvidencePort {
  stageEvidence(
    disputeId: string,
    fields: DisputeEvidenceText,
    fileIds: DisputeEvidenceFiles,
    idempotencyKey: string,
  ): Promise<DisputeState>;
  submitEvidence(disputeId: string, idempotencyKey: string): Promise<DisputeState>;
  uploadEvidenceFile(bytes: Uint8Array, filename: string, purpose: 'dispute_evidence'): Promise<EvidenceFile>;
  getDispute(disputeId: string): Promise<DisputeState>;
}

const awaitingResponse: ReadonlySet<DisputeStatus> = new Set([
  'warning_needs_response',
  'needs_response',
  'appeal_needs_response',
]);

const evidenceTypes: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

function contentType(filename: string): string {
  const type = evidenceTypes[filename.split('.').pop()?.toLowerCase() ?? ''];
  if (!type)
    throw new IntegrationError('invalid', `Stripe accepts PDF, JPEG or PNG dispute evidence, not ${filename}`, {
      provider: 'stripe',
    });
  return type;
}

export function createStripeDisputeEvidence(client: StripeClient, reader: StripeReader): DisputeEvidencePort {
  const state = async (raw: unknown): Promise<DisputeState> => {
    const d = StripeDispute.parse(raw);
    const { has_evidence, submission_count, past_due } = d.evidence_details;
    return {
      dispute: await reader.mapDispute(d),
      hasEvidence: has_evidence,
      submissionCount: submission_count,
      pastDue: past_due,
    };
  };
  const getDispute = (id: string) =>
    withStripeErrors(async () => state(await client.call((s, o) => s.disputes.retrieve(id, {}, o))));

  return {
    getDispute,
    stageEvidence: (id, fields, fileIds, key) =>
      withStripeErrors(async () => {
        try {
          return state(
            await client.call(
              (s, o) => s.disputes.update(id, { evidence: { ...fields, ...fileIds }, submit: false }, o),
              { idempotencyKey: key },
            ),
          );
        } catch (e) {
          // Stripe takes evidence only while the dispute awaits a response. One that moved on while the draft was
          // written (decided, or answered from Stripe's dashboard) has nothing to stage: its state is the answer, and
          // its new status reaches the case through the sync. Anything else is the error it was.
          const current = await getDispute(id).catch(() => undefined);
          if (current && !awaitingResponse.has(current.dispute.status)) return current;
          throw e;
        }
      }),

    submitEvidence: (id, key) =>
      withStripeErrors(async () => {
        const current = await getDispute(id);
        if (!awaitingResponse.has(current.dispute.status)) return current; // already submitted, or closed
        return state(await client.call((s, o) => s.disputes.update(id, { submit: true }, o), { idempotencyKey: key }));
      }),

    uploadEvidenceFile: (bytes, filename, purpose) =>
      withStripeErrors(async () => {
        const type = contentType(filename);
        // Same bytes and name → same key, so a retried upload returns the first file instead of a second one.
        const key = `evidence-file/${createHash('sha256').update(bytes).digest('hex')}/${filename}`;
        const file = StripeFile.parse(
          await client.call(
            (s, o) => s.files.create({ purpose, file: { data: Buffer.from(bytes), name: filename, type } }, o),
            { idempotencyKey: key },
          ),
        );
        return { fileId: file.id, size: file.size };
      }),
  };
}
