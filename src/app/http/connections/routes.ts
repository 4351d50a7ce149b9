// The connections page and the OAuth round trip. The connection vault and OAuth state store sit behind
// ConnectionsPort; this file only turns clicks into port calls and results into pages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { providerKeys } from '../../../../integrations/registry.js';
import { requireUser, userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { noticeText } from '../notices.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { requireCsrf } from '../security/csrf.js';
import { connectionsModel, providerNames, syncProgressView } from './view-model.js';
import { requestSync } from './sync-now.js';

const Provider = z.object({ provider: z.enum(providerKeys) });
const StripeKey = z.object({ key: z.string().default(''), _csrf: z.string().optional() });
const ChoiceParams = z.object({ id: z.uuid() });
const ChoiceBody = z.object({
  accountId: z.union([z.string(), z.array(z.string())]).optional(),
  _csrf: z.string().optional(),
});
const restrictedKey = /^(rk|sk)_(live|test)_[A-Za-z0-9]{10,}$/;

export function connectionRoutes(deps: WebDeps) {
  const { connections, settings } = deps;
  const canReset = deps.resetSandbox !== undefined;
  const model = (list: Parameters<typeof connectionsModel>[1], extra: Parameters<typeof connectionsModel>[2]) =>
    connectionsModel(settings, list, extra, canReset);
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', requireUser);

    app.get(
      '/connections',
      { schema: { querystring: z.object({ notice: z.string().optional() }) } },
      async (req, reply) => {
        const user = userOf(req);
        const list = await connections.list(user.organisation.id);
        return page(req, reply, 'connections', model(list, { notice: noticeText(req.query.notice) }));
      },
    );

    // The sync of each connection, as a page that refreshes itself while one runs (no script needed), or as the
    // fragment the connections page's script swaps in.
    app.get(
      '/connections/progress',
      { schema: { querystring: z.object({ fragment: z.literal('1').optional() }) } },
      async (req, reply) => {
        const list = await connections.list(userOf(req).organisation.id);
        const rows = list
          .filter((c) => c.status !== 'disconnected')
          .map((c) => syncProgressView(c, providerNames[c.provider] ?? c.provider));
        const refreshing = rows.some((r) => r.running);
        if (refreshing && !req.query.fragment) reply.header('refresh', '3');
        return page(req, reply, 'sync-progress', {
          title: 'Sync progress',
          rows,
          refreshing,
          fragment: req.query.fragment !== undefined,
        });
      },
    );

    app.post(
      '/connections/:id/sync',
      { schema: { params: z.object({ id: z.uuid() }) }, preHandler: requireCsrf },
      async (req, reply) => {
        const list = await connections.list(userOf(req).organisation.id);
        const connection = list.find((c) => c.id === req.params.id);
        if (!connection)
          throw new PageError(
            404,
            'not_found',
            'Connection not found',
            'There is no such connection in your organisation.',
          );
        const outcome = await requestSync(deps, connection);
        req.log.info({ connectionId: connection.id, outcome }, 'sync requested by a member');
        if (outcome.kind === 'message')
          return page(req, reply, 'connections', model(list, { error: outcome.message }), 409);
        return reply.redirect(`/connections?notice=${outcome.notice}#sync-${connection.id}`, 303);
      },
    );

    app.get('/oauth/:provider/start', { schema: { params: Provider } }, async (req, reply) => {
      const { provider } = req.params;
      if (settings.providers[provider] === 'unavailable') {
        throw new PageError(
          404,
          'provider_unavailable',
          'This provider is not set up',
          'Shortfall has no app credentials for this provider. Ask whoever runs Shortfall to configure it.',
        );
      }
      return reply.redirect(await connections.startUrl(userOf(req).id, provider), 303);
    });

    app.get(
      '/oauth/:provider/callback',
      { schema: { params: Provider, querystring: z.record(z.string(), z.string()) } },
      async (req, reply) => {
        const user = userOf(req);
        const result = await connections.completeCallback(user.id, req.params.provider, req.query);
        if (result.ok && result.value.kind === 'choose')
          return reply.redirect(`/connections/choose/${result.value.choiceId}`, 303);
        if (result.ok) return reply.redirect('/connections?notice=connected', 303);
        req.log.warn({ provider: req.params.provider }, 'oauth callback refused');
        const list = await connections.list(user.organisation.id);
        return page(req, reply, 'connections', model(list, { error: result.message }), 400);
      },
    );

    // The organisations one grant reaches: the owner ticks which to connect. A used, expired or foreign choice
    // is gone (410) and the connections page says so.
    const choiceGone = async (req: FastifyRequest, reply: FastifyReply, message: string) =>
      page(
        req,
        reply,
        'connections',
        model(await connections.list(userOf(req).organisation.id), { error: message }),
        410,
      );

    app.get('/connections/choose/:id', { schema: { params: ChoiceParams } }, async (req, reply) => {
      const choice = await connections.choice(userOf(req).id, req.params.id);
      if (!choice.ok) return choiceGone(req, reply, choice.message);
      const selected = choice.value.accounts.filter((a) => a.status !== 'active').map((a) => a.accountId);
      return page(req, reply, 'choose-accounts', { title: 'Choose what to connect', choice: choice.value, selected });
    });

    app.post(
      '/connections/choose/:id',
      { schema: { params: ChoiceParams, body: ChoiceBody }, preHandler: requireCsrf },
      async (req, reply) => {
        const user = userOf(req);
        const ids = [req.body.accountId ?? []].flat();
        const result = await connections.choose(user.id, req.params.id, ids);
        if (result.ok) return reply.redirect('/connections?notice=connected', 303);
        const choice = await connections.choice(user.id, req.params.id);
        if (!choice.ok) return choiceGone(req, reply, result.message);
        return page(
          req,
          reply,
          'choose-accounts',
          { title: 'Choose what to connect', choice: choice.value, selected: ids, error: result.message },
          400,
        );
      },
    );

    app.post(
      '/connections/choose/:id/cancel',
      { schema: { params: ChoiceParams }, preHandler: requireCsrf },
      async (req, reply) => {
        await connections.cancelChoice(userOf(req).id, req.params.id);
        return reply.redirect('/connections?notice=connect_cancelled', 303);
      },
    );

    app.post(
      '/connections/stripe-key',
      { schema: { body: StripeKey }, preHandler: requireCsrf },
      async (req, reply) => {
        const user = userOf(req);
        const key = req.body.key.trim();
        const fail = async (message: string) =>
          page(
            req,
            reply,
            'connections',
            model(await connections.list(user.organisation.id), { stripeKeyError: message }),
            400,
          );
        if (!restrictedKey.test(key))
          return fail('Paste a Stripe restricted key: it starts with rk_live_ or rk_test_.');
        const result = await connections.saveApiKey(user.organisation.id, key);
        if (!result.ok) return fail(result.message);
        return reply.redirect('/connections?notice=stripe_key_saved', 303);
      },
    );

    // The embedded demo only: every sandbox connection is disconnected and the simulators start over.
    if (deps.resetSandbox) {
      const reset = deps.resetSandbox;
      app.post('/connections/sandbox/reset', { preHandler: requireCsrf }, async (req, reply) => {
        const disconnected = await reset();
        req.log.info({ disconnected }, 'sandbox reset by an owner');
        return reply.redirect('/connections?notice=sandbox_reset', 303);
      });
    }

    app.post(
      '/connections/:id/disconnect',
      { schema: { params: z.object({ id: z.uuid() }) }, preHandler: requireCsrf },
      async (req, reply) => {
        const found = await connections.disconnect(userOf(req).organisation.id, req.params.id);
        if (!found)
          throw new PageError(
            404,
            'not_found',
            'Connection not found',
            'There is no such connection in your organisation.',
          );
        return reply.redirect('/connections?notice=disconnected', 303);
      },
    );
  };
}
