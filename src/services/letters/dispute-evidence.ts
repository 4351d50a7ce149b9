// Dispute evidence for a chargeback, in the evidence fields card processors take (their names are stored in drafts).
// Only some evidence fields are text; customer_communication, service_documentation and
// the like are *file* fields, so the communication summary is returned as text for an activity to upload as a file.
import type { CaseDocument, CaseDocumentKind } from '../../domain/case.js';
export { evidenceForOwner } from '../../domain/evidence-text.js';
import type { LetterTemplate } from './engine.js';
import { renderLetter } from './engine.js';
import { baseView, formatDay } from './format.js';
import type { LetterFacts, LetterKind } from './types.js';

export type EvidenceTextField =
  | 'product_description'
  | 'customer_name'
  | 'customer_email_address'
  | 'service_date'
  | 'uncategorized_text'
  | 'refund_refusal_explanation';
export type EvidenceFileField = 'service_documentation' | 'customer_communication' | 'uncategorized_file';

export interface DisputeEvidenceDraft {
  readonly fields: Readonly<Partial<Record<EvidenceTextField, string>>>;
  /** The correspondence as text, for `evidence.customer_communication`; absent when there was none to tell. */
  readonly customerCommunication?: string;
  /** The processor takes one file per field, so an activity merges the documents mapped to the same field. */
  readonly attachments: readonly {
    readonly documentId: string;
    readonly name: string;
    readonly field: EvidenceFileField;
  }[];
}

export interface DisputeEvidenceFacts extends LetterFacts {
  readonly serviceDescription: string;
  readonly serviceDate: string; // YYYY-MM-DD
  /**
   * Our letters and the client's objections, in any order. The card network reads one submission, so every date in it
   * is in the organisation's current zone, which the text names, and the entries are listed by time: a letter's own
   * zone (`zone`, kept by the case) would date a reply before the objection it answers when the owner moved the business.
   */
  readonly correspondence: readonly {
    readonly kind: LetterKind | 'client_objection';
    readonly at: string;
    readonly zone?: string;
  }[];
}

const fieldFor: Record<CaseDocumentKind, EvidenceFileField> = {
  invoice: 'service_documentation',
  signed_estimate: 'service_documentation',
  sow: 'service_documentation',
  delivery_receipt: 'service_documentation',
  photo: 'service_documentation',
  project_record: 'service_documentation',
  scope_confirmation: 'customer_communication',
  rate_confirmation: 'customer_communication',
  other: 'uncategorized_file',
};

const correspondenceLabels: Record<DisputeEvidenceFacts['correspondence'][number]['kind'], string> = {
  client_objection: 'Client objected to the invoice',
  partial_payment_receipt: 'We sent a receipt for the partial payment',
  first_response: 'We sent a written response and supporting documents',
  vague_objection_reply: 'We asked the client which item they dispute',
  line_item_response: 'We answered each disputed line item',
  final_notice: 'We sent a final notice',
  owner_alert: 'Internal alert',
};

const uncategorized: LetterTemplate = {
  subject: 'Invoice <%= it.invoiceNumber %>',
  body: `The cardholder was invoiced <%= it.invoiceTotal %> on <%= it.invoiceDate %> (invoice <%= it.invoiceNumber %>) for: <%= it.service %>. The service was provided on <%= it.serviceDate %>.
<% if (it.hasPaid) { -%>
The cardholder paid <%= it.paid %> towards the invoice.
<% } -%>
<% if (it.respondedOn) { -%>
We responded in writing to the cardholder's concerns on <%= it.respondedOn %> and provided our documentation.
<% } -%>
<% if (it.respondedOn) { -%>
Dates of correspondence are in the <%= it.zone %> time zone.
<% } -%>
<% if (it.documents.length) { -%>
Documents provided: <%= it.documents.join('; ') %>.
<% } -%>`,
};

const communication: LetterTemplate = {
  subject: 'Correspondence about invoice <%= it.invoiceNumber %>',
  body: `Correspondence with <%= it.customerName %> about invoice <%= it.invoiceNumber %> (dates in the <%= it.zone %> time zone):

<% it.correspondence.forEach(function (c) { -%>
- <%= c.at %>: <%= c.label %>
<% }) -%>
`,
};

/** (f) Text for the dispute's evidence fields, from the same facts as the letters. */
export function draftDisputeEvidence(facts: DisputeEvidenceFacts): DisputeEvidenceDraft {
  const view = baseView(facts);
  // By time, whatever order they came in (a stable sort keeps same-instant entries as given); all in the current zone.
  const byTime = [...facts.correspondence].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const responded = byTime.find((c) => c.kind === 'first_response' || c.kind === 'line_item_response');
  const data = {
    ...view,
    zone: facts.org.zone,
    service: facts.serviceDescription,
    serviceDate: view.day(facts.serviceDate),
    correspondence: byTime.map((c) => ({ at: view.deadline(c.at), label: correspondenceLabels[c.kind] })),
    respondedOn: responded && view.deadline(responded.at),
  };
  const fields: Partial<Record<EvidenceTextField, string>> = {
    product_description: `${facts.serviceDescription} (invoice ${facts.invoice.number})`,
    customer_name: facts.customer.name,
    service_date: formatDay(facts.serviceDate, 'en-US'),
    uncategorized_text: renderLetter(uncategorized, data).text.trim(),
    ...(facts.customer.email && { customer_email_address: facts.customer.email }),
  };
  return {
    fields,
    ...(byTime.length > 0 && { customerCommunication: renderLetter(communication, data).text }),
    attachments: facts.documents.map((d: CaseDocument) => ({
      documentId: d.id,
      name: d.name,
      field: fieldFor[d.kind],
    })),
  };
}
