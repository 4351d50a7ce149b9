// The public contract of the dispute-case workflow: input, messages and the case view.
// src/ imports this file to start, signal, update and query cases; it never imports workflow.ts.
import * as wf from '@temporalio/workflow';
import type { persistedValues } from './persisted-names.js';
import { persistedMessages } from './persisted-names.js';
import type { CaseAccount } from '../../src/domain/account.js';
import type { CaseDocument, FullAndFinalFlag, ChargebackRef } from '../../src/domain/case.js';
import type { DisputeStatus, ExternalRef, InvoiceLine, ProviderKey } from '../../src/domain/model.js';
import type { Money } from '../../src/domain/money.js';

export interface OrganisationProfile {
  readonly id: string;
  readonly name: string;
  readonly ownerEmail: string;
  readonly timeZone: string;
  readonly locale: string;
  readonly signature: string;
  readonly holidays: readonly string[];
  /** The organisation's default windows when the case opened (absent in cases opened before they existed). */
  readonly windows?: { readonly responseBusinessDays: number; readonly balanceDueDays: number };
  /** The organisation's Settings revision this profile was read at (absent in cases opened before it existed). */
  readonly settingsRevision?: number;
}

/**
 * The owner saved Settings: the case's letters drafted and deadlines computed from now on use this profile. Letters
 * already sent and deadlines already set keep theirs; a revision not newer than the case's own is ignored, so the
 * signal may be sent again safely.
 */
export interface OrganisationSettingsChange {
  readonly revision: number;
  readonly organisation: OrganisationProfile;
}

export interface InvoiceSnapshot {
  readonly ref: ExternalRef;
  readonly number: string;
  readonly customerId: string;
  readonly customerName: string;
  readonly customerEmail?: string;
  readonly customerLocale?: string;
  readonly issueDate: string;
  readonly dueDate?: string;
  readonly total: Money;
  readonly balance: Money;
  readonly lines: readonly InvoiceLine[];
}

export interface PaymentFact {
  readonly ref: ExternalRef;
  readonly amount: Money;
  readonly date: string;
  readonly memo?: string;
}

export interface DisputeCaseInput {
  readonly caseId: string;
  readonly caseKey: string;
  readonly connectionId: string;
  readonly provider: ProviderKey;
  readonly organisation: OrganisationProfile;
  /** When Shortfall learned of the short payment or dispute: response windows count from here. */
  readonly learnedAt: string;
  readonly invoice?: InvoiceSnapshot;
  readonly payments: readonly PaymentFact[];
  /** Credit notes already applied to the invoice when the case opened, with the ledger's numbers. */
  readonly credits?: readonly { readonly ref: ExternalRef; readonly number?: string; readonly amount: Money }[];
  readonly fullAndFinal?: FullAndFinalFlag;
  readonly chargeback?: ChargebackRef & {
    readonly amount: Money;
    readonly reason: string;
    readonly status: DisputeStatus;
  };
  /**
   * The payment plan the owner agreed, when the case opened for a missed instalment: the case pursues only what is
   * overdue, and the later instalments stay due on their dates.
   */
  readonly plan?: {
    readonly overdue: Money;
    readonly instalments: readonly { readonly dueOn: string; readonly amount: Money }[];
  };
  /** The connection that holds the chargeback (dispute evidence capability) when the invoice lives in another ledger. */
  readonly evidenceConnectionId?: string;
  readonly documents: readonly CaseDocument[];
  /** Present only when continuing as new: the state carried over from the previous run. */
  readonly carried?: unknown;
}

export type CaseStatus =
  | 'open'
  | 'awaiting_approval'
  | 'awaiting_client'
  | 'awaiting_owner'
  | 'awaiting_payment'
  | 'final_notice'
  | 'escalated'
  | typeof persistedValues.evidenceSubmittedStatus
  | 'resolved'
  | 'written_off'
  | 'withdrawn';

export type DraftKind =
  | 'receipt'
  | 'first_response'
  | 'ask_specifics'
  | 'uphold'
  | 'concession'
  | 'final_notice'
  | typeof persistedValues.evidenceDraftKind;

