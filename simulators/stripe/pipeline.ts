// Every /v1 request goes through the same steps, in Stripe's order: injected failure, authentication,
// permissions, rate limit, idempotency, the endpoint itself; then lost or slow responses if injected.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { assertAllowed, authenticate } from './auth.js';
import { ApiError } from './errors.js';
import type { Faults } from './faults.js';
import type { FormObject } from './form.js';
import { newId } from './ids.js';
import { fingerprint, type IdempotencySlot, type IdempotencyStore, type Outcome } from './idempotency.js';
import type { MultipartBody } from './multipart.js';
import type { RateLimiter } from './rate-limit.js';
import type { AccountData, StripeStore } from './store.js';

export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  /** Raw query string, for asserting on what a client sent. */
  readonly query: string;
  readonly accountId?: string;
  readonly idempotencyKey?: string;
  readonly status: number;
  readonly replayed: boolean;
}

export interface Runtime {
  readonly store: StripeStore;
  readonly idempotency: IdempotencyStore;
  readonly limiter: RateLimiter;
  readonly faults: Faults;
  readonly log: RequestLogEntry[];
}

export interface ApiRequest {
  readonly data: AccountData;
  readonly params: Record<string, string>;
  readonly query: FormObject;
  readonly body: FormObject;
  readonly multipart?: MultipartBody;
}

export type ApiHandler = (r: ApiRequest) => unknown;

/** What the content-type parsers put on request.body. */
export type ParsedBody = { kind: 'form'; form: FormObject } | { kind: 'multipart'; multipart: MultipartBody };

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function bodyOf(req: FastifyRequest): { form: FormObject; multipart?: MultipartBody } {
  const b = req.body as ParsedBody | undefined;
  if (b?.kind === 'multipart') return { form: b.multipart.fields, multipart: b.multipart };
  return { form: b?.kind === 'form' ? b.form : {} };
}

async function execute(rt: Runtime, req: FastifyRequest, handler: ApiHandler, resource: string, path: string) {
  let slot: IdempotencySlot | undefined;
  let accountId: string | undefined;
  const key = req.method === 'POST' ? header(req, 'idempotency-key') : undefined;
  const requestId = newId('req', 14);
  try {
    const injected = rt.faults.take('fail', req.method, path);
    if (injected)
      throw new ApiError(injected.status ?? 500, { type: 'api_error', message: 'Simulated failure.' }, false);
    const caller = authenticate(rt.store, header(req, 'authorization'), header(req, 'stripe-account'));
    accountId = caller.data.account.id;
    assertAllowed(caller, resource);
    rt.limiter.admit(accountId);
    const { form, multipart } = bodyOf(req);
    if (key) {
      const begun = rt.idempotency.begin(accountId, key, fingerprint(req.method, path, form));
      if ('replay' in begun)
        return {
          outcome: { ...begun.replay, headers: { ...begun.replay.headers, 'Idempotent-Replayed': 'true' } },
          accountId,
          replayed: true,
        };
      slot = begun.slot;
    }
    const body = await handler({
      data: caller.data,
      params: req.params as Record<string, string>,
      query: req.query as FormObject,
      body: form,
      ...(multipart && { multipart }),
    });
    const outcome: Outcome = {
      status: 200,
      body,
      headers: { 'Request-Id': requestId, ...(key && { 'Idempotency-Key': key }) },
    };
    slot?.complete(outcome);
    return { outcome, accountId, replayed: false };
  } catch (e) {
    const err =
      e instanceof ApiError
        ? e
        : new ApiError(500, {
            type: 'api_error',
            message: `Simulator error: ${e instanceof Error ? e.message : String(e)}`,
          });
    const outcome: Outcome = {
      status: err.status,
      body: err.envelope(),
      headers: { 'Request-Id': requestId, ...err.headers, ...(key && { 'Idempotency-Key': key }) },
    };
    if (slot) {
      if (err.saved) slot.complete(outcome);
      else slot.abandon();
    }
    return { outcome, accountId, replayed: false };
  }
}

async function answer(
  rt: Runtime,
  req: FastifyRequest,
  reply: FastifyReply,
  handler: ApiHandler,
  resource: string,
): Promise<void> {
  const path = req.url.split('?')[0] ?? req.url;
  const { outcome, accountId, replayed } = await execute(rt, req, handler, resource, path);
  const key = header(req, 'idempotency-key');
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  rt.log.push({
    method: req.method,
    path,
    query,
    status: outcome.status,
    replayed,
    ...(accountId && { accountId }),
    ...(key && { idempotencyKey: key }),
  });
  if (rt.faults.take('drop', req.method, path)) {
    // The work is committed (and its idempotent result saved); the client just never hears back.
    reply.hijack();
    req.raw.socket.destroy();
    return;
  }
  const delay = rt.faults.take('delay', req.method, path);
  if (delay) await new Promise((r) => setTimeout(r, delay.delayMs ?? 1000));
  await reply.code(outcome.status).headers(outcome.headers).send(outcome.body);
}

/** Registers a Stripe API endpoint; `resource` is what a restricted key's permissions are checked against. */
export function api(
  app: FastifyInstance,
  rt: Runtime,
  method: HTTPMethods,
  url: string,
  resource: string,
  handler: ApiHandler,
): void {
  app.route({ method, url, handler: (req, reply) => answer(rt, req, reply, handler, resource) });
}
