// The client's response page, linked from every letter (README, "The client's response page"): no account, a
// signed link that expires, one answer per letter. The client names the disputed lines and why, what they expected
// and received, and what they accept; or accepts the balance. An objection reaches the case as the workflow Update
// `registerObjection` (its id derived from the letter, so a repeated submit is one objection), and the owner is told.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import multipart, { type MultipartFile, type MultipartValue } from '@fastify/multipart';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  documentAddedSignal,
  registerObjectionUpdate,
  type CaseView,
} from '../../../../workflows/dispute-case/definitions.js';
import { cleanName, contentTypes } from '../cases/document-routes.js';
import { formatMoney, money } from '../../../domain/money.js';
import {
  createClientResponses,
  disputeReasons,
  type ClientAnswer,
  type ClientResponseRow,
  type DisputeReason,
} from '../../../services/cases/client-responses.js';
import { organisations } from '../../../services/db/schema.js';
import {
  documentIdFor,
  formatBytes,
  StorageQuotaExceeded,
  type StoredDocument,
} from '../../../services/documents/storage.js';
import { escapeHtml } from '../../../services/letters/index.js';
import { checkClientLink, type ClientLinkClaims } from '../../../services/security/client-links.js';
import { FormBody, formValues, type Form } from '../cases/forms.js';
import { closedStatuses, findCase, ownerEmail, type CaseRecord } from '../cases/queries.js';
import { liveView, runUpdate } from '../cases/workflow-calls.js';
import type { WebDeps } from '../deps.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { assertCsrf, csrfToken } from '../security/csrf.js';
import { clientAnswer } from './form.js';

const Params = z.object({ token: z.string().min(1).max(2048) });

const invalid = () =>
  new PageError(
    400,
    'response_link_invalid',
    'This link is not valid',
    'The link is incomplete or was changed. Open it again from the email, or reply to the email instead.',
  );
const expired = () =>
  new PageError(
    410,
    'response_link_expired',
    'This link has expired',
    'Reply to the most recent email from the business instead: your reply reaches them the same way.',
  );

interface Opened {
  readonly claims: ClientLinkClaims;
  readonly record: CaseRecord;
  readonly view: CaseView;
  readonly business: string;
  /** The owner's own payment details (Settings → How clients pay you); empty when none were given. */
  readonly paymentInstructions: string;
}

