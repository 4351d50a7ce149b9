// The local mailbox: while no SMTP server is configured, every email Shortfall would send stays in the
// outbox table and is read here. Never registered in production.
import { desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { emailOutbox } from '../../../services/db/schema.js';
import type { WebDeps } from '../deps.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';

const summary = {
  id: emailOutbox.id,
  to: emailOutbox.toAddress,
  subject: emailOutbox.subject,
  status: emailOutbox.status,
  createdAt: emailOutbox.createdAt,
};

export function mailboxRoutes(deps: WebDeps) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/dev/mailbox', async (req, reply) => {
      const messages = await deps.db
        .select(summary)
        .from(emailOutbox)
        .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
        .limit(200);
      return page(req, reply, 'mailbox', { title: 'Local mailbox', messages });
    });

    app.get('/dev/mailbox/:id', { schema: { params: z.object({ id: z.uuid() }) } }, async (req, reply) => {
      const [message] = await deps.db.select().from(emailOutbox).where(eq(emailOutbox.id, req.params.id));
      if (!message)
        throw new PageError(404, 'not_found', 'Message not found', 'The local mailbox has no such message.');
      return page(req, reply, 'mailbox-message', {
        title: message.subject,
        message,
        links: linksIn(message.text, deps.settings.publicUrl),
      });
    });
  };
}

/** Links back into Shortfall (sign-in, approvals, cases), listed as clickable links under the text. */
function linksIn(text: string, publicUrl: string): string[] {
  const escaped = publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...new Set(text.match(new RegExp(`${escaped}/[^\\s<>"]+`, 'g')) ?? [])];
}
