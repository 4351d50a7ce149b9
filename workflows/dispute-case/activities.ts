// Inputs and outputs of the case activities. Plain data: they cross Temporal's payload boundary.
import type { CaseAccount, CaseStanding } from '../../src/domain/account.js';
import type { CaseDocument, FullAndFinalFlag } from '../../src/domain/case.js';
import type { Money } from '../../src/domain/money.js';
import type {
  CaseStatus,
  CaseView,
  DraftContent,
  DraftKind,
  InvoiceSnapshot,
  OrganisationProfile,
  PaymentFact,
} from './definitions.js';
import type { persistedValues } from './persisted-names.js';
import { persistedMessages } from './persisted-names.js';

export interface LetterRequest {
  readonly kind: DraftKind;
  readonly caseId: string;
  readonly organisation: OrganisationProfile;
  readonly invoice?: InvoiceSnapshot;
  readonly payments: readonly PaymentFact[];
  readonly paid: Money;
  /** What is still owed (never below zero), as the letter states it. */
  readonly balance: Money;
  /** The case's account of the money the letter speaks of (src/domain/account.ts). */
  readonly account?: CaseAccount;
  /** No written response has gone out yet: this letter is it, so it carries the seed's partial-payment statements. */
  readonly firstWrittenResponse?: boolean;
  /** The agreed payment plan: the letter asks for the overdue instalments; the later ones stay due on their dates. */
  readonly plan?: {
    readonly overdue: Money;
    readonly instalments: readonly { readonly dueOn: string; readonly amount: Money }[];
  };
  /** Client emails received since the last letter, which this letter acknowledges. */
  readonly replies?: readonly { readonly at: string; readonly subject: string }[];
  readonly fullAndFinal?: FullAndFinalFlag;
  readonly documents: readonly CaseDocument[];
  /** The deadline the letter sets for the remaining balance, when it sets one. */
  readonly paymentDueBy?: string;
  readonly objection?: { readonly summary: string; readonly lineIds: readonly string[]; readonly receivedAt: string };
  /** When the first written response went out: the final notice refers to it. */
  readonly respondedAt?: string;
  /**
   * The organisation's time zone that response went out in: it is cited by the date it carried there, even after the
   * owner changed the zone. Absent for a response sent before the case kept it (the current zone dates it then).
   */
  readonly respondedZone?: string;
  /**
   * For the card-dispute evidence, in the order the case passes them (not by time). Our letters carry the zone they went
   * out in (as respondedZone), which the evidence does not use: it dates every entry in the current zone, by time.
   */
  readonly correspondence?: readonly {
    readonly kind: 'first_response' | 'client_objection';
    readonly at: string;
    readonly zone?: string;
  }[];
  readonly concession?: {
    readonly lines: readonly { readonly lineId: string; readonly amount: Money }[];
    readonly creditNoteRef?: string;
  };
  readonly chargeback?: { readonly reason: string; readonly amount: Money; readonly chargeId: string };
}

export interface OutgoingEmail {
  /** Derived from case, step and draft version: the outbox writes each key once. */
  readonly key: string;
  readonly caseId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly { readonly documentId: string; readonly name: string }[];
  /** Route the client's reply back to this case (case+<id>@ the configured reply domain). */
  readonly replyToCase?: boolean;
  /** The case's audit entry for this letter, written once it went out, with its messageId in the data. */
  readonly audit?: AuditEntry;
}

export interface ApprovalRequest {
  readonly key: string;
  readonly caseId: string;
  readonly workflowId: string;
  readonly version: number;
  readonly kind: DraftKind;
  readonly draft: DraftContent;
  readonly organisation: OrganisationProfile;
  /** When the draft should go out: the written response's deadline, or Shortfall's date for approving evidence. */
  readonly respondBy?: string;
  /** For chargeback evidence: who decides on it, its own deadline, and how Shortfall's date stands to it. */
  readonly evidence?: { readonly processorName: string; readonly processorDueBy?: string; readonly lead: string };
  /** The case's audit entry for this draft, written once the approval request went out. */
  readonly audit?: AuditEntry;
}