export function respondRoutes(deps: WebDeps) {
  const now = deps.now ?? Date.now;
  const answers = createClientResponses(deps.db);
  const limit = {
    rateLimit: { max: deps.settings.limits.respond ?? deps.settings.limits.approvals, timeWindow: '1 minute' },
  };

  function claimsOf(token: string): ClientLinkClaims {
    const check = checkClientLink(deps.settings.appSecret, token, now());
    if (check.ok) return check.claims;
    throw check.reason === 'expired' ? expired() : invalid();
  }

  async function open(claims: ClientLinkClaims): Promise<Opened> {
    const record = await findCase(deps.db, null, claims.caseId);
    if (!record) throw invalid();
    const live = await liveView(deps, record.workflowId);
    if (!live.ok)
      throw new PageError(
        503,
        'temporal_unavailable',
        'Temporarily unavailable',
        'This page could not load the invoice just now. Nothing was changed; try again in a minute.',
      );
    const [org] = await deps.db
      .select({ name: organisations.name, paymentInstructions: organisations.paymentInstructions })
      .from(organisations)
      .where(eq(organisations.id, record.organisationId));
    return {
      claims,
      record,
      view: live.view,
      business: org?.name ?? 'The business',
      paymentInstructions: org?.paymentInstructions ?? '',
    };
  }

  /**
   * How the client pays what is still owed: the ledger's or Stripe's own page for this invoice where the provider
   * offers one; otherwise (none, or the provider failed or was slow) the payment details the owner gave, and the
   * business to contact. Never throws.
   */
  async function howToPay(
    req: FastifyRequest,
    o: Opened,
  ): Promise<{ url?: string; contact: string; instructions?: string }> {
    const contact = { contact: o.business, ...(o.paymentInstructions && { instructions: o.paymentInstructions }) };
    const { connectionId, invoiceId } = o.record;
    if (!deps.paymentLinks || !connectionId || !invoiceId) return contact;
    try {
      const answer = await deps.paymentLinks.forInvoice({ connectionId, invoiceId });
      return answer.kind === 'link' ? { ...contact, url: answer.url } : contact;
    } catch (err) {
      req.log.warn({ err, caseId: o.record.id }, 'could not look up the payment link');
      return contact;
    }
  }

  async function show(
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    o: Opened,
    extra: { failure?: { message: string; values: Form; status?: number }; answered?: ClientResponseRow } = {},
  ) {
    const closed = closedStatuses.includes(o.view.status);
    const owes = !closed && o.view.account.stillOwed.minor > 0 && extra.answered?.kind !== 'objection';
    const pay = owes ? await howToPay(req, o) : undefined;
    return page(
      req,
      reply,
      'respond',
      {
        title: `Invoice ${o.record.invoiceNumber ?? ''} from ${o.business}`,
        token,
        respondCsrf: csrfToken(req, token.slice(-43)),
        business: o.business,
        invoiceNumber: o.record.invoiceNumber ?? undefined,
        customerName: o.record.customerName ?? undefined,
        lines: o.view.lines,
        account: o.view.account,
        closed,
        pay,
        reasons: Object.entries(disputeReasons).map(([value, label]) => ({ value, label })),
        answered: extra.answered && answerView(extra.answered, o),
        failure: extra.failure && { message: extra.failure.message, values: formValues(extra.failure.values) },
      },
      extra.failure ? (extra.failure.status ?? 422) : 200,
    );
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/respond/:token', { schema: { params: Params }, config: limit }, async (req, reply) => {
      const o = await open(claimsOf(req.params.token));
      const answered = await answers.find(o.claims.caseId, o.claims.letter);
      return show(req, reply, req.params.token, o, answered ? { answered } : {});
    });

    // The dispute form posts multipart/form-data (it may carry files); the accept form a plain urlencoded body.
    await app.register(multipart, {
      attachFieldsToBody: true,
      limits: { fileSize: MAX_CLIENT_FILE_BYTES, files: MAX_CLIENT_FILES, fields: 400 },
    });

    app.post(
      '/respond/:token',
      {
        schema: { params: Params },
        bodyLimit: MAX_CLIENT_FILES * MAX_CLIENT_FILE_BYTES + 64 * 1024,
        config: limit,
        // A forged or expired link is refused before any uploaded bytes are read.
        onRequest: async (req) => void claimsOf((req.params as { token?: string }).token ?? ''),
      },
      async (req, reply) => {
        const claims = claimsOf(req.params.token);
        assertCsrf(req, req.params.token.slice(-43));
        const { form, files } = await readForm(req);
        const o = await open(claims);
        const earlier = await answers.find(claims.caseId, claims.letter);
        if (earlier) return answered(req, reply, req.params.token, o, claims, earlier);
        if (closedStatuses.includes(o.view.status)) return show(req, reply, req.params.token, o);
        const parsed = clientAnswer(
          form,
          o.view.lines.map((l) => l.id),
          o.view.account.total,
        );
        if (!parsed.ok)
          return show(req, reply, req.params.token, o, { failure: { message: parsed.message, values: form } });
        const answer = parsed.value;
        // The letter's one answer is claimed first: of two submissions at once (two tabs, a double click), only
        // the one that claims it reaches the case, so what is stored, what the case holds and what the owner is
        // told agree. If the case cannot take it, the claim is given back and the client can try again.
        const claim = await answers.record(claims.caseId, claims.letter, o.view.account.currency, answer);
        if (!claim.fresh) return answered(req, reply, req.params.token, o, claims, claim.row);
        if (answer.kind === 'objection') {
          // The files are stored before the case hears of the answer, all or none and within the business's
          // storage quota; if they do not fit, or the case refuses the answer, nothing of it stays.
          const kept = await keepFiles(deps, o, claims, files).catch(async (err: unknown) => {
            await answers.release(claim.row.id);
            throw err;
          });
          if (!kept.ok) {
            await answers.release(claim.row.id);
            return show(req, reply, req.params.token, o, {
              failure: { message: kept.message, values: form, status: 413 },
            });
          }
          const giveBack = async () => {
            await answers.release(claim.row.id);
            await deps.documents.remove(kept.docs.map((d) => d.id));
          };
          const refused = await registerObjection(deps, o, claims, answer, files).catch(async (err: unknown) => {
            await giveBack();
            throw err;
          });
          if (refused) {
            await giveBack();
            return show(req, reply, req.params.token, o, { failure: { message: refused, values: form } });
          }
          tellCaseOfFiles(deps, o, kept.docs, req);
        }
        await tellOwner(
          deps,
          o,
          claims,
          answer,
          files.map((f) => f.name),
        );
        req.log.info(
          { caseId: claims.caseId, letter: claims.letter, kind: answer.kind },
          'client answered through the response page',
        );
        return show(req, reply, req.params.token, o, { answered: claim.row });
      },
    );

    /** The letter was answered already: show that answer, and make sure the owner heard of it (idempotent). */
    async function answered(
      req: FastifyRequest,
      reply: FastifyReply,
      token: string,
      o: Opened,
      claims: ClientLinkClaims,
      row: ClientResponseRow,
    ) {
      await tellOwner(deps, o, claims, answerOf(row), []);
      return show(req, reply, token, o, { answered: row });
    }
  };
}

