// buildApp(deps) builds the Fastify instance; it never listens (STYLE.md B2 #14).
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from './logger.js';
import { errorHandler, notFoundHandler } from './plugins/error-handler.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';

export interface AppDeps {
  readonly logger: Logger;
  readonly readiness: readonly ReadinessCheck[];
}

export async function buildApp(deps: AppDeps) {
  const app = Fastify({ loggerInstance: deps.logger, trustProxy: true }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(healthRoutes(deps.readiness));
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