export interface DraftContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly { readonly documentId: string; readonly name: string }[];
  /** The processor's dispute evidence fields, for drafts of the dispute-evidence kind. */
  readonly evidence?: Readonly<Record<string, string>>;
}

export interface DraftView {
  readonly version: number;
  readonly kind: DraftKind;
  readonly content: DraftContent;
  /** withdrawn: the case changed while it waited for approval (a payment, a reply, an objection); a fresh draft replaces it. */
  readonly state: 'pending' | 'approved' | 'rejected' | 'sent' | 'withdrawn';
  readonly draftedAt: string;
  /** What the case knew when it was drafted; a draft whose basis no longer holds is withdrawn. */
  readonly basis?: string;
  readonly withdrawn?: { readonly at: string; readonly because: string };
  /** The deadline the letter states; the schedule after sending follows it exactly. */
  readonly dueBy?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly sentAt?: string;
  /**
   * The organisation's time zone the letter went out in: the dates it states are in it, and a later letter cites it by
   * the date it carried there, whatever the zone is by then. Absent for letters sent before the case kept it.
   */
  readonly sentZone?: string;
}

export interface Deadline {
  readonly name: string;
  readonly at: string;
}

export interface TimelineEntry {
  readonly at: string;
  readonly kind: string;
  readonly summary: string;
}

/** An invoice line as the case knows it: the lines an objection may name and a concession may credit. */
export interface CaseLine {
  readonly id: string;
  readonly description: string;
  readonly amount: Money;
}

/** The client's objection the case is still answering: registered, perhaps decided, its letter not yet sent. */
export interface ObjectionView {
  readonly kind: ObjectionInput['kind'];
  readonly summary: string;
  /** The disputed invoice lines; empty for a vague objection. */
  readonly lineIds: readonly string[];
  readonly by: string;
  readonly registeredAt: string;
  /** The owner's concede-or-uphold decision; only a specific objection gets one. */
  readonly decision?: ObjectionDecision;
}

/** A chargeback the case answers with dispute evidence. */
export interface ChargebackView {
  readonly disputeId: string;
  readonly chargeId: string;
  /** What the card processor withdrew from the business. */
  readonly amount: Money;
  readonly reason: string;
  readonly status: DisputeStatus;
  readonly dueBy?: string;
  readonly submitted: boolean;
}

export interface CaseView {
  readonly caseId: string;
  readonly status: CaseStatus;
  /** The one account of the case's money (src/domain/account.ts): every figure shown comes from it. */
  readonly account: CaseAccount;
  /** account.paid, kept for readers of older views. */
  readonly paid: Money;
  /** All the money in dispute: account.inDispute (what the client contests) and account.held (what a processor holds). */
  readonly disputed: Money;
  /** account.credited. */
  readonly conceded: Money;
  /** Set while the ledger connection is broken: every clock of the case stands still from then. */
  readonly pausedSince?: string;
  readonly chargeback?: ChargebackView;
  /** The small-claims evidence pack: when it was last built, and when it will be built by itself. */
  readonly evidencePack: {
    readonly builtAt?: string;
    readonly documentId?: string;
    readonly name?: string;
    readonly automaticAfter?: string;
  };
  readonly drafts: readonly DraftView[];
  readonly deadlines: readonly Deadline[];
  readonly timeline: readonly TimelineEntry[];
  readonly ledgerConnected: boolean;
  readonly disputeStatus?: DisputeStatus;
  /** Empty for a chargeback with no invoice. */
  readonly lines: readonly CaseLine[];
  readonly objection?: ObjectionView;
  /** The client's latest emailed reply not yet followed by a registered objection: the case page suggests how to register it. */
  readonly latestReply?: {
    readonly at: string;
    readonly from: string;
    readonly subject: string;
    readonly text: string;
  };
}

