// buildApp(deps) builds the Fastify instance; it never listens (STYLE.md B2 #14).
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from './logger.js';
import { errorHandler, notFoundHandler } from './plugins/error-handler.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { webhookRoutes, type WebhookRouteDeps } from './routes/webhooks/route.js';

export interface AppDeps {
  readonly logger: Logger;
  readonly readiness: readonly ReadinessCheck[];
  /** Provider webhooks; absent in processes that do not receive them. */
  readonly webhooks?: WebhookRouteDeps;
}

export async function buildApp(deps: AppDeps) {
  const app = Fastify({ loggerInstance: deps.logger, trustProxy: true }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(healthRoutes(deps.readiness));
  if (deps.webhooks) await app.register(webhookRoutes(deps.webhooks));
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
