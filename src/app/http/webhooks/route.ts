// POST /webhooks/:provider. Verify the signature over the raw bytes, store every event in the inbox, answer
// at once (providers retry slow endpoints), and only then act on the new events, outside the request.
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WebhookVerifier } from '../../../../integrations/types.js';
import type { Database } from '../../../services/db/index.js';
import { providerKeys, type ProviderKey } from '../../../../integrations/registry.js';
import type { Logger } from '../../../services/logger.js';
import { createInboxProcessor, createInboxWriter, type InboxHandler } from './inbox.js';

export interface WebhookRouteDeps {
  readonly verifiers: Partial<Record<ProviderKey, WebhookVerifier>>;
  readonly db: Database;
  readonly onEvents: InboxHandler;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly bodyLimit?: number;
  /** INSERTs into the inbox in flight at once: 1 (the default) on PGlite, a few on a Postgres pool. */
  readonly inboxConcurrency?: number;
}

const Params = z.object({ provider: z.string().min(1).max(64) });
const isProvider = (p: string): p is ProviderKey => (providerKeys as readonly string[]).includes(p);
const error = (code: string, message: string) => ({ error: { code, message } });

/** Not wrapped in fastify-plugin: the raw-body parser must stay inside this plugin's scope. */
export function webhookRoutes(deps: WebhookRouteDeps) {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ module: 'routes.webhooks' });

  return async (parent: FastifyInstance) => {
    const app = parent.withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    // Signatures cover the exact bytes sent, so nothing may parse or re-encode the body first.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.bodyLimit ?? 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );

    const writer = createInboxWriter(deps.db, { concurrency: deps.inboxConcurrency ?? 1 });
    const processor = createInboxProcessor(
      deps.db,
      deps.onEvents,
      now,
      (r) => void (r.failed > 0 && log.warn({ failed: r.failed }, 'webhook events left for the inbox retry')),
      (err: unknown) =>
        log.error({ message: err instanceof Error ? err.message : String(err) }, 'webhook processing failed'),
      writer.idle,
    );
    app.addHook('onClose', () => processor.idle());

    // Machines post here and read a JSON answer: the browser security headers of the pages (helmet builds its CSP
    // with fresh nonces for every request) would cost each delivery without protecting anyone.
    app.post('/webhooks/:provider', { schema: { params: Params }, helmet: false }, async (req, reply) => {
      const { provider } = req.params;
      const verifier = isProvider(provider) ? deps.verifiers[provider] : undefined;
      if (!isProvider(provider) || !verifier)
        return reply.code(404).send(error('unknown_provider', 'No webhooks are accepted for this provider.'));
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const result = verifier.verify({ raw, headers: req.headers, nowMs: now() });
      if (!result.ok) {
        req.log.warn({ provider, reason: result.reason }, 'webhook rejected');
        // A provider that prescribes its refusal (Xero: an empty 401) gets exactly that, not our JSON envelope.
        if (result.reply)
          return reply
            .code(result.reply.status)
            .type('text/plain')
            .send(result.reply.body ?? '');
        if (result.reason === 'malformed')
          return reply.code(400).send(error('malformed', 'The webhook payload could not be read.'));
        return reply.code(401).send(error('invalid_signature', 'The webhook signature is not valid.'));
      }
      // Events the verifier could not make sense of are stored as already processed: kept, acted on by nobody.
      const ignored = result.events.filter((e) => e.ignored);
      const [{ fresh, duplicates }] = await Promise.all([
        writer.record(result.events.filter((e) => !e.ignored)),
        writer.record(ignored, new Date(now())),
      ]);
      if (result.reply)
        await reply
          .code(result.reply.status)
          .type('text/plain')
          .send(result.reply.body ?? '');
      else
        await reply
          .code(200)
          .send({ received: fresh.length, duplicates, ...(ignored.length > 0 && { ignored: ignored.length }) });
      processor.add(fresh);
      return reply;
    });
  };
}
