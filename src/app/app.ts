// buildApp(deps) builds the Fastify instance; it never listens (STYLE.md B2 #14).
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from '../services/logger.js';
import { healthRoutes, type ReadinessCheck } from './http/health.js';
import { webhookRoutes, type WebhookRouteDeps } from './http/webhooks/route.js';
import { htmlErrorHandler, htmlNotFoundHandler } from './http/errors.js';
import { webApp, type WebDeps } from './http/index.js';
import { installAccessControl } from './http/auth/access.js';
import { contentSecurityPolicy } from './http/security/headers.js';
import { requestSummary } from './http/security/redact-url.js';
import { defaultLimits } from './http/settings.js';

export interface AppDeps {
  readonly logger: Logger;
  readonly readiness: readonly ReadinessCheck[];
  /** Trust X-Forwarded-* headers (set TRUST_PROXY only behind a reverse proxy). */
  readonly trustProxy?: boolean;
  /** The web app (pages, approval links, inbound email). Absent in processes that only serve health checks. */
  readonly web?: WebDeps;
  /** Provider webhooks; absent in processes that do not receive them. */
  readonly webhooks?: WebhookRouteDeps;
}

export async function buildApp(deps: AppDeps) {
  // Request logs go through a serializer that redacts tokens in URLs (approval links, magic links, OAuth codes).
  const loggerInstance: FastifyBaseLogger = deps.logger.child({}, { serializers: { req: requestSummary } });
  // Approval tokens travel in the path and are longer than the router's default 100-character parameter limit.
  const app = Fastify({
    loggerInstance,
    trustProxy: deps.trustProxy ?? false,
    routerOptions: { maxParamLength: 2048 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(htmlErrorHandler);
  const secure = deps.web?.settings.publicUrl.startsWith('https:') ?? false;
  await app.register(helmet, {
    contentSecurityPolicy: contentSecurityPolicy(secure),
    frameguard: { action: 'deny' },
    hsts: secure ? { maxAge: 31_536_000 } : false,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`Too many requests. Try again in ${ctx.after}.`), {
        statusCode: 429,
        code: 'rate_limited',
      }),
  });
  installAccessControl(app);
  const limits = deps.web?.settings.limits ?? defaultLimits;
  app.setNotFoundHandler(
    { preHandler: app.rateLimit({ max: limits.notFound, timeWindow: '1 minute' }) },
    htmlNotFoundHandler,
  );
  await app.register(healthRoutes(deps.readiness));
  if (deps.webhooks) await app.register(webhookRoutes(deps.webhooks));
  if (deps.web) await app.register(webApp(deps.web));
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
