// The case page's model: the workflow's live view (drafts, deadlines, timeline, the open objection, the invoice
// lines) beside what the database holds (the projection, the audit trail, documents).
import { ownerFigures, type OwnerFigures } from '../../../domain/account.js';
import type { CaseView } from '../../../../workflows/dispute-case/definitions.js';
import { randomUUID } from 'node:crypto';
import { caseDocumentKinds } from '../../../domain/case.js';
import type { Money } from '../../../domain/money.js';
import { ownWords, triageReply, type ReplyTriage } from '../../../domain/reply-triage.js';
import { formatBytes, type DocumentStore, type StoredDocument } from '../../../services/documents/storage.js';
import { mayUse, type Role } from '../auth/access.js';
import type { WebDeps } from '../deps.js';
import type {
  CaseLine,
  Deadline,
  DraftView,
  ObjectionView,
  TimelineEntry,
} from '../../../../workflows/dispute-case/definitions.js';
import {
  unknownSenderList,
  UNKNOWN_SENDER_MESSAGES_PER_CASE,
  type UnknownSenderMessage,
} from '../../../services/cases/inbound-senders.js';
import { auditTrail, closedStatuses, type CaseRecord, type CaseSharing } from './queries.js';
import { liveView } from './workflow-calls.js';
import { persistedValues } from '../../../../workflows/dispute-case/persisted-names.js';
import { arrangementStatus, caseInvoice } from '../arrangements/arrangements.js';
import { formRows, planFormRows } from '../arrangements/routes.js';

export type CaseForm = 'objection' | 'decision' | 'extend' | 'close' | 'draft' | 'upload' | 'pack' | 'arrange';

export interface CaseFailure {
  readonly form: CaseForm;
  readonly message: string;
  readonly values: Readonly<Record<string, string | string[]>>;
}

export interface CaseModel {
  readonly title: string;
  readonly c: CaseRecord & {
    readonly paid: Money;
    readonly disputed: Money;
    readonly conceded?: Money | undefined;
    readonly status: string;
  };
  readonly liveError?: string | undefined;
  readonly draft?: DraftView | undefined;
  readonly deadlines: readonly Deadline[];
  readonly timeline: readonly TimelineEntry[];
  readonly audit: readonly { at: Date; kind: string; actor: string }[];
  readonly documents: readonly StoredDocument[];
  /** Mail to the case's address from someone not known as the client: kept, shown, and acted on by nobody. */
  readonly unknownSenders: readonly UnknownSenderMessage[];
  readonly unknownSendersCap: number;
  /** The owning organisation's document storage: in use and allowed (STORAGE_QUOTA_MB); absent for the others. */
  readonly storage?: { readonly used: string; readonly quota: string } | undefined;
  /** The lines the workflow validates objections and concessions against. */
  readonly lines: readonly CaseLine[];
  /**
   * Set when another organisation sees the case too (it reads the same provider account). Only the owning
   * organisation decides: for the others every `can` is false, and the server refuses their decisions.
   */
  readonly sharing?: CaseSharing | undefined;
  readonly can: {
    readonly object: boolean;
    readonly decide: boolean;
    readonly extend: readonly string[];
    readonly close: boolean;
    /** Close by writing off what the client still owes (not offered when nothing is owed, nor on a chargeback). */
    readonly writeOff: boolean;
    readonly decideDraft: boolean;
    readonly pack: boolean;
    /** Record an agreed payment plan or deposit for the invoice, which closes the case (README, "Arrangements"). */
    readonly arrange: boolean;
    /** Add a document (any organisation that sees the case; the owning one pays for its storage). */
    readonly upload: boolean;
  };
  /** The status in words when an arrangement closed the case: "Agreed plan" or "Deposit". */
  readonly arrangedStatus?: string | undefined;
  /** The arrangement form: what is still owed on the invoice (the instalments must add up to it) and its rows. */
  readonly arrange?:
    { readonly owed: Money; readonly rows: readonly { readonly dueOn: string; readonly amount: string }[] } | undefined;
  /** The case's one account of the money, when the workflow answered; every figure on the page comes from it. */
  readonly account?: CaseView['account'] | undefined;
  /** The account's figures as the owner reads them (a chargeback's charge counts as paid and held by the processor). */
  readonly figures?: OwnerFigures | undefined;
  readonly pausedSince?: string | undefined;
  readonly chargeback?: CaseView['chargeback'] | undefined;
  readonly evidencePack?: CaseView['evidencePack'] | undefined;
  readonly documentKinds: readonly string[];
  /** Fresh Update ids per form: a double-submitted form is one Update. */
  readonly rid: Readonly<Record<CaseForm, string>>;
  readonly notice?: string | undefined;
  readonly failure?: CaseFailure | undefined;
  /** The document kind the upload form starts on. */
  readonly uploadKind?: string | undefined;
  /**
   * How the client's latest reply reads (src/domain/reply-triage.ts), shown with its reasons beside the objection
   * form, which it pre-fills for the owner to confirm or correct. Nothing is registered until the owner submits.
   */
  readonly suggestion?: ReplySuggestion | undefined;
}