/** Registers the objection on the case (its Update id from the letter: a retry is the same objection); a message when the case refuses it. */
async function registerObjection(
  deps: WebDeps,
  o: Opened,
  claims: ClientLinkClaims,
  answer: Extract<ClientAnswer, { kind: 'objection' }>,
  files: readonly ClientFile[],
): Promise<string | undefined> {
  const handle = deps.workflows.getHandle(o.record.workflowId);
  const input = {
    kind: 'specific' as const,
    by: `${o.record.customerName ?? 'the client'} (response page)`,
    summary: objectionSummary(
      answer,
      o,
      files.map((f) => f.name),
    ),
    lineIds: answer.lineIds,
  };
  const result = await runUpdate(deps, () =>
    handle.executeUpdate(registerObjectionUpdate, {
      args: [input],
      updateId: `client-response:${claims.caseId}:${claims.letter}`,
    }),
  );
  return result.ok
    ? undefined
    : `The business could not take this answer here (${result.message}). Reply to their email instead.`;
}

/** The stored answer as the form gave it. */
function answerOf(row: ClientResponseRow): ClientAnswer {
  if (row.kind === 'accepts') return { kind: 'accepts', ...(row.message && { message: row.message }) };
  return {
    kind: 'objection',
    lineIds: row.lineIds as string[],
    reason: (row.reason ?? 'other') as DisputeReason,
    ...(row.expected && { expected: row.expected }),
    ...(row.received && { received: row.received }),
    ...(row.acceptsMinor !== null && { acceptsMinor: row.acceptsMinor }),
    ...(row.message && { message: row.message }),
  };
}

/** A client's answer carries at most three files of 10 MB each: photos, a quote, an email they kept. */
const MAX_CLIENT_FILES = 3;
const MAX_CLIENT_FILE_BYTES = 10 * 1024 * 1024;

interface ClientFile {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** The form's fields as plain strings, and its non-empty files, whether it came urlencoded or multipart. */
async function readForm(req: FastifyRequest): Promise<{ form: Form; files: ClientFile[] }> {
  if (!req.isMultipart()) {
    const parsed = FormBody.safeParse(req.body ?? {});
    if (!parsed.success)
      throw new PageError(400, 'invalid_form', 'The answer was not understood', 'Send the form from the page again.');
    return { form: parsed.data, files: [] };
  }
  const form: Record<string, string | string[]> = {};
  const files: ClientFile[] = [];
  for (const [key, raw] of Object.entries((req.body ?? {}) as Record<string, MultipartPart | MultipartPart[]>)) {
    for (const part of Array.isArray(raw) ? raw : [raw]) {
      if ('toBuffer' in part) {
        if (!part.filename) continue;
        const content = await part.toBuffer();
        if (content.length > 0)
          files.push({
            name: cleanName(part.filename),
            contentType: contentTypes.test(part.mimetype) ? part.mimetype : 'application/octet-stream',
            content,
          });
      } else if ('value' in part) {
        const prev = form[key];
        const value = String(part.value);
        form[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
      }
    }
  }
  return { form, files };
}

type MultipartPart = MultipartFile | MultipartValue;

/**
 * Files the client sent become case documents, on the case page and in the evidence pack, named as from the client:
 * all of them, or none when they would take the business over its storage quota.
 */
async function keepFiles(
  deps: WebDeps,
  o: Opened,
  claims: ClientLinkClaims,
  files: readonly ClientFile[],
): Promise<{ ok: true; docs: StoredDocument[] } | { ok: false; message: string }> {
  try {
    const docs = await deps.documents.upload(
      o.record.organisationId,
      files.map((f, i) => ({
        id: documentIdFor(`client-response:${claims.caseId}:${claims.letter}:file:${i}`),
        caseId: o.record.id,
        kind: 'other',
        name: `From ${o.record.customerName ?? 'the client'}: ${f.name}`.slice(0, 200),
        contentType: f.contentType,
        content: f.content,
      })),
    );
    return { ok: true, docs };
  } catch (err) {
    if (!(err instanceof StorageQuotaExceeded)) throw err;
    const left = Math.max(0, err.quotaBytes - err.usedBytes);
    return {
      ok: false,
      message:
        `Your files (${formatBytes(err.uploadBytes)}) are more than ${o.business} has room for: ` +
        `${formatBytes(left)} of storage is left. Nothing was sent. Send your answer with smaller files or ` +
        `without them, and email the files to ${o.business} instead.`,
    };
  }
}

/** The running case attaches the client's files to its next letters and the evidence pack (it also reads them back). */
function tellCaseOfFiles(deps: WebDeps, o: Opened, docs: readonly StoredDocument[], req: FastifyRequest): void {
  for (const doc of docs) {
    void deps.workflows
      .getHandle(o.record.workflowId)
      .signal(documentAddedSignal, { id: doc.id, kind: 'other', name: doc.name })
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError))
          req.log.warn({ err, caseId: o.record.id }, "could not tell the case about the client's file");
      });
  }
}

