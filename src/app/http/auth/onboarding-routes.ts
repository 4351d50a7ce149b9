// Onboarding: a signed-in address without an organisation describes the business once.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WebDeps } from '../deps.js';
import { page } from '../render.js';
import { requireCsrf } from '../security/csrf.js';
import type { SessionStore } from '../security/sessions.js';
import { createOrganisation } from './accounts.js';
import { fieldErrors, OrganisationForm, timeZones, type OrganisationValues } from './organisation-form.js';

const Body = z.object({
  name: z.string().default(''),
  timeZone: z.string().default('UTC'),
  signature: z.string().default(''),
  holidays: z.string().default(''),
  _csrf: z.string().optional(),
});

export function onboardingRoutes(deps: WebDeps, sessions: SessionStore) {
  const form = (values: OrganisationValues, errors: Record<string, string> = {}) => ({
    title: 'Set up your organisation',
    values,
    errors,
    timeZones,
  });
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', async (req, reply) => {
      if (!req.session) return reply.redirect('/sign-in', 303);
      if (req.session.user) return reply.redirect('/', 303);
    });

    app.get('/onboarding', async (req, reply) =>
      page(req, reply, 'onboarding', form({ name: '', timeZone: 'UTC', signature: '', holidays: '' })),
    );

    app.post('/onboarding', { schema: { body: Body }, preHandler: requireCsrf }, async (req, reply) => {
      const { _csrf, ...values } = req.body;
      const parsed = OrganisationForm.safeParse(values);
      if (!parsed.success) return page(req, reply, 'onboarding', form(values, fieldErrors(parsed.error)), 400);
      const session = req.session!;
      const userId = await createOrganisation(deps.db, session.email, parsed.data);
      await sessions.attachUser(session.id, userId);
      req.log.info({ userId }, 'organisation created');
      return reply.redirect('/connections?notice=welcome', 303);
    });
  };
}
