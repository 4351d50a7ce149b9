// Names already recorded by Temporal and the database for running cases, from before the core spoke of chargebacks
// and dispute evidence rather than one card processor. They cannot change: recorded histories replay against the
// activity types and signal name; stored drafts, statuses, timers, notices and timeline entries are read back by
// them; idempotency keys must repeat exactly for a retried write to be recognised. New code uses the neutral name
// on the left; this is the one file outside integrations/ that may spell a provider's name (npm run lint checks).

/** Temporal message and activity type names. */
export const persistedMessages = {
  /** The signal that carries a chargeback's status change (ChargebackUpdate). */
  chargebackSignal: 'stripeDispute',
  /** The activity that stages the dispute evidence at the processor (CaseActivities). */
  stageEvidenceActivity: 'stageStripeEvidence',
  /** The activity that submits the staged evidence, once. */
  submitEvidenceActivity: 'submitStripeEvidence',
} as const;

/** Values stored in case state, drafts, the case list, audit rows and owner notices. */
export const persistedValues = {
  /** Case status once the dispute evidence reached the processor. */
  evidenceSubmittedStatus: 'stripe_submitted',
  /** Draft kind of the dispute evidence the owner approves. */
  evidenceDraftKind: 'stripe_evidence',
  /** Timer name of the processor's evidence deadline. */
  evidenceTimer: 'stripe_submit',
  /** Prefix of the fired-mark that starts the evidence window once per chargeback. */
  evidenceWindowMark: 'stripe-window',
  /** Audit kind written when the evidence was submitted. */
  evidenceSubmittedAudit: 'stripe_evidence_submitted',
  /** Owner notice kinds: the processor decided the chargeback; its evidence deadline runs through a pause. */
  chargebackOutcomeNotice: 'stripe_outcome',
  evidenceDeadlineNotice: 'stripe_deadline',
  /** Who acted, on timeline entries and closes the processor caused. */
  processorActor: 'stripe',
  /** First part of the idempotency keys of evidence staging and submission. */
  evidenceKeyScope: 'stripe',
  /** First part of a chargeback's signalled-fact key (case_signals), so a retried sync never repeats a status. */
  chargebackFactScope: 'stripe',
} as const;

/**
 * Workflow input and carried-state fields under their old names, read once at start (upgrade.ts); the chargeback's
 * old name is also read from a letter request scheduled before the rename (activities/letters.ts).
 */
export const legacyFields = {
  /** DisputeCaseInput.chargeback */
  chargeback: 'stripeDispute',
  /** DisputeCaseInput.evidenceConnectionId */
  evidenceConnectionId: 'stripeConnectionId',
  /** CaseState.disputeStatus */
  disputeStatus: 'stripeStatus',
  /** CaseState.evidenceSubmitted */
  evidenceSubmitted: 'stripeSubmitted',
} as const;