function linesNamed(ids: readonly string[], o: Opened): string {
  const all = o.view.lines;
  if (ids.length === all.length && all.length > 1) return 'the whole invoice';
  return ids.map((id) => all.find((l) => l.id === id)?.description ?? id).join(', ');
}

function objectionSummary(
  a: Extract<ClientAnswer, { kind: 'objection' }>,
  o: Opened,
  files: readonly string[] = [],
): string {
  const parts = [
    `${disputeReasons[a.reason]} (${linesNamed(a.lineIds, o)})`,
    a.expected && `Expected: ${a.expected}`,
    a.received && `Received: ${a.received}`,
    a.acceptsMinor !== undefined &&
      `Accepts paying ${formatMoney(money(a.acceptsMinor, o.view.account.currency), 'en-US')}`,
    a.message,
    files.length > 0 && `Sent with: ${files.join(', ')}`,
  ];
  return parts.filter(Boolean).join('. ').slice(0, 4_000);
}

function answerView(row: ClientResponseRow, o: Opened) {
  return {
    kind: row.kind as ClientAnswer['kind'],
    at: row.createdAt.toISOString(),
    lines: linesNamed(row.lineIds as string[], o),
    reason: row.reason ? disputeReasons[row.reason as keyof typeof disputeReasons] : undefined,
    stillOwed: o.view.account.stillOwed,
  };
}

async function tellOwner(
  deps: WebDeps,
  o: Opened,
  claims: ClientLinkClaims,
  a: ClientAnswer,
  files: readonly string[],
): Promise<void> {
  const to = await ownerEmail(deps.db, o.record.organisationId);
  if (!to) return;
  const who = o.record.customerName ?? 'The client';
  const invoice = o.record.invoiceNumber ? `invoice ${o.record.invoiceNumber}` : 'the invoice';
  const subject =
    a.kind === 'accepts'
      ? `${who} accepts the balance of ${invoice}`
      : `${who} disputes ${linesNamed(a.lineIds, o)} on ${invoice}`;
  const body =
    a.kind === 'accepts'
      ? `${who} answered through the response page: they accept the balance of ${formatMoney(o.view.account.stillOwed, 'en-US')}.${a.message ? ` They wrote: ${a.message}` : ''}`
      : `${who} answered through the response page. ${objectionSummary(a, o, files)}. The objection is on the case; decide it there (concede lines or uphold the invoice).`;
  const link = `${deps.settings.publicUrl}/cases/${o.record.id}`;
  await deps.outbox.send({
    key: `client-response:${claims.caseId}:${claims.letter}:owner`,
    caseId: o.record.id,
    to,
    subject,
    text: `${body}\n\nOpen the case: ${link}\n`,
    html: `<p>${escapeHtml(body)}</p><p><a href="${escapeHtml(link)}">Open the case</a></p>`,
    attachments: [],
  });
}
