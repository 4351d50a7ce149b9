// The case page's model: the workflow's live view (drafts, deadlines, timeline) beside what the database
// holds (the projection, the audit trail, documents, the invoice lines).
import { randomUUID } from 'node:crypto';
import { caseDocumentKinds } from '../../domain/case.js';
import type { InvoiceLine } from '../../domain/model.js';
import type { Money } from '../../domain/money.js';
import type { DocumentStore, StoredDocument } from '../../documents/storage.js';
import type { WebDeps } from '../deps.js';
import type { CaseView, Deadline, DraftView, TimelineEntry } from '../../../workflows/dispute-case/definitions.js';
import { auditTrail, closedStatuses, type CaseRecord } from './queries.js';
import { liveView } from './workflow-calls.js';

export type CaseForm = 'objection' | 'decision' | 'extend' | 'close' | 'draft' | 'upload';

export interface CaseFailure {
  readonly form: CaseForm;
  readonly message: string;
  readonly values: Readonly<Record<string, string | string[]>>;
}

export interface CaseModel {
  readonly title: string;
  readonly c: CaseRecord & { readonly paid: Money; readonly disputed: Money; readonly conceded?: Money | undefined; readonly status: string };
  readonly liveError?: string | undefined;
  readonly draft?: DraftView | undefined;
  readonly deadlines: readonly Deadline[];
  readonly timeline: readonly TimelineEntry[];
  readonly audit: readonly { at: Date; kind: string; actor: string }[];
  readonly documents: readonly StoredDocument[];
  readonly lines: readonly InvoiceLine[];
  readonly can: { readonly object: boolean; readonly decide: boolean; readonly extend: readonly string[]; readonly close: boolean; readonly decideDraft: boolean };
  readonly documentKinds: readonly string[];
  /** Fresh Update ids per form: a double-submitted form is one Update. */
  readonly rid: Readonly<Record<CaseForm, string>>;
  readonly notice?: string | undefined;
  readonly failure?: CaseFailure | undefined;
}

/**
 * A specific objection waits for the owner when it is the latest objection event. CaseView has no objection
 * field yet, so this reads the timeline entry state.ts writes ("Specific objection registered by …"); the
 * status alone is not enough, as a letter being sent can overwrite it.
 */
function objectionAwaitsDecision(v: CaseView): boolean {
  const last = [...v.timeline].reverse().find((t) => t.kind.startsWith('objection'));
  return last?.kind === 'objection' && last.summary.startsWith('Specific objection');
}

export async function caseModel(
  d: Pick<WebDeps, 'db' | 'workflows' | 'settings'> & { documents: Pick<DocumentStore, 'listForCase'> },
  record: CaseRecord,
  extra: Pick<CaseModel, 'notice' | 'failure'>,
): Promise<CaseModel> {
  const [live, audit, documents] = await Promise.all([liveView(d, record.workflowId), auditTrail(d.db, record.id), d.documents.listForCase(record.id)]);
  const view = live.ok ? live.view : undefined;
  const status = view?.status ?? record.status;
  const closed = closedStatuses.includes(status);
  const draft = view?.drafts[view.drafts.length - 1];
  const deadlines = view?.deadlines ?? (record.nextDeadline ? [{ name: 'next', at: record.nextDeadline.toISOString() }] : []);
  const money = (minor: number): Money => ({ minor, currency: record.currency });
  const decide = Boolean(view && !closed && objectionAwaitsDecision(view));
  return {
    title: `${record.customerName ?? 'Case'}${record.invoiceNumber ? `, invoice ${record.invoiceNumber}` : ''}`,
    c: { ...record, status, paid: view?.paid ?? money(record.paidMinor), disputed: view?.disputed ?? money(record.disputedMinor), conceded: view?.conceded },
    liveError: live.ok ? undefined : live.message,
    draft, deadlines,
    timeline: [...(view?.timeline ?? [])].reverse(),
    audit, documents, lines: record.lines,
    can: {
      // While an objection waits for a decision the workflow refuses another, so only the decision is offered.
      object: Boolean(view) && !closed && !decide && record.lines.length > 0,
      decide,
      extend: view && !closed ? view.deadlines.map((x) => x.name).filter((n) => n === 'response' || n === 'payment' || n === 'final_notice') : [],
      close: Boolean(view) && !closed,
      decideDraft: !closed && draft?.state === 'pending',
    },
    documentKinds: caseDocumentKinds,
    rid: { objection: randomUUID(), decision: randomUUID(), extend: randomUUID(), close: randomUUID(), draft: randomUUID(), upload: randomUUID() },
    ...extra,
  };
}