export interface ReplySuggestion {
  readonly from: string;
  readonly at: string;
  readonly subject: string;
  /** The client's own words (quoted thread, signature and greeting left out), for the form's summary. */
  readonly words: string;
  readonly triage: ReplyTriage;
}

const SUMMARY_LIMIT = 600;

/**
 * Triage reads the ledger's lines (quantity and unit price included), limited to the lines the workflow knows, so
 * that every line it suggests is one the objection form offers.
 */
function replySuggestion(
  reply: CaseView['latestReply'],
  record: CaseRecord,
  known: readonly CaseLine[],
): ReplySuggestion | undefined {
  if (!reply || !reply.text.trim()) return undefined;
  const ids = new Set(known.map((l) => l.id));
  const lines = record.lines.filter((l) => ids.has(l.id) && l.amount.currency === record.currency);
  const triage = triageReply({ text: reply.text, lines, currency: record.currency });
  const words = ownWords(reply.text).body.replace(/\s+/g, ' ').trim();
  return {
    from: reply.from,
    at: reply.at,
    subject: reply.subject,
    words: words.length > SUMMARY_LIMIT ? `${words.slice(0, SUMMARY_LIMIT - 1)}…` : words,
    triage,
  };
}

/** What the owner typed into the arrangement form, to show it again after a refusal. */
function arrangeFields(failure: CaseFailure | undefined) {
  if (failure?.form !== 'arrange') return undefined;
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return {
    kind: list(failure.values.kind)[0] ?? '',
    dueOn: list(failure.values.dueOn),
    amount: list(failure.values.amount),
  };
}

const evidenceKind: string = persistedValues.evidenceDraftKind;

/**
 * The timeline in the owner's words. The workflow recorded its entries with the draft's kind as stored and its
 * subject (which named the card charge before it named the invoice), and "sent" for evidence submitted to the
 * processor: those entries are told again from the draft they speak of.
 */
export function timelineForOwner(
  timeline: readonly TimelineEntry[],
  drafts: readonly Pick<DraftView, 'version' | 'kind'>[],
  processorName = 'Stripe',
): TimelineEntry[] {
  const evidence = new Set(drafts.filter((d) => d.kind === evidenceKind).map((d) => d.version));
  return timeline.map((t) => {
    const drafted = t.kind === 'draft' ? /^Draft v(\d+) \([^)]*\) ready for approval$/.exec(t.summary) : null;
    if (drafted && evidence.has(Number(drafted[1])))
      return { ...t, summary: `Draft v${drafted[1]} of the evidence for the chargeback ready for approval` };
    const sent = t.kind === 'sent' ? /\(v(\d+)\) sent$/.exec(t.summary) : null;
    if (sent && evidence.has(Number(sent[1])))
      return { ...t, summary: `Evidence for the chargeback (v${sent[1]}) submitted to ${processorName}` };
    return t;
  });
}

/**
 * Whether the case is, right now, a chargeback and nothing else: the processor holds the money while the card
 * network decides, and the client owes nothing besides. Its short-payment tools (a client reply, a concession, a
 * write-off, the small-claims pack) do not apply then. Read from the live case (what the workflow answers), else from
 * its last projection; never from the kind it opened with: a chargeback case on an invoice with a balance, or one
 * whose chargeback was won and which carries on as a short payment, is answered with letters like any other.
 */
export function chargebackAlone(
  record: Pick<CaseRecord, 'standing'>,
  view: Pick<CaseView, 'account'> | undefined,
): boolean {
  const f = view
    ? ownerFigures(view.account)
    : record.standing
      ? { held: record.standing.held, stillOwed: record.standing.outstanding }
      : undefined;
  return Boolean(f?.held && f.held.minor > 0 && f.stillOwed.minor === 0);
}

/** Only a specific objection is decided by the owner; a vague one is answered by asking the client to be specific. */
const awaitsDecision = (o: ObjectionView | undefined): boolean => o?.kind === 'specific' && !o.decision;

async function storageOf(store: Pick<DocumentStore, 'usage'>, organisationId: string) {
  const u = await store.usage(organisationId);
  return u.quotaBytes === undefined ? undefined : { used: formatBytes(u.usedBytes), quota: formatBytes(u.quotaBytes) };
}

