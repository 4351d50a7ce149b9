// The dispute-case activities: thin, one side effect each, idempotent through the keys the workflow derives.
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { firstOwner } from '../src/services/cases/input.js';
import type { Database } from '../src/services/db/index.js';
import { auditEvents, cases } from '../src/services/db/schema.js';
import type { ApprovalStore } from '../src/services/approvals/store.js';
import { documentIdFor, type DocumentStore } from '../src/services/documents/storage.js';
import type { Outbox } from '../src/services/mail/outbox.js';
import { issueClientLink } from '../src/services/security/client-links.js';
import { escapeHtml } from '../src/services/letters/index.js';
import type { DisputeEvidencePort, LedgerConnector } from '../integrations/types.js';
import type { AuditEntry, CaseActivities, LetterRequest } from '../workflows/dispute-case/activities.js';
import { persistedMessages } from '../workflows/dispute-case/persisted-names.js';
import { caseDocumentKinds, type CaseDocument, type CaseDocumentKind } from '../src/domain/case.js';
import { renderEvidencePack } from './evidence-pack.js';
import { integrationCall } from './failures.js';
import { heartbeatWhile } from './heartbeat.js';
import { asksForPayment, creditNoteReference, renderDraft } from './letters.js';
import type { PaymentLinks } from '../src/services/ledger/payment-links.js';
import { approvalEmail, ownerEmail } from './owner-emails.js';

/** A payment provider's dispute capability (integrations/types.ts), for one connection. */
export type EvidenceSubmitter = DisputeEvidencePort;

export interface CaseActivityDeps {
  readonly db: Database;
  readonly outbox: Outbox;
  readonly approvals: ApprovalStore;
  readonly documents: DocumentStore;
  readonly publicUrl: string;
  /** Domain of the case reply addresses; its mail host forwards to POST /inbound/email. */
  readonly replyDomain: string;
  readonly ledger: (connectionId: string) => Promise<LedgerConnector>;
  readonly evidence: (connectionId: string) => Promise<EvidenceSubmitter>;
  /** Signs the response link every letter to the client carries (src/app/http/respond); absent: letters carry none. */
  readonly clientLinks?: { readonly secret: string; readonly ttlMs: number };
  /** The ledger's own payment page, named in letters that ask for the balance; absent: letters name none. */
  readonly paymentLinks?: Pick<PaymentLinks, 'forInvoice'>;
  readonly clock?: () => Date;
}

