// Search attributes set when a case starts, so it is listable before its first workflow task runs.
import type { SearchAttributePair } from '@temporalio/common';
import type { CaseFacts } from '../../domain/case.js';
import type { DisputeCaseInput } from '../../../workflows/dispute-case/definitions.js';
import {
  caseStatusKey,
  connectionIdKey,
  disputedMinorKey,
  invoiceNumberKey,
  providerKey,
} from '../../../workflows/search-attributes.js';

export function caseSearchAttributes(input: DisputeCaseInput, facts: CaseFacts): SearchAttributePair[] {
  return [
    { key: caseStatusKey, value: 'open' },
    { key: providerKey, value: input.provider },
    { key: connectionIdKey, value: input.connectionId },
    { key: disputedMinorKey, value: facts.disputed.minor },
    ...(input.invoice ? [{ key: invoiceNumberKey, value: input.invoice.number }] : []),
  ];
}
