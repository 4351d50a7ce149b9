// What sync asks of the case starter after detection. Plain data: it crosses Temporal's payload boundary.
import type { CaseFacts } from '../domain/case.js';
import type { DetectionReason } from '../domain/detection.js';
import type { ProviderKey } from '../domain/model.js';

/** The synced record whose detection produced the action; its pending flag clears once the action is applied. */
export type CaseTrigger = { readonly invoiceId: string } | { readonly disputeId: string };

export type CaseAction =
  | { readonly kind: 'open' | 'update'; readonly reason: DetectionReason; readonly caseKey: string; readonly connectionId: string; readonly trigger: CaseTrigger; readonly facts: CaseFacts }
  | { readonly kind: 'resolve'; readonly reason: DetectionReason; readonly caseKey: string; readonly connectionId: string; readonly trigger: CaseTrigger };

/** The provider account one connection reads: every ExternalRef built from its rows carries it. */
export interface LedgerScope {
  readonly connectionId: string;
  readonly provider: ProviderKey;
  readonly accountId: string;
}
