// The connections page and the OAuth round trip. The connection vault and OAuth state store sit behind
// ConnectionsPort; this file only turns clicks into port calls and results into pages.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { providerKeys } from '../../domain/model.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { noticeText } from '../notices.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { requireCsrf } from '../security/csrf.js';
import { connectionsModel } from './view-model.js';

const Provider = z.object({ provider: z.enum(providerKeys) });
const StripeKey = z.object({ key: z.string().default(''), _csrf: z.string().optional() });
const restrictedKey = /^(rk|sk)_(live|test)_[A-Za-z0-9]{10,}$/;

export function connectionRoutes(deps: WebDeps) {
  const { connections, settings } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    app.get('/connections', { schema: { querystring: z.object({ notice: z.string().optional() }) } }, async (req, reply) => {
      const user = userOf(req);
      const list = await connections.list(user.organisation.id);
      return page(req, reply, 'connections', connectionsModel(settings, list, { notice: noticeText(req.query.notice) }));
    });

    app.get('/oauth/:provider/start', { schema: { params: Provider } }, async (req, reply) => {
      const { provider } = req.params;
      if (settings.providers[provider] === 'unavailable') {
        throw new PageError(404, 'provider_unavailable', 'This provider is not set up', 'Shortfall has no app credentials for this provider. Ask whoever runs Shortfall to configure it.');
      }
      return reply.redirect(await connections.startUrl(userOf(req).id, provider), 303);
    });

    app.get('/oauth/:provider/callback', { schema: { params: Provider, querystring: z.record(z.string(), z.string()) } }, async (req, reply) => {
      const user = userOf(req);
      const result = await connections.completeCallback(user.id, req.params.provider, req.query);
      if (result.ok) return reply.redirect('/connections?notice=connected', 303);
      req.log.warn({ provider: req.params.provider }, 'oauth callback refused');
      const list = await connections.list(user.organisation.id);
      return page(req, reply, 'connections', connectionsModel(settings, list, { error: result.message }), 400);
    });

    app.post('/connections/stripe-key', { schema: { body: StripeKey }, preHandler: requireCsrf }, async (req, reply) => {
      const user = userOf(req);
      const key = req.body.key.trim();
      const fail = async (message: string) => page(req, reply, 'connections', connectionsModel(settings, await connections.list(user.organisation.id), { stripeKeyError: message }), 400);
      if (!restrictedKey.test(key)) return fail('Paste a Stripe restricted key: it starts with rk_live_ or rk_test_.');
      const result = await connections.saveStripeKey(user.organisation.id, key);
      if (!result.ok) return fail(result.message);
      return reply.redirect('/connections?notice=stripe_key_saved', 303);
    });

    app.post('/connections/:id/disconnect', { schema: { params: z.object({ id: z.uuid() }) }, preHandler: requireCsrf }, async (req, reply) => {
      const found = await connections.disconnect(userOf(req).organisation.id, req.params.id);
      if (!found) throw new PageError(404, 'not_found', 'Connection not found', 'There is no such connection in your organisation.');
      return reply.redirect('/connections?notice=disconnected', 303);
    });
  };
}