export interface OwnerNotice {
  readonly key: string;
  readonly caseId: string;
  readonly organisation: OrganisationProfile;
  readonly kind:
    | 'full_and_final'
    | 'reminder'
    | 'deadline_reached'
    | 'overdue'
    | 'connection_broken'
    | 'escalated'
    | 'objection'
    | typeof persistedValues.chargebackOutcomeNotice
    | 'chargeback'
    | typeof persistedValues.evidenceDeadlineNotice
    | 'resolved'
    | 'evidence_pack';
  readonly subject: string;
  readonly detail: string;
}

export interface CreditNotePosting {
  readonly key: string;
  readonly caseId: string;
  readonly connectionId: string;
  readonly invoiceId: string;
  readonly customerId?: string;
  readonly currency: string;
  readonly lines: readonly { readonly lineId: string; readonly description: string; readonly amount: Money }[];
  readonly memo: string;
}

export interface CaseProjection {
  readonly caseId: string;
  readonly status: CaseStatus;
  readonly paid: Money;
  readonly disputed: Money;
  readonly nextDeadline?: string;
  /** Where the case stands against what it opened for (src/domain/account.ts): the dashboard adds these up. */
  readonly standing?: CaseStanding;
  /**
   * The workflow time the row was computed at: the case list keeps the latest, so an attempt that timed out and
   * wrote after its retry cannot put an older row back. Absent in activities scheduled before it was sent.
   */
  readonly at?: string;
}

export interface AuditEntry {
  readonly key: string;
  readonly caseId: string;
  readonly kind: string;
  readonly actor: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface EvidencePackRequest {
  readonly key: string;
  readonly caseId: string;
  readonly organisation: OrganisationProfile;
  readonly invoice?: InvoiceSnapshot;
  readonly payments: readonly PaymentFact[];
  readonly view: CaseView;
  readonly documents: readonly CaseDocument[];
}

export interface EvidenceRequest {
  readonly key: string;
  readonly connectionId: string;
  readonly disputeId: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly documentIds: readonly string[];
}

export interface InvoicePdfRequest {
  readonly key: string;
  readonly caseId: string;
  readonly connectionId: string;
  readonly invoiceId: string;
  readonly invoiceNumber: string;
}

/** What the dispute-case workflow needs from the outside world; activities/cases.ts implements it. */
export interface CaseActivities {
  attachInvoicePdf(r: InvoicePdfRequest): Promise<{ readonly documentId: string; readonly name: string }>;
  recordAudit(e: AuditEntry): Promise<void>;
  projectCase(p: CaseProjection): Promise<void>;
  draftLetter(r: LetterRequest): Promise<DraftContent>;
  requestApproval(r: ApprovalRequest): Promise<void>;
  sendEmail(m: OutgoingEmail): Promise<{ readonly messageId: string }>;
  /**
   * sendEmail and requestApproval carrying their audit entry (patch audit-in-its-step), under their own names: during
   * a rolling upgrade a worker of the earlier release refuses them (the task waits for an upgraded worker) instead of
   * sending and dropping the entry it does not know.
   */
  sendEmailAudited(m: OutgoingEmail & { readonly audit: AuditEntry }): Promise<{ readonly messageId: string }>;
  requestApprovalAudited(r: ApprovalRequest & { readonly audit: AuditEntry }): Promise<void>;
  /**
   * The same, also writing the case list's row once sent (patch project-in-its-step), under their own names for the
   * same reason: an earlier release's worker would send and drop the row.
   */
  sendEmailProjected(
    m: OutgoingEmail & { readonly audit: AuditEntry; readonly projection: CaseProjection },
  ): Promise<{ readonly messageId: string }>;
  requestApprovalProjected(
    r: ApprovalRequest & { readonly audit: AuditEntry; readonly projection: CaseProjection },
  ): Promise<void>;
  notifyOwner(n: OwnerNotice): Promise<void>;
  /** `number` is the ledger's own number for the credit note (its document number). */
  postCreditNote(
    c: CreditNotePosting,
  ): Promise<{ readonly ref: string; readonly total: Money; readonly number?: string }>;
  /** Stages the dispute evidence at the processor (its activity type predates the neutral name). */
  [persistedMessages.stageEvidenceActivity](r: EvidenceRequest): Promise<void>;
  /** Submits the staged dispute evidence, once. */
  [persistedMessages.submitEvidenceActivity](r: Omit<EvidenceRequest, 'fields' | 'documentIds'>): Promise<void>;
  buildEvidencePack(r: EvidencePackRequest): Promise<{ readonly documentId: string; readonly name: string }>;
}
