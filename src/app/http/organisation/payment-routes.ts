// Settings → How clients pay: the owner's own payment details (bank account, a payment address), shown to a client
// on the response page when the invoice has no payment page of its own at the ledger or Stripe.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { organisations } from '../../../services/db/schema.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { noticeText } from '../notices.js';
import { page } from '../render.js';
import { requireCsrf } from '../security/csrf.js';

export const MAX_PAYMENT_INSTRUCTIONS = 1_000;
const Body = z.object({ instructions: z.string().default(''), _csrf: z.string().optional() });

export function paymentSettingsRoutes(deps: WebDeps) {
  const title = 'How clients pay you';
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    app.get(
      '/settings/payment',
      { schema: { querystring: z.object({ notice: z.string().optional() }) } },
      async (req, reply) => {
        const [row] = await deps.db
          .select({ instructions: organisations.paymentInstructions })
          .from(organisations)
          .where(eq(organisations.id, userOf(req).organisation.id));
        return page(req, reply, 'payment-settings', {
          title,
          instructions: row?.instructions ?? '',
          notice: noticeText(req.query.notice),
        });
      },
    );

    app.post('/settings/payment', { schema: { body: Body }, preHandler: requireCsrf }, async (req, reply) => {
      const instructions = req.body.instructions.replace(/\r\n/g, '\n').trim();
      if (instructions.length > MAX_PAYMENT_INSTRUCTIONS)
        return page(
          req,
          reply,
          'payment-settings',
          { title, instructions, error: `Use at most ${MAX_PAYMENT_INSTRUCTIONS.toLocaleString('en-US')} characters.` },
          400,
        );
      const org = userOf(req).organisation;
      await deps.db
        .update(organisations)
        .set({ paymentInstructions: instructions })
        .where(eq(organisations.id, org.id));
      req.log.info({ organisationId: org.id }, 'payment instructions saved');
      return reply.redirect('/settings/payment?notice=payment_saved', 303);
    });
  };
}
