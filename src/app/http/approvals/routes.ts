// The owner's emailed approval link. GET shows the draft; POST decides it as the workflow Update
// `decideDraft` with the link's jti as the Update id, so a repeated or concurrent submit is one decision.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decideDraftUpdate } from '../../../../workflows/dispute-case/definitions.js';
import { draftDecision, FormBody, formValues, type Form } from '../cases/forms.js';
import { ownerEmail } from '../cases/queries.js';
import { runUpdate } from '../cases/workflow-calls.js';
import type { WebDeps } from '../deps.js';
import { sendDocument } from '../cases/document-routes.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { assertCsrf, csrfToken } from '../security/csrf.js';
import { openApproval, verifiedClaims, type OpenApproval } from './check.js';
import { caseDocumentKinds, type CaseDocumentKind } from '../../../domain/case.js';
import { evidenceChecklist } from '../../../domain/evidence.js';
import { persistedValues } from '../../../../workflows/dispute-case/persisted-names.js';

/** Chargeback evidence is submitted to the card processor (and through it to the card network), not sent to the client. */
const isEvidence = (kind: string) => kind === persistedValues.evidenceDraftKind;

const Params = z.object({ token: z.string().min(1).max(2048) });

export function approvalRoutes(deps: WebDeps) {
  const now = deps.now ?? Date.now;
  const limit = { rateLimit: { max: deps.settings.limits.approvals, timeWindow: '1 minute' } };

  async function show(
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    a: OpenApproval,
    failure?: { message: string; values: Form },
  ) {
    const { record, draft, view } = a;
    // Chargeback evidence has two dates, named as the case page names them: Shortfall's date for the owner's
    // approval, and the processor's own deadline (the evidence must reach it by then).
    const dates = isEvidence(draft.kind)
      ? {
          approveBy: view.deadlines.find((d) => d.name === persistedValues.evidenceTimer)?.at ?? draft.dueBy,
          processorDueBy: view.chargeback?.dueBy,
        }
      : undefined;
    // The seed's evidence, item by item: what this letter attaches, what the case holds, what is missing.
    const documents = (await deps.documents.listForCase(record.id)).filter(
      (d): d is typeof d & { kind: CaseDocumentKind } => (caseDocumentKinds as readonly string[]).includes(d.kind),
    );
    const checklist =
      draft.kind === 'receipt'
        ? []
        : evidenceChecklist(
            documents.map((d) => ({ id: d.id, kind: d.kind, name: d.name })),
            draft.content.attachments.map((x) => x.documentId),
          );
    // Said to the owner, not to the card network: what the cardholder's reason asks for that the case does not have.
    const proofMissing =
      isEvidence(draft.kind) &&
      view.chargeback?.reason === 'product_not_received' &&
      checklist.some((c) => c.key === 'delivery' && c.state === 'missing');
    return page(
      req,
      reply,
      'approval',
      {
        title: isEvidence(draft.kind)
          ? `Approve the evidence for the chargeback${record.invoiceNumber ? ` on invoice ${record.invoiceNumber}` : ''}`
          : `Approve: ${draft.content.subject}`,
        token,
        approvalCsrf: csrfToken(req, a.claims.jti),
        draft,
        checklist,
        evidence: isEvidence(draft.kind),
        dates,
        ...(proofMissing && {
          reasonHint:
            'The cardholder says they did not receive what they paid for, and nothing on the case proves delivery yet. Upload a delivery receipt, completion photos or a signed acceptance before you approve: Shortfall then drafts the evidence again with it.',
        }),
        disputeId: view.chargeback?.disputeId,
        customerName: record.customerName ?? '',
        invoiceNumber: record.invoiceNumber ?? undefined,
        caseId: record.id,
        failure: failure && { message: failure.message, values: formValues(failure.values) },
      },
      failure ? 422 : 200,
    );
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/approvals/:token', { schema: { params: Params }, config: limit }, async (req, reply) => {
      const claims = verifiedClaims(deps, req.params.token, now());
      return show(req, reply, req.params.token, await openApproval(deps, claims, now()));
    });

    // The letter's attachments, opened from the approval page: the link's own token grants them, for as long as it
    // can approve the draft, and only the documents this draft attaches.
    app.get(
      '/approvals/:token/attachments/:documentId',
      { schema: { params: Params.extend({ documentId: z.uuid() }) }, config: limit },
      async (req, reply) => {
        const claims = verifiedClaims(deps, req.params.token, now());
        const { draft, record } = await openApproval(deps, claims, now());
        const doc = draft.content.attachments.some((a) => a.documentId === req.params.documentId)
          ? (await deps.documents.listForCase(record.id)).find((d) => d.id === req.params.documentId)
          : undefined;
        if (!doc) throw new PageError(404, 'not_found', 'Attachment not found', 'This letter has no such attachment.');
        const file = await deps.documents.load(doc.id);
        return sendDocument(reply, doc, file.content);
      },
    );

    app.post('/approvals/:token', { schema: { params: Params, body: FormBody }, config: limit }, async (req, reply) => {
      const claims = verifiedClaims(deps, req.params.token, now());
      assertCsrf(req, claims.jti);
      const open = await openApproval(deps, claims, now());
      const member = req.session?.user;
      if (member && member.organisation.id === open.record.organisationId && member.role !== 'owner') {
        req.log.info({ caseId: claims.caseId, role: member.role }, 'draft decision refused: not the owner');
        throw new PageError(
          403,
          'forbidden',
          'Only the owner decides on letters',
          `You are signed in as a ${member.role}. Letters go out in the owner's name, so only the owner approves or rejects them. Nothing was sent.`,
        );
      }
      const by =
        req.session?.user?.organisation.id === open.record.organisationId
          ? req.session.user.email
          : (claims.to ?? (await ownerEmail(deps.db, open.record.organisationId)) ?? 'owner');
      const decision = draftDecision(req.body, by, claims.version);
      if (!decision.ok)
        return show(req, reply, req.params.token, open, { message: decision.message, values: req.body });
      const handle = deps.workflows.getHandle(claims.workflowId);
      const result = await runUpdate(deps, () =>
        handle.executeUpdate(decideDraftUpdate, { args: [decision.value], updateId: claims.jti }),
      );
      // A rejected Update leaves the link unused when the draft still waits (an empty edit, say): fix and resubmit.
      if (!result.ok)
        return show(req, reply, req.params.token, await openApproval(deps, claims, now()), {
          message: result.message,
          values: req.body,
        });
      await deps.approvals.consume(claims.jti, new Date(now()));
      req.log.info(
        { caseId: claims.caseId, version: claims.version, outcome: result.value.outcome },
        'draft decided by approval link',
      );
      const approved = result.value.outcome === 'approved';
      const evidence = isEvidence(open.draft.kind);
      return page(req, reply, 'message', {
        title: approved ? 'Approved' : 'Rejected',
        heading: approved ? `Approved: version ${claims.version}` : `Rejected: version ${claims.version}`,
        message: approved
          ? evidence
            ? 'Shortfall is submitting the evidence to Stripe now, which passes it to the card network; nothing goes to the client. The case page shows when it was submitted.'
            : 'Shortfall is sending the letter to the client now. The case page shows when it went out.'
          : 'Nothing was sent. Shortfall will draft a new version and email you a fresh approval link.',
        links: [{ href: `/cases/${claims.caseId}`, text: 'Open the case' }],
      });
    });
  };
}