const APPROVAL_TTL_MS = 7 * 86_400_000;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createCaseActivities(d: CaseActivityDeps): CaseActivities {
  const now = d.clock ?? (() => new Date());
  /** The organisation's owner when the mail goes out (the case's input names the one it started with). */
  async function currentOwner(o: { readonly id: string; readonly ownerEmail: string }): Promise<string> {
    // Only a stored organisation (its id a uuid) has members to ask; otherwise the case's own record stands.
    if (!uuidPattern.test(o.id)) return o.ownerEmail;
    return (await firstOwner(d.db, o.id))?.email ?? o.ownerEmail;
  }
  /** The case's documents as the workflow knows them, plus any uploaded that it has not heard of yet. */
  async function withStoredDocuments(caseId: string, known: readonly CaseDocument[]): Promise<CaseDocument[]> {
    const stored = (await d.documents.listForCase(caseId))
      .filter((doc) => doc.kind !== 'evidence_pack' && isDocumentKind(doc.kind) && !known.some((k) => k.id === doc.id))
      .map((doc) => ({ id: doc.id, kind: doc.kind as CaseDocumentKind, name: doc.name }));
    return [...known, ...stored];
  }
  /** The ledger's own page for paying the invoice, for a letter that asks for the balance; never fails the draft. */
  async function payOnline(r: LetterRequest): Promise<string | undefined> {
    if (!d.paymentLinks || !asksForPayment(r.kind) || r.balance.minor <= 0) return undefined;
    const [row] = await d.db
      .select({ connectionId: cases.connectionId, invoiceId: cases.invoiceId })
      .from(cases)
      .where(eq(cases.id, r.caseId));
    if (!row?.connectionId || !row.invoiceId) return undefined;
    const answer = await d.paymentLinks.forInvoice({ connectionId: row.connectionId, invoiceId: row.invoiceId });
    return answer.kind === 'link' ? answer.url : undefined;
  }
  async function recordAudit(e: AuditEntry): Promise<void> {
    await d.db
      .insert(auditEvents)
      .values({ idempotencyKey: e.key, caseId: e.caseId, kind: e.kind, actor: e.actor, data: e.data, at: now() })
      .onConflictDoNothing({ target: auditEvents.idempotencyKey });
  }
  const acts: Omit<
    CaseActivities,
    'sendEmailAudited' | 'requestApprovalAudited' | 'sendEmailProjected' | 'requestApprovalProjected'
  > = {
    recordAudit,

    async projectCase(p) {
      const at = p.at ? new Date(p.at) : undefined;
      await d.db
        .update(cases)
        .set({
          status: p.status,
          paidMinor: p.paid.minor,
          disputedMinor: p.disputed.minor,
          nextDeadline: p.nextDeadline ? new Date(p.nextDeadline) : null,
          ...(p.standing ? { standing: p.standing } : {}),
          ...(at ? { projectedAt: at } : {}),
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(cases.id, p.caseId),
            // A row computed before the one the list holds is stale (its attempt outlived the retry that wrote later).
            ...(at ? [or(isNull(cases.projectedAt), lte(cases.projectedAt, at))] : []),
          ),
        );
    },

    async draftLetter(r) {
      const documents = await withStoredDocuments(r.caseId, r.documents);
      return renderDraft({ ...r, documents }, { payOnline: await payOnline(r) });
    },

    async requestApproval({ audit, ...r }) {
      const ttlMs = r.respondBy
        ? Math.max(APPROVAL_TTL_MS, Date.parse(r.respondBy) - now().getTime() + 2 * 86_400_000)
        : APPROVAL_TTL_MS;
      // The owner now, not the one the case started with: a teammate removed or demoted since gets nothing.
      const to = await currentOwner(r.organisation);
      const token = await d.approvals.issue(
        { caseId: r.caseId, workflowId: r.workflowId, version: r.version, to },
        { nowMs: now().getTime(), ttlMs },
      );
      const approvals = `${d.publicUrl}/approvals/`;
      const link = `${approvals}${encodeURIComponent(token)}`;
      await d.outbox.send({
        key: r.key,
        caseId: r.caseId,
        to,
        ...approvalEmail(r, link),
        attachments: [],
        secretLinks: [approvals],
      });
      // Once the request went out (a retry finds it sent and writes the entry it missed).
      if (audit) await recordAudit(audit);
    },

    async sendEmail({ replyToCase, audit, ...m }) {
      // A letter to the client carries its own response link: the client names the lines and the reason, or
      // accepts the balance, without an account. The link is a bearer token, cut from the stored copy once sent.
      const respond = replyToCase && d.clientLinks ? `${d.publicUrl}/respond/` : undefined;
      const withLink =
        respond && d.clientLinks
          ? responseLinkFooter(
              m,
              `${respond}${issueClientLink(d.clientLinks.secret, { caseId: m.caseId, letter: m.key }, { nowMs: now().getTime(), ttlMs: d.clientLinks.ttlMs })}`,
            )
          : m;
      const row = await d.outbox.send({
        ...withLink,
        ...(replyToCase ? { replyTo: `case+${m.caseId}@${d.replyDomain}` } : {}),
        ...(respond ? { secretLinks: [respond] } : {}),
      });
      const messageId = row.messageId ?? row.id;
      if (audit) await recordAudit({ ...audit, data: { ...audit.data, messageId } });
      return { messageId };
    },

    async notifyOwner(n) {
      await d.outbox.send({
        key: n.key,
        caseId: n.caseId,
        to: await currentOwner(n.organisation),
        ...ownerEmail(n, `${d.publicUrl}/cases/${n.caseId}`),
        attachments: [],
      });
    },

    // Each connection is resolved inside integrationCall: a broken one (needs_reconnect, disconnected, a refused
    // refresh token) fails at once as integration.auth or connection.disconnected, before anything is written.
    // Writes heartbeat from the start, since a token refresh may wait on another worker's lock.
    postCreditNote: (c) =>
      heartbeatWhile(
        integrationCall(async () => {
          const ledger = await d.ledger(c.connectionId);
          const note = await ledger.postCreditNote({
            invoiceId: c.invoiceId,
            currency: c.currency,
            idempotencyKey: c.key,
            memo: `${c.memo} (${creditNoteReference(c.caseId)})`,
            lines: c.lines.map((l) => ({ invoiceLineId: l.lineId, description: l.description, amount: l.amount })),
            ...(c.customerId ? { customerId: c.customerId } : {}),
          });
          return { ref: note.ref.id, total: note.total, ...(note.number ? { number: note.number } : {}) };
        }),
      ),

    async attachInvoicePdf(r) {
      const pdf = await integrationCall(async () => (await d.ledger(r.connectionId)).getInvoicePdf(r.invoiceId));
      const doc = await d.documents.save({
        id: documentIdFor(r.key),
        caseId: r.caseId,
        kind: 'invoice',
        name: `Invoice ${r.invoiceNumber}.pdf`,
        contentType: 'application/pdf',
        content: Buffer.from(pdf),
      });
      return { documentId: doc.id, name: doc.name };
    },

    [persistedMessages.stageEvidenceActivity]: (r) =>
      heartbeatWhile(
        integrationCall(async () => {
          const port = await d.evidence(r.connectionId);
          const files = await Promise.all(r.documentIds.map((id) => d.documents.load(id)));
          await port.stage({ disputeId: r.disputeId, fields: r.fields, files, key: r.key });
        }),
      ),

    [persistedMessages.submitEvidenceActivity]: (r) =>
      heartbeatWhile(
        integrationCall(async () => {
          const port = await d.evidence(r.connectionId);
          await port.submit({ disputeId: r.disputeId, key: r.key });
        }),
      ),

    async buildEvidencePack(r) {
      const pdf = await renderEvidencePack(
        { ...r, documents: await withStoredDocuments(r.caseId, r.documents) },
        now(),
      );
      const name = `Evidence pack - invoice ${r.invoice?.number ?? r.caseId}.pdf`;
      // The id derives from the key so a retried activity finds the pack it already stored.
      const id = documentIdFor(r.key);
      const doc = await d.documents.save({
        id,
        caseId: r.caseId,
        kind: 'evidence_pack',
        name,
        contentType: 'application/pdf',
        content: pdf,
      });
      return { documentId: doc.id, name: doc.name };
    },
  };
  // The same work under names a worker of an earlier release does not have: it refuses the task (retried until an
  // upgraded worker takes it) instead of running it and dropping the audit entry it knows nothing of.
  return {
    ...acts,
    sendEmailAudited: (m) => acts.sendEmail(m),
    requestApprovalAudited: (r) => acts.requestApproval(r),
    // The case list's row once the letter or the request went out, as project() wrote it after them before.
    async sendEmailProjected({ projection, ...m }) {
      const sent = await acts.sendEmail(m);
      await acts.projectCase(projection);
      return sent;
    },
    async requestApprovalProjected({ projection, ...r }) {
      await acts.requestApproval(r);
      await acts.projectCase(projection);
    },
  };
}

const isDocumentKind = (k: string): k is CaseDocumentKind => (caseDocumentKinds as readonly string[]).includes(k);

/** The response link under the letter, in the text and the HTML alike. */
function responseLinkFooter<M extends { text: string; html: string }>(m: M, link: string): M {
  const words =
    'To tell us exactly which item you dispute and why, or to settle the balance, use your private response page';
  return {
    ...m,
    text: `${m.text}\n\n${words}:\n${link}\n`,
    html: `${m.html}\n<p>${escapeHtml(words)}: <a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
  };
}
