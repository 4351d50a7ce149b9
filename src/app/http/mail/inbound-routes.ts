// Inbound email: the mail provider posts each raw message (message/rfc822) here. A client's reply is
// addressed to case+<caseId>@…; it is kept as a case document (evidence of what was said) and signalled to
// the case's workflow as `clientReply`. The provider authenticates with a secret derived from APP_SECRET.
// Only the client's known addresses answer a case (src/services/cases/inbound-senders.ts): a message from anyone else
// is kept, up to a cap per case, and shown on the case page as from an unknown sender; it changes nothing in the case.
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { auditEvents, cases } from '../../../services/db/schema.js';
import { clientReplySignal } from '../../../../workflows/dispute-case/definitions.js';
import type { WebDeps } from '../deps.js';
import { PageError } from '../page-error.js';
import {
  knownClientAddresses,
  unknownSenderMessages,
  UNKNOWN_SENDER_EVENT,
  UNKNOWN_SENDER_MAX_KEPT_BYTES,
  UNKNOWN_SENDER_MESSAGES_PER_CASE,
} from '../../../services/cases/inbound-senders.js';
import { inboundEmailSecret, sameSecret } from '../security/keys.js';
import { caseIdFrom, legacyMessageKey, messageKey, replyFacts, senderOf, uuidFromKey } from './inbound-message.js';

export const INBOUND_SECRET_HEADER = 'x-shortfall-inbound-secret';
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/** A sender's name as part of a file name: no control or bidirectional-override characters, not too long. */
const fileSafe = (s: string): string =>
  s
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[/\\]/g, '_')
    .slice(0, 120);

export function inboundRoutes(deps: WebDeps) {
  const secret = inboundEmailSecret(deps.settings.appSecret);
  const now = deps.now ?? Date.now;
  return async (app: FastifyInstance) => {
    app.addContentTypeParser(
      'message/rfc822',
      { parseAs: 'buffer', bodyLimit: MAX_MESSAGE_BYTES },
      (_req, body, done) => done(null, body),
    );

    app.post(
      '/inbound/email',
      {
        bodyLimit: MAX_MESSAGE_BYTES,
        config: { rateLimit: { max: deps.settings.limits.inbound, timeWindow: '1 minute' } },
        // Authenticated after the rate limit (onRequest) and before the body is read, so an unauthenticated
        // sender can neither dodge the limit nor make us buffer 25 MB.
        preParsing: async (req, _reply, payload) => {
          const given = req.headers[INBOUND_SECRET_HEADER];
          if (typeof given !== 'string' || !sameSecret(given, secret))
            throw new PageError(401, 'unauthenticated', 'Not allowed', 'Missing or wrong inbound email secret.');
          return payload;
        },
      },
      async (req, reply) => {
        if (!Buffer.isBuffer(req.body))
          throw new PageError(415, 'unsupported_media_type', 'Not an email', 'Send the raw message as message/rfc822.');
        const raw = req.body;
        const mail = await simpleParser(raw);
        const caseId = caseIdFrom(mail);
        const [row] = caseId ? await deps.db.select().from(cases).where(eq(cases.id, caseId)) : [];
        if (!row)
          throw new PageError(
            404,
            'unknown_case',
            'No such case',
            'The message is not addressed to a case Shortfall knows.',
          );
        const reply_ = replyFacts(mail, new Date(now()));
        const sender = senderOf(mail);
        const known = sender !== undefined && (await knownClientAddresses(deps.db, row)).has(sender);
        if (!known) {
          // Kept for the owner to see, never signalled: it withdraws no draft and is no reply of the client's.
          const key = `inbound-unknown/${row.id}/${messageKey(mail)}`;
          const [seen] = await deps.db
            .select({ id: auditEvents.id })
            .from(auditEvents)
            .where(eq(auditEvents.idempotencyKey, key));
          if (seen) return reply.code(200).send({ caseId: row.id, duplicate: true, sender: 'unknown', kept: true });
          if ((await unknownSenderMessages(deps.db, row.id)) >= UNKNOWN_SENDER_MESSAGES_PER_CASE) {
            req.log.warn(
              { caseId: row.id, from: reply_.from, cap: UNKNOWN_SENDER_MESSAGES_PER_CASE },
              'inbound email from an unknown sender not kept: the case holds as many as it keeps',
            );
            return reply.code(200).send({ caseId: row.id, duplicate: false, sender: 'unknown', kept: false });
          }
          const documentId = raw.length <= UNKNOWN_SENDER_MAX_KEPT_BYTES ? uuidFromKey(key) : null;
          if (documentId)
            await deps.documents.save({
              id: documentId,
              caseId: row.id,
              kind: 'other',
              name: `From an unknown sender ${fileSafe(reply_.from)} (${reply_.receivedAt.slice(0, 10)}).eml`,
              contentType: 'message/rfc822',
              content: raw,
            });
          const [fresh] = await deps.db
            .insert(auditEvents)
            .values({
              caseId: row.id,
              idempotencyKey: key,
              kind: UNKNOWN_SENDER_EVENT,
              actor: reply_.from,
              data: {
                from: reply_.from,
                subject: reply_.subject,
                messageId: mail.messageId ?? null,
                documentId,
                sizeBytes: raw.length,
              },
            })
            .onConflictDoNothing({ target: auditEvents.idempotencyKey })
            .returning({ id: auditEvents.id });
          req.log.info({ caseId: row.id, from: reply_.from }, 'inbound email from an unknown sender kept');
          return reply
            .code(fresh ? 202 : 200)
            .send({ caseId: row.id, duplicate: !fresh, sender: 'unknown', kept: true });
        }
        const key = `inbound/${row.id}/${messageKey(mail)}`;
        const legacy = legacyMessageKey(mail);
        if (legacy) {
          const [before] = await deps.db
            .select({ data: auditEvents.data })
            .from(auditEvents)
            .where(and(eq(auditEvents.caseId, row.id), eq(auditEvents.idempotencyKey, `inbound/${row.id}/${legacy}`)));
          if (before && (before.data as { subject?: string } | null)?.subject === reply_.subject)
            return reply.code(200).send({ caseId: row.id, duplicate: true });
        }
        // Kept first, under an id derived from the message, so a redelivery stores nothing twice.
        await deps.documents.save({
          id: uuidFromKey(key),
          caseId: row.id,
          kind: 'other',
          name: `Reply from ${fileSafe(reply_.from)} (${reply_.receivedAt.slice(0, 10)}).eml`,
          contentType: 'message/rfc822',
          content: raw,
        });
        // The audit row marks the message as delivered to the case. It is removed again if the signal fails,
        // so the provider's retry is not mistaken for a duplicate.
        const [fresh] = await deps.db
          .insert(auditEvents)
          .values({
            caseId: row.id,
            idempotencyKey: key,
            kind: 'client_reply_received',
            actor: reply_.from,
            data: { subject: reply_.subject, messageId: mail.messageId ?? null },
          })
          .onConflictDoNothing({ target: auditEvents.idempotencyKey })
          .returning({ id: auditEvents.id });
        if (!fresh) return reply.code(200).send({ caseId: row.id, duplicate: true });
        try {
          await deps.workflows.getHandle(row.workflowId).signal(clientReplySignal, reply_);
        } catch (err) {
          await deps.db.delete(auditEvents).where(eq(auditEvents.id, fresh.id));
          throw err;
        }
        req.log.info({ caseId: row.id }, 'client reply routed');
        return reply.code(202).send({ caseId: row.id, duplicate: false });
      },
    );
  };
}
