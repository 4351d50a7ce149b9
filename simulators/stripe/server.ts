// startStripeSimulator: a stateful stand-in for api.stripe.com + connect.stripe.com + files.stripe.com on
// one loopback port. Point the `stripe` package at it with { host, port, protocol: 'http' }.
import { saveAfterChanges, type OnChange } from '../shared/on-change.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { createAdmin, type StripeSimulatorAdmin } from './admin.js';
import { systemClock, type Clock } from './clock.js';
import { ApiError } from './errors.js';
import { Faults } from './faults.js';
import { parseForm } from './form.js';
import { newId } from './ids.js';
import { IdempotencyStore, type Entry as IdempotencyEntry } from './idempotency.js';
import { parseMultipart } from './multipart.js';
import type { ParsedBody, Runtime } from './pipeline.js';
import { RateLimiter, type RateLimitConfig } from './rate-limit.js';
import { accountRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import { billingRoutes } from './routes/billing.js';
import { creditNoteRoutes } from './routes/credit-notes.js';
import { disputeRoutes } from './routes/disputes.js';
import { documentRoutes, hostedInvoiceRoutes } from './routes/documents.js';
import { eventRoutes } from './routes/events.js';
import { oauthRoutes, type OAuthRequestRecord } from './routes/oauth.js';
import { StripeStore, type StoreSnapshot } from './store.js';
import { WebhookDispatcher, type WebhookEndpoint, type WebhookRetryPolicy } from './webhooks.js';

export interface StripeSimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Where signed events are POSTed, as a Connect endpoint would receive them. */
  readonly webhook?: WebhookEndpoint & { readonly retry?: Partial<WebhookRetryPolicy> };
  readonly clock?: Clock;
  /** Defaults to Stripe's test-mode limit: 25 requests per second per account, Stripe-Should-Retry: true. */
  readonly rateLimit?: Partial<RateLimitConfig>;
  readonly platformName?: string;
  /** Start from this state (from snapshot()) instead of an empty platform. */
  readonly state?: StripeSnapshot;
  /** Called after every request that may have changed the state (any method but GET and HEAD). */
  readonly onChange?: OnChange;
}

/** The simulator's state as plain data: accounts and their objects, keys, Connect grants, the platform's ids. */
export interface StripeSnapshot {
  readonly store: StoreSnapshot;
  readonly idempotency?: ReadonlyMap<string, IdempotencyEntry>;
  readonly platform: { readonly clientId: string; readonly secretKey: string };
}

export interface StripeSimulator {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly admin: StripeSimulatorAdmin;
  snapshot(): StripeSnapshot;
  close(): Promise<void>;
}

const host = '127.0.0.1';

function stripeErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${req.method}: ${req.url.split('?')[0] ?? ''}).`,
      },
    }),
  );
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(err.envelope());
    const status =
      typeof (err as { statusCode?: unknown }).statusCode === 'number'
        ? Number((err as { statusCode: number }).statusCode)
        : 500;
    const message = err instanceof Error ? err.message : String(err);
    return reply.code(status).send({ error: { type: status < 500 ? 'invalid_request_error' : 'api_error', message } });
  });
}

function bodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, { kind: 'form', form: parseForm(String(body)) } satisfies ParsedBody);
    } catch (e) {
      done(new ApiError(400, { type: 'invalid_request_error', message: (e as Error).message }, false), undefined);
    }
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      const multipart = parseMultipart(body as Buffer, String(req.headers['content-type']));
      done(null, {
        kind: 'multipart',
        multipart: {
          ...multipart,
          fields: parseForm(new URLSearchParams(multipart.fields).toString()) as Record<string, string>,
        },
      } satisfies ParsedBody);
    } catch (e) {
      done(new ApiError(400, { type: 'invalid_request_error', message: (e as Error).message }, false), undefined);
    }
  });
}

export async function startStripeSimulator(opts: StripeSimulatorOptions = {}): Promise<StripeSimulator> {
  // Simulators are for tests and the local demo only (STYLE.md B4).
  if (process.env.NODE_ENV === 'production')
    throw new Error('The Stripe simulator does not run with NODE_ENV=production');
  const clock = opts.clock ?? systemClock;
  const platformName = opts.platformName ?? 'Shortfall';
  const store = new StripeStore(clock, platformName, opts.state?.store);
  const platform = opts.state
    ? { ...opts.state.platform, name: platformName }
    : { clientId: newId('ca', 32), secretKey: store.issueKey(store.platformAccountId, 'secret'), name: platformName };
  const dispatcher = new WebhookDispatcher(opts.webhook, clock, {
    attempts: opts.webhook?.retry?.attempts ?? 5,
    backoffMs: opts.webhook?.retry?.backoffMs ?? 100,
  });
  store.onEvent((e) => dispatcher.enqueue(e));
  const rt: Runtime = {
    store,
    idempotency: new IdempotencyStore(() => clock.now()),
    limiter: new RateLimiter({
      opsPerSecond: opts.rateLimit?.opsPerSecond ?? 25,
      shouldRetry: opts.rateLimit?.shouldRetry ?? true,
    }),
    faults: new Faults(),
    log: [],
  };
  if (opts.state?.idempotency) rt.idempotency.restore(opts.state.idempotency);
  const oauthLog: OAuthRequestRecord[] = [];
  const admin = createAdmin({
    store,
    dispatcher,
    limiter: rt.limiter,
    faults: rt.faults,
    log: rt.log,
    oauthLog,
    platform,
  });

  // Lenient on query strings: a malformed pair is dropped, as a body error is reported instead.
  const app = Fastify({
    logger: false,
    // Closing drops every connection, a browser's keep-alive and preconnected ones too (see the QuickBooks simulator).
    forceCloseConnections: true,
    bodyLimit: 32 * 1024 * 1024,
    routerOptions: { querystringParser: (s) => parseQuery(s) },
  });
  stripeErrorHandler(app);
  bodyParsers(app);
  saveAfterChanges(app, opts.onChange);
  for (const register of [accountRoutes, billingRoutes, creditNoteRoutes, disputeRoutes, eventRoutes])
    register(app, rt);
  oauthRoutes(app, store, platform, oauthLog);
  documentRoutes(app, store);
  hostedInvoiceRoutes(app, store);
  adminRoutes(app, admin);

  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('Stripe simulator did not get a TCP port');
  const url = `http://${host}:${address.port}`;
  store.baseUrl = url;
  return {
    url,
    host,
    port: address.port,
    admin,
    snapshot: () => ({
      store: store.snapshot(),
      platform: { clientId: platform.clientId, secretKey: platform.secretKey },
      idempotency: rt.idempotency.snapshot(),
    }),
    close: async () => {
      await dispatcher.close();
      await app.close();
    },
  };
}

function parseQuery(s: string) {
  try {
    return parseForm(s);
  } catch {
    return {};
  }
}
