// Letters sit behind their own barrel: eta compiles templates with `new Function`. That runs in Temporal's sandbox
// (checked by replaying a probe workflow), but workflows that need only rules and deadlines should not carry it.
export { renderLetter, escapeHtml, type LetterTemplate } from './engine.js';
export { baseView, clientLocale, documentKindLabels, documentLabel, formatDay, formatDeadline } from './format.js';
export { draftPartialPaymentReceipt } from './receipt.js';
export { draftFirstResponse, type FirstResponseFacts } from './first-response.js';
export { draftVagueObjectionReply, type VagueObjectionFacts } from './vague-objection.js';
export { draftLineItemResponse, type LineItemFinding, type LineItemResponseFacts } from './line-item-response.js';
export { draftFinalNotice, type FinalNoticeFacts } from './final-notice.js';
export { draftOwnerAlert, type OwnerAlertFacts } from './owner-alert.js';
export {
  draftDisputeEvidence,
  evidenceForOwner,
  type DisputeEvidenceDraft,
  type DisputeEvidenceFacts,
  type EvidenceTextField,
  type EvidenceFileField,
} from './dispute-evidence.js';
export type {
  Attachment,
  Draft,
  InvoiceSummary,
  LetterFacts,
  LetterKind,
  Organisation,
  PaymentSummary,
} from './types.js';
