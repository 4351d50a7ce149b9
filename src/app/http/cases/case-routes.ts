// The case page and its actions. Each action is one workflow Update; on success the browser is redirected
// back to the page (post/redirect/get), on a rejected Update the page is shown again with the reason.
import type { UpdateDefinition } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { caseDocumentKinds } from '../../../domain/case.js';
import {
  closeCaseUpdate,
  decideDraftUpdate,
  decideObjectionUpdate,
  extendDeadlineUpdate,
  registerObjectionUpdate,
  buildEvidencePackUpdate,
  type CaseView,
} from '../../../../workflows/dispute-case/definitions.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { noticeText, type NoticeKey } from '../notices.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { requireCsrf } from '../security/csrf.js';
import { caseModel, chargebackAlone, type CaseForm } from './case-model.js';
import * as forms from './forms.js';
import { findCase, type CaseRecord } from './queries.js';
import { liveView, runUpdate, type UpdateResult } from './workflow-calls.js';
import { arrangeCase } from '../arrangements/arrangements.js';
import { arrangerOf } from '../arrangements/routes.js';

const CaseParams = z.object({ id: z.uuid() });

/** Why an organisation the case is only shared with cannot decide on it. */
export function notOwnerMessage(record: Pick<CaseRecord, 'sharing'>): string {
  const owner = record.sharing?.ownerName ?? 'the organisation that owns it';
  return `Only ${owner} can decide on this case: letters to the client go out from ${owner}, so approvals, replies, concessions, deadlines and closing are theirs. You can follow the case and add documents.`;
}
/**
 * Why a short-payment action does not apply to a case that is, right now, a chargeback alone (`chargebackAlone`: the
 * processor holds the money and the client owes nothing besides): the cardholder's bank decides on the evidence, and
 * no letter goes to the client. The page does not offer these; a request for one anyway (an old tab, a script) gets
 * this reason and changes nothing. A decision on an objection the case holds is never refused here.
 */
export function chargebackRefusal(
  record: Pick<CaseRecord, 'standing'>,
  view: Pick<CaseView, 'account' | 'objection'> | undefined,
  action: 'objection' | 'decision' | 'write_off' | 'pack',
): UpdateResult<never> | undefined {
  if (!chargebackAlone(record, view)) return undefined;
  if (action === 'decision' && view?.objection) return undefined;
  const message = {
    objection:
      'This case is a chargeback: the cardholder disputed the card payment with their bank, so there is no client reply to register. It is answered with the evidence for the chargeback, which Stripe passes to the card network.',
    decision:
      'This case is a chargeback: there is no client objection to concede or uphold. It is answered with the evidence for the chargeback.',
    write_off:
      'Nothing is owed on this chargeback: Stripe holds the money until the card network decides, so there is nothing to write off. Close the case as resolved, or wait for the decision.',
    pack: 'The small-claims pack is for a client who still refuses to pay after a final notice; a chargeback is decided by the card network on the evidence submitted to Stripe.',
  }[action];
  return { ok: false, message };
}

const DraftParams = CaseParams.extend({ version: z.coerce.number().int().positive() });

