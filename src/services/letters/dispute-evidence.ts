// Dispute evidence for a chargeback, in the evidence fields card processors take (their names are stored in drafts).
// Only some evidence fields are text; customer_communication, service_documentation and
// the like are *file* fields, so the communication summary is returned as text for an activity to upload as a file.
import type { CaseDocument, CaseDocumentKind } from '../../domain/case.js';
import { sum } from '../../domain/money.js';
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
  /**
   * When the service was provided or the goods delivered (YYYY-MM-DD), as the ledger or the case records it; `to` when
   * it ran over several days. Absent when nothing records it: the evidence then says so and leaves the processor's
   * service date empty (the invoice's issue date is not a delivery date).
   */
  readonly service?: { readonly from: string; readonly to?: string };
  /** The processor's reason code for the dispute (fraudulent, product_not_received, …): the evidence answers it. */
  readonly reason?: string;
  /**
   * The day (YYYY-MM-DD) the disputed charge was made, as the books record the card payment it took back; absent
   * when they do not: the evidence then dates no credit before or after it.
   */
  readonly chargedOn?: string;
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
  body: `The cardholder was invoiced <%= it.invoiceTotal %> on <%= it.invoiceDate %> (invoice <%= it.invoiceNumber %>) for: <%= it.service %>. <%= it.provided %>
<% if (it.hasPaid) { -%>
The cardholder paid <%= it.paid %> towards the invoice.
<% } -%>
<% it.reasonLines.forEach(function (l) { -%>
<%= l %>
<% }) -%>
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

/** Reason codes in words, as the card processors document them. */
export const disputeReasonWords: Readonly<Record<string, string>> = {
  bank_cannot_process: 'the bank cannot process it',
  check_returned: 'cheque returned',
  credit_not_processed: 'credit not processed',
  customer_initiated: 'customer initiated',
  debit_not_authorized: 'debit not authorised',
  duplicate: 'duplicate',
  fraudulent: 'fraudulent',
  general: 'general',
  incorrect_account_details: 'incorrect account details',
  insufficient_funds: 'insufficient funds',
  noncompliant: 'noncompliant',
  product_not_received: 'product not received',
  product_unacceptable: 'product unacceptable',
  subscription_canceled: 'subscription cancelled',
  unrecognized: 'unrecognised',
};
export const reasonInWords = (reason: string): string => disputeReasonWords[reason] ?? reason.replaceAll('_', ' ');

const deliveryKinds: readonly CaseDocumentKind[] = ['delivery_receipt', 'photo', 'project_record'];
const list = (items: readonly string[]) =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;

/**
 * What the evidence says to the dispute's reason: only what the ledger and the case record (the invoice, its
 * payments and credits, the documents, the correspondence), never a claim they do not hold.
 */
function reasonAccount(
  f: DisputeEvidenceFacts,
  view: ReturnType<typeof baseView>,
  provided: string | undefined,
): string[] {
  if (!f.reason) return [];
  const words = reasonInWords(f.reason);
  const invoice = `invoice ${f.invoice.number}`;
  const objected = f.correspondence.some((c) => c.kind === 'client_objection');
  const answered = f.correspondence.some((c) => c.kind !== 'client_objection');
  const delivery = f.documents.filter((d) => deliveryKinds.includes(d.kind)).map((d) => d.name);
  switch (f.reason) {
    case 'product_not_received':
      return [
        `The cardholder says they did not receive what they paid for (reason: ${words}). What we provided: ${f.serviceDescription} (${invoice})${provided ? `, ${provided}` : ''}.`,
        ...(delivery.length > 0 ? [`Proof of delivery is attached: ${list(delivery)}.`] : []),
      ];
    case 'fraudulent':
      return [
        `The cardholder says they did not authorise this charge (reason: ${words}). The charge paid ${invoice}, which we issued to ${f.customer.name}${f.customer.email ? ` (${f.customer.email})` : ''} for ${f.serviceDescription}.`,
        // Only the cardholder's own words count: our letters to them are not their correspondence with us.
        ...(objected || (f.replies?.length ?? 0) > 0
          ? ['The cardholder corresponded with us about this invoice; the correspondence is listed with this evidence.']
          : []),
      ];
    case 'duplicate': {
      const paid = sum(
        f.payments.filter((p) => p.amount.minor > 0).map((p) => p.amount),
        f.invoice.total.currency,
      );
      const payments = f.payments
        .filter((p) => p.amount.minor > 0)
        .map((p) => `${view.money(p.amount)} on ${view.day(p.date)}`);
      return [
        `The cardholder says they were charged more than once (reason: ${words}).`,
        ...(payments.length > 0
          ? [
              `The payments recorded against ${invoice} are: ${list(payments)}.${paid.minor <= f.invoice.total.minor ? ` Together they come to ${view.money(paid)} of the invoice's ${view.money(f.invoice.total)}: the invoice was not paid twice.` : ''}`,
            ]
          : []),
      ];
    }
    case 'product_unacceptable':
      return [
        `The cardholder says what they received was defective or not as described (reason: ${words}). We provided ${f.serviceDescription} as invoiced (${invoice}).`,
        objected
          ? answered
            ? 'The cardholder objected to us and we answered in writing; the correspondence is listed with this evidence.'
            : 'The cardholder objected to us; the correspondence is listed with this evidence.'
          : 'No objection from the cardholder about this invoice is recorded with us.',
      ];
    case 'subscription_canceled':
      return [
        // The books record no cancellations, so the evidence claims none either way.
        `The cardholder says they cancelled before this charge (reason: ${words}). The charge pays ${invoice}, issued on ${view.day(f.invoice.issueDate)} for ${f.serviceDescription}.`,
        ...(objected ? ["The cardholder's objection to us is listed with this evidence."] : []),
      ];
    case 'credit_not_processed': {
      const given = f.credits ?? [];
      const credits = given.map(
        (c) => `credit note ${c.number} for ${view.money(c.amount)}${c.at ? ` on ${view.day(c.at.slice(0, 10))}` : ''}`,
      );
      // "Before this charge" only when every credit is dated, and dated before the day of the charge.
      const before =
        f.chargedOn !== undefined && given.every((c) => c.at !== undefined && c.at.slice(0, 10) < f.chargedOn!);
      const charged = f.chargedOn ? ` This charge was made on ${view.day(f.chargedOn)}.` : '';
      return [
        `The cardholder says a refund or credit was due and not given (reason: ${words}).`,
        credits.length === 0
          ? `No refund or credit note is recorded for ${invoice}.`
          : before
            ? `The credits given on ${invoice} are ${list(credits)}; they were taken off what the cardholder owed before this charge, made on ${view.day(f.chargedOn!)}.`
            : `The credits given on ${invoice} are ${list(credits)}; they were taken off what the cardholder owed.${charged}`,
      ];
    }
    case 'general':
      return [
        `The cardholder's bank gives no specific reason (reason: ${words}); the invoice, its payment and the documents are set out here.`,
      ];
    default:
      return [`The cardholder's bank gives the reason as ${words}.`];
  }
}

