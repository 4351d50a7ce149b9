// Chargebacks: opened against a charge, evidence staged (submit=false) or submitted, then decided.
import { z } from 'zod';
import type { StripeObject } from '../collection.js';
import { invalidParam, invalidRequest, parseParams } from '../errors.js';
import { newId } from '../ids.js';
import { bool, expand, metadata } from '../params.js';
import type { AccountData, StripeStore } from '../store.js';

export const evidenceFileFields = [
  'cancellation_policy',
  'customer_communication',
  'customer_signature',
  'duplicate_charge_documentation',
  'receipt',
  'refund_policy',
  'service_documentation',
  'shipping_documentation',
  'uncategorized_file',
] as const;
export const evidenceTextFields = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_tracking_number',
  'uncategorized_text',
] as const;
const evidenceFields = [...evidenceFileFields, ...evidenceTextFields];

const Evidence = z.strictObject(Object.fromEntries(evidenceFields.map((f) => [f, z.string().max(150_000).optional()])));

export const DisputeUpdateParams = z.strictObject({
  evidence: Evidence.optional(),
  metadata,
  submit: bool.optional(),
  expand,
});

export interface OpenDisputeInput {
  readonly charge: string;
  readonly amount?: number;
  readonly reason?: string;
  /** Unix seconds; null or 0 when the issuer allows no response. */
  readonly dueBy: number | null;
  readonly status?: 'needs_response' | 'warning_needs_response';
}

const submittedStatus: Record<string, string> = {
  needs_response: 'under_review',
  warning_needs_response: 'warning_under_review',
  appeal_needs_response: 'appeal_under_review',
};
const closed = new Set(['won', 'lost', 'warning_closed', 'prevented']);

export function openDispute(store: StripeStore, data: AccountData, input: OpenDisputeInput): StripeObject {
  const charge = data.charges.get(input.charge);
  charge.disputed = true;
  const dispute = data.disputes.add({
    id: newId('dp'),
    object: 'dispute',
    amount: input.amount ?? charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created: store.now(),
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: Object.fromEntries(evidenceFields.map((f) => [f, null])),
    evidence_details: {
      due_by: input.dueBy,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      type: 'card',
      card: { brand: 'visa', case_type: 'chargeback', network_reason_code: '13.1' },
    },
    reason: input.reason ?? 'product_not_received',
    status: input.status ?? 'needs_response',
  });
  store.emit(data, 'charge.dispute.created', dispute);
  return dispute;
}

function checkFiles(data: AccountData, evidence: Record<string, string | undefined>): void {
  for (const field of evidenceFileFields) {
    const fileId = evidence[field];
    if (fileId === undefined) continue;
    const file = data.files.find(fileId);
    if (!file || file.purpose !== 'dispute_evidence')
      throw invalidParam(`evidence[${field}]`, `No such file upload: '${fileId}'`);
  }
}

export function updateDispute(store: StripeStore, data: AccountData, id: string, raw: unknown): StripeObject {
  const p = parseParams(DisputeUpdateParams, raw);
  const dispute = data.disputes.get(id);
  const status = String(dispute.status);
  if (closed.has(status)) throw invalidRequest('This dispute is already closed.', 'id');
  if (!submittedStatus[status])
    throw invalidRequest('Evidence for this dispute has already been submitted and is under review.', 'id');
  const before = structuredClone({
    evidence: dispute.evidence,
    evidence_details: dispute.evidence_details,
    status: dispute.status,
  });
  const details = dispute.evidence_details as { has_evidence: boolean; submission_count: number };
  if (p.evidence) {
    checkFiles(data, p.evidence);
    Object.assign(dispute.evidence as object, p.evidence);
    details.has_evidence = true;
  }
  if (p.metadata) Object.assign(dispute.metadata as object, p.metadata);
  // Stripe submits unless told not to: submit defaults to true.
  if (p.submit ?? true) {
    dispute.status = submittedStatus[status];
    details.submission_count += 1;
  }
  store.emit(data, 'charge.dispute.updated', dispute, before);
  return dispute;
}

export function closeDispute(
  store: StripeStore,
  data: AccountData,
  id: string,
  outcome: 'won' | 'lost' | 'warning_closed',
): StripeObject {
  const dispute = data.disputes.get(id);
  if (closed.has(String(dispute.status))) throw invalidRequest('This dispute is already closed.', 'id');
  const before = { status: dispute.status };
  dispute.status = outcome;
  store.emit(data, 'charge.dispute.closed', dispute, before);
  return dispute;
}
