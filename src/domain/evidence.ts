// The documents the seed says a written response should carry, as a checklist: what the case has, what the letter
// attaches, and what is still missing. Pure: the approval page and the tests read it.
import type { CaseDocument, CaseDocumentKind } from './case.js';

export interface EvidenceItem {
  readonly key: 'agreement' | 'confirmation' | 'delivery' | 'records';
  readonly label: string;
  /** The document kinds that satisfy this item; the first is offered for an upload. */
  readonly kinds: readonly CaseDocumentKind[];
}

export const evidenceItems: readonly EvidenceItem[] = [
  { key: 'agreement', label: 'Signed estimate or statement of work', kinds: ['signed_estimate', 'sow'] },
  {
    key: 'confirmation',
    label: 'Where the scope or rate was confirmed (an email, a message)',
    kinds: ['scope_confirmation', 'rate_confirmation'],
  },
  {
    key: 'delivery',
    label: 'Proof of delivery or completion (delivery receipt, completion photos)',
    kinds: ['delivery_receipt', 'photo'],
  },
  { key: 'records', label: 'Project records (time sheets, tickets, change log)', kinds: ['project_record'] },
];

export interface EvidenceCheck extends EvidenceItem {
  /** Attached to this letter. */
  readonly attached: readonly string[];
  /** On the case but not on this letter (uploaded after it was drafted). */
  readonly onCase: readonly string[];
  readonly state: 'attached' | 'on_case' | 'missing';
}

export function evidenceChecklist(
  caseDocuments: readonly CaseDocument[],
  attachedIds: readonly string[],
): EvidenceCheck[] {
  return evidenceItems.map((item) => {
    const docs = caseDocuments.filter((d) => item.kinds.includes(d.kind));
    const attached = docs.filter((d) => attachedIds.includes(d.id)).map((d) => d.name);
    const onCase = docs.filter((d) => !attachedIds.includes(d.id)).map((d) => d.name);
    return {
      ...item,
      attached,
      onCase,
      state: attached.length > 0 ? 'attached' : onCase.length > 0 ? 'on_case' : 'missing',
    };
  });
}