/** (f) Text for the dispute's evidence fields, from the same facts as the letters. */
export function draftDisputeEvidence(facts: DisputeEvidenceFacts): DisputeEvidenceDraft {
  const view = baseView(facts);
  // By time, whatever order they came in (a stable sort keeps same-instant entries as given); all in the current zone.
  const byTime = [...facts.correspondence].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const responded = byTime.find((c) => c.kind === 'first_response' || c.kind === 'line_item_response');
  const service = facts.service;
  const provided =
    service &&
    (service.to && service.to !== service.from
      ? `provided from ${view.day(service.from)} to ${view.day(service.to)}`
      : `provided on ${view.day(service.from)}`);
  const data = {
    ...view,
    zone: facts.org.zone,
    service: facts.serviceDescription,
    provided: provided
      ? `The service was ${provided}.`
      : 'The date it was delivered is not recorded in our books (the date above is when it was invoiced).',
    reasonLines: reasonAccount(facts, view, provided),
    correspondence: byTime.map((c) => ({ at: view.deadline(c.at), label: correspondenceLabels[c.kind] })),
    respondedOn: responded && view.deadline(responded.at),
  };
  const fields: Partial<Record<EvidenceTextField, string>> = {
    product_description: `${facts.serviceDescription} (invoice ${facts.invoice.number})`,
    customer_name: facts.customer.name,
    // Only a date the books hold: an invoice's issue date is not the date of service.
    ...(service && { service_date: formatDay(service.from, 'en-US') }),
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
