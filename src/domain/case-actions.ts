// What sync asks of the case starter after detection. Plain data: it crosses Temporal's payload boundary.
import type { CaseFacts } from './case.js';
import type { DetectionReason } from './detection.js';
import type { ProviderKey } from './model.js';

/** The synced record whose detection produced the action; its pending flag clears once the action is applied. */
export type CaseTrigger = { readonly invoiceId: string } | { readonly disputeId: string };

interface ActionBase {
  readonly reason: DetectionReason;
  readonly caseKey: string;
  /** The connection whose synced record (the trigger) produced the action. */
  readonly connectionId: string;
  readonly trigger: CaseTrigger;
  /**
   * A chargeback matched to an invoice in the organisation's ledger on another connection: the connection that holds
   * the invoice. The case runs on that ledger, and answers the chargeback through `connectionId`.
   */
  readonly ledgerConnectionId?: string;
}

export type CaseAction =
  | (ActionBase & { readonly kind: 'open' | 'update'; readonly facts: CaseFacts })
  | (ActionBase & { readonly kind: 'resolve' });

/** The provider account one connection reads: every ExternalRef built from its rows carries it. */
export interface LedgerScope {
  readonly connectionId: string;
  readonly provider: ProviderKey;
  readonly accountId: string;
}