export function caseRoutes(deps: WebDeps) {
  async function load(req: FastifyRequest<{ Params: { id: string } }>): Promise<CaseRecord> {
    const record = await findCase(deps.db, userOf(req).organisation.id, req.params.id);
    if (!record) throw new PageError(404, 'not_found', 'Case not found', 'There is no such case in your organisation.');
    return record;
  }

  /** Runs one Update for a form and answers with a redirect, or the page again with what went wrong. */
  async function act(
    req: FastifyRequest<{ Params: { id: string }; Body: forms.Form }>,
    reply: FastifyReply,
    form: CaseForm,
    notice: NoticeKey,
    run: (record: CaseRecord) => Promise<UpdateResult<unknown>> | UpdateResult<unknown>,
  ) {
    const record = await load(req);
    const organisationId = userOf(req).organisation.id;
    if (record.organisationId !== organisationId) {
      // A case shared with this organisation (it reads the same ledger account): decisions belong to the owner.
      const failure = { form, message: notOwnerMessage(record), values: forms.formValues(req.body) };
      req.log.info(
        { caseId: record.id, action: form },
        'case decision refused: the case belongs to another organisation',
      );
      return page(
        req,
        reply,
        'case',
        await caseModel(deps, record, organisationId, { failure }, userOf(req).role),
        403,
      );
    }
    const result = await run(record);
    if (result.ok) {
      req.log.info({ caseId: record.id, action: form }, 'case updated');
      return reply.redirect(`/cases/${record.id}?notice=${notice}#${form}`, 303);
    }
    const failure = { form, message: result.message, values: forms.formValues(req.body) };
    return page(req, reply, 'case', await caseModel(deps, record, organisationId, { failure }, userOf(req).role), 422);
  }

  function send<Ret, Arg>(
    record: CaseRecord,
    body: forms.Form,
    def: UpdateDefinition<Ret, [Arg]>,
    input: forms.Parsed<Arg>,
  ): Promise<UpdateResult<Ret>> | UpdateResult<Ret> {
    if (!input.ok) return input;
    const updateId = forms.updateIdOf(body);
    return runUpdate(deps, () =>
      deps.workflows
        .getHandle(record.workflowId)
        .executeUpdate(def, { args: [input.value], ...(updateId ? { updateId } : {}) }),
    );
  }
  /** The case as its workflow answers now (undefined when it cannot: the stored projection is read instead). */
  async function liveCase(record: CaseRecord): Promise<CaseView | undefined> {
    const live = await liveView(deps, record.workflowId);
    return live.ok ? live.view : undefined;
  }
  const opts = { schema: { params: CaseParams, body: forms.FormBody }, preHandler: requireCsrf };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    // `kind` preselects what an upload is (the approval page's evidence checklist links here for a missing item).
    const CaseQuery = z.object({
      notice: z.string().optional(),
      kind: z.enum(caseDocumentKinds).optional().catch(undefined),
    });
    app.get('/cases/:id', { schema: { params: CaseParams, querystring: CaseQuery } }, async (req, reply) =>
      page(
        req,
        reply,
        'case',
        await caseModel(
          deps,
          await load(req),
          userOf(req).organisation.id,
          { notice: noticeText(req.query.notice), uploadKind: req.query.kind },
          userOf(req).role,
        ),
      ),
    );

    app.post('/cases/:id/objection', opts, (req, reply) =>
      act(
        req,
        reply,
        'objection',
        'objection_registered',
        async (record) =>
          chargebackRefusal(record, await liveCase(record), 'objection') ??
          send(record, req.body, registerObjectionUpdate, forms.objectionInput(req.body, userOf(req).email)),
      ),
    );

    app.post('/cases/:id/objection/decision', opts, (req, reply) =>
      act(req, reply, 'decision', 'objection_decided', async (record) => {
        const refused = chargebackRefusal(record, await liveCase(record), 'decision');
        if (refused) return refused;
        const names = new Map(record.lines.map((l) => [l.id, l.description]));
        return send(
          record,
          req.body,
          decideObjectionUpdate,
          forms.objectionDecision(req.body, userOf(req).email, record.currency, names),
        );
      }),
    );

    app.post('/cases/:id/deadline', opts, (req, reply) =>
      act(req, reply, 'extend', 'deadline_extended', (record) =>
        send(record, req.body, extendDeadlineUpdate, forms.extendInput(req.body, userOf(req).email)),
      ),
    );

    app.post('/cases/:id/close', opts, (req, reply) =>
      act(req, reply, 'close', 'case_closed', async (record) => {
        const input = forms.closeInput(req.body, userOf(req).email);
        const refused =
          input.ok && input.value.kind === 'write_off'
            ? chargebackRefusal(record, await liveCase(record), 'write_off')
            : undefined;
        return refused ?? send(record, req.body, closeCaseUpdate, input);
      }),
    );

    app.post('/cases/:id/evidence-pack', opts, (req, reply) =>
      act(
        req,
        reply,
        'pack',
        'pack_requested',
        async (record) =>
          chargebackRefusal(record, await liveCase(record), 'pack') ??
          send(record, req.body, buildEvidencePackUpdate, { ok: true as const, value: { by: userOf(req).email } }),
      ),
    );

    // An agreed payment plan or a deposit: recorded for the invoice, then the case closes as resolved saying so.
    app.post('/cases/:id/arrangement', opts, (req, reply) =>
      act(req, reply, 'arrange', 'case_arranged', (record) =>
        arrangeCase(deps, record, forms.arrangementFields(req.body), arrangerOf(req), forms.updateIdOf(req.body)),
      ),
    );

    const draftOpts = { schema: { params: DraftParams, body: forms.FormBody }, preHandler: requireCsrf };
    app.post('/cases/:id/drafts/:version/decision', draftOpts, (req, reply) =>
      act(req, reply, 'draft', 'draft_decided', (record) =>
        send(record, req.body, decideDraftUpdate, forms.draftDecision(req.body, userOf(req).email, req.params.version)),
      ),
    );
  };
}