export type DraftDecision =
  | { readonly kind: 'approve'; readonly version: number; readonly by: string }
  | {
      readonly kind: 'edit_and_approve';
      readonly version: number;
      readonly by: string;
      readonly subject: string;
      readonly text: string;
    }
  | { readonly kind: 'reject'; readonly version: number; readonly by: string; readonly note?: string };

export interface DecisionResult {
  readonly version: number;
  readonly outcome: 'approved' | 'rejected';
}

export type ObjectionInput =
  | { readonly kind: 'vague'; readonly by: string; readonly summary: string }
  | { readonly kind: 'specific'; readonly by: string; readonly summary: string; readonly lineIds: readonly string[] };

export type ObjectionDecision =
  | {
      readonly kind: 'concede';
      readonly by: string;
      readonly lines: readonly { readonly lineId: string; readonly amount: Money }[];
    }
  | { readonly kind: 'uphold'; readonly by: string };

export interface ExtendInput {
  readonly deadline: 'response' | 'payment' | 'final_notice';
  readonly days: number;
  readonly by: string;
}

export interface CloseInput {
  readonly kind: 'write_off' | 'resolved' | 'withdraw';
  readonly by: string;
  readonly note?: string;
}

export type LedgerEvent =
  | { readonly kind: 'payment_applied'; readonly payment: PaymentFact; readonly balance: Money }
  | { readonly kind: 'invoice_changed'; readonly balance: Money; readonly total: Money; readonly status: string }
  | { readonly kind: 'payment_reversed'; readonly ref: ExternalRef; readonly balance: Money }
  | {
      readonly kind: 'credit_note_seen';
      readonly ref: ExternalRef;
      readonly amount: Money;
      readonly number?: string;
      readonly void?: boolean;
    }
  | { readonly kind: 'connection_broken'; readonly reason: string }
  | { readonly kind: 'connection_restored' };

export interface ClientReply {
  readonly receivedAt: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
}

export interface ChargebackUpdate {
  readonly status: DisputeStatus;
  readonly dueBy?: string;
  /** The chargeback itself, when the case did not start from it (a card payment on its invoice was disputed later). */
  readonly dispute?: ChargebackRef & {
    readonly amount: Money;
    readonly reason: string;
    /** The connection that holds the chargeback, where its evidence goes (absent in older histories). */
    readonly connectionId?: string;
  };
}

export interface EvidencePackRequestInput {
  readonly by: string;
}

export const decideDraftUpdate = wf.defineUpdate<DecisionResult, [DraftDecision]>('decideDraft');
export const registerObjectionUpdate = wf.defineUpdate<CaseStatus, [ObjectionInput]>('registerObjection');
export const decideObjectionUpdate = wf.defineUpdate<CaseStatus, [ObjectionDecision]>('decideObjection');
export const extendDeadlineUpdate = wf.defineUpdate<Deadline, [ExtendInput]>('extendDeadline');
export const closeCaseUpdate = wf.defineUpdate<CaseStatus, [CloseInput]>('closeCase');
/** The owner asks for the small-claims evidence pack now, at any stage; it is rebuilt with the latest documents. */
export const buildEvidencePackUpdate = wf.defineUpdate<CaseStatus, [EvidencePackRequestInput]>('buildEvidencePack');
export const ledgerEventSignal = wf.defineSignal<[LedgerEvent]>('ledgerEvent');
export const clientReplySignal = wf.defineSignal<[ClientReply]>('clientReply');
export const chargebackSignal = wf.defineSignal<[ChargebackUpdate]>(persistedMessages.chargebackSignal);
/** A document the owner added (signed estimate/SOW, photos, receipts): later letters and the evidence pack attach it. */
export const documentAddedSignal = wf.defineSignal<[CaseDocument]>('documentAdded');
/** Settings saved by the owner (OrganisationSettingsChange); a closed case ignores it. */
export const organisationSettingsSignal = wf.defineSignal<[OrganisationSettingsChange]>('organisationSettings');
export const caseViewQuery = wf.defineQuery<CaseView>('caseView');

export const disputeCaseWorkflowId = (caseKey: string) => `case/${caseKey}`;