export async function caseModel(
  d: Pick<WebDeps, 'db' | 'workflows' | 'settings'> & { documents: Pick<DocumentStore, 'listForCase' | 'usage'> },
  record: CaseRecord,
  viewerOrganisationId: string,
  extra: Pick<CaseModel, 'notice' | 'failure' | 'uploadKind'>,
  /** The member's role: forms their role may not submit are not offered. */
  role: Role = 'owner',
): Promise<CaseModel> {
  // A shared case is followed, not run, by the organisations that do not own it.
  const owns = record.organisationId === viewerOrganisationId;
  const may = (action: string) => mayUse(role, 'POST', `/cases/:id${action}`);
  const [live, audit, documents, storage, unknownSenders] = await Promise.all([
    liveView(d, record.workflowId),
    auditTrail(d.db, record.id),
    d.documents.listForCase(record.id),
    owns ? storageOf(d.documents, record.organisationId) : undefined,
    unknownSenderList(d.db, record.id),
  ]);
  const view = live.ok ? live.view : undefined;
  const status = view?.status ?? record.status;
  const closed = closedStatuses.includes(status);
  const draft = view?.drafts[view.drafts.length - 1];
  const deadlines =
    view?.deadlines ?? (record.nextDeadline ? [{ name: 'next', at: record.nextDeadline.toISOString() }] : []);
  const money = (minor: number): Money => ({ minor, currency: record.currency });
  const decide = owns && !closed && awaitsDecision(view?.objection);
  const lines = view?.lines ?? [];
  const invoice = owns && view && !closed ? await caseInvoice(d.db, record) : undefined;
  const arrangeable = invoice && invoice.balanceMinor > 0 ? invoice : undefined;
  // A chargeback alone has no client letters: the cardholder's bank decides on the evidence. Its short-payment tools
  // (a client reply, a write-off, the small-claims pack) do not apply, and the server refuses them. An objection the
  // case holds is always the owner's to decide.
  const chargebackOnly = chargebackAlone(record, view);
  const canObject = owns && Boolean(view) && !closed && !view?.objection && lines.length > 0 && !chargebackOnly;
  const figures = view?.account && ownerFigures(view.account);
  return {
    title: `${record.customerName ?? 'Case'}${record.invoiceNumber ? `, invoice ${record.invoiceNumber}` : ''}`,
    c: {
      ...record,
      status,
      paid: view?.paid ?? money(record.paidMinor),
      disputed: view?.disputed ?? money(record.disputedMinor),
      conceded: view?.conceded,
    },
    liveError: live.ok ? undefined : live.message,
    draft,
    deadlines,
    timeline: timelineForOwner(view?.timeline ?? [], view?.drafts ?? []).reverse(),
    audit,
    documents,
    unknownSenders,
    unknownSendersCap: UNKNOWN_SENDER_MESSAGES_PER_CASE,
    storage,
    lines,
    sharing: record.sharing,
    can: {
      // Until the letter answering an objection goes out the workflow refuses another, so none is offered.
      object: canObject && may('/objection'),
      decide: decide && may('/objection/decision'),
      extend:
        owns && view && !closed && may('/deadline')
          ? view.deadlines.map((x) => x.name).filter((n) => n === 'response' || n === 'payment' || n === 'final_notice')
          : [],
      close: owns && Boolean(view) && !closed && may('/close'),
      // Writing off $0.00 says nothing: only what the client still owes can be written off.
      writeOff: !chargebackOnly && (!figures || figures.stillOwed.minor > 0),
      decideDraft: owns && !closed && draft?.state === 'pending' && may('/drafts/:version/decision'),
      pack: owns && Boolean(view) && !closed && Boolean(view?.lines.length) && !chargebackOnly && may('/evidence-pack'),
      arrange: Boolean(arrangeable) && may('/arrangement'),
      upload: may('/documents'),
    },
    arrangedStatus: arrangementStatus(status, record.arrangement),
    ...(arrangeable && {
      arrange: {
        owed: { minor: arrangeable.balanceMinor, currency: arrangeable.currency },
        rows: formRows(arrangeFields(extra.failure), arrangeable, planFormRows),
      },
    }),
    account: view?.account,
    figures,
    pausedSince: view?.pausedSince,
    chargeback: view?.chargeback,
    evidencePack: chargebackOnly ? undefined : view?.evidencePack,
    documentKinds: caseDocumentKinds,
    rid: {
      objection: randomUUID(),
      decision: randomUUID(),
      extend: randomUUID(),
      close: randomUUID(),
      draft: randomUUID(),
      upload: randomUUID(),
      pack: randomUUID(),
      arrange: randomUUID(),
    },
    ...(canObject && { suggestion: replySuggestion(view?.latestReply, record, lines) }),
    ...extra,
  };
}
