// Typed search attributes: cases can be listed from Temporal visibility. Imported by workflows and src/.
// Keep PII out: search attributes are not encrypted by payload codecs.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const caseStatusKey = defineSearchAttributeKey('ShortfallCaseStatus', SearchAttributeType.KEYWORD);
export const providerKey = defineSearchAttributeKey('ShortfallProvider', SearchAttributeType.KEYWORD);
export const connectionIdKey = defineSearchAttributeKey('ShortfallConnectionId', SearchAttributeType.KEYWORD);
export const customerIdKey = defineSearchAttributeKey('ShortfallCustomerId', SearchAttributeType.KEYWORD);
export const invoiceNumberKey = defineSearchAttributeKey('ShortfallInvoiceNumber', SearchAttributeType.KEYWORD);
export const disputedMinorKey = defineSearchAttributeKey('ShortfallDisputedMinor', SearchAttributeType.INT);
export const nextDeadlineKey = defineSearchAttributeKey('ShortfallNextDeadline', SearchAttributeType.DATETIME);

export const searchAttributeKeys = [
  caseStatusKey,
  providerKey,
  connectionIdKey,
  customerIdKey,
  invoiceNumberKey,
  disputedMinorKey,
  nextDeadlineKey,
];
