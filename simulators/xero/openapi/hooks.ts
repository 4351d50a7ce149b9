// Checks every request that reaches the simulator, and every answer it gives, against Xero's published
// contracts: the Accounting API (xero_accounting.yaml) under /api.xro/2.0 and /connections (xero-identity.yaml).
// Violations are collected, not thrown, so a test can assert the list is empty at the end.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiPrefix } from '../state.js';
import { OpenApiContract, type Operation } from './contract.js';
import { loadSpec } from './spec.js';

export interface Violation {
  readonly direction: 'request' | 'response' | 'webhook';
  readonly spec: string;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly errors: readonly string[];
}

export interface Contracts {
  readonly accounting: OpenApiContract;
  readonly identity: OpenApiContract;
  readonly webhooks: OpenApiContract;
}

let shared: Contracts | undefined;

/** Compiled once per process and shared by every simulator in it. */
export function contracts(): Contracts {
  shared ??= {
    accounting: new OpenApiContract(loadSpec('xero_accounting'), 'xero_accounting', apiPrefix),
    identity: new OpenApiContract(loadSpec('xero-identity'), 'xero-identity'),
    // Left open: its CreditNoteWebhookEvent extends WebhookEvent through allOf, which closed schemas would break.
    webhooks: new OpenApiContract(loadSpec('xero-webhooks'), 'xero-webhooks', '', { closed: false }),
  };
  return shared;
}

function contractFor(path: string): [string, OpenApiContract] | undefined {
  const c = contracts();
  if (path.toLowerCase().startsWith(apiPrefix.toLowerCase())) return ['xero_accounting', c.accounting];
  if (/^\/connections(\/|$)/i.test(path)) return ['xero-identity', c.identity];
  return undefined; // the OAuth endpoints have no OpenAPI description
}

function responseBody(payload: unknown, contentType: string | undefined): unknown {
  if (payload === null || payload === undefined || payload === '') return undefined;
  const text = typeof payload === 'string' ? payload : undefined;
  if (text !== undefined && (contentType ?? '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return payload;
}

export function registerContractHooks(app: FastifyInstance, record: (v: Violation) => void): void {
  const matched = new WeakMap<
    FastifyRequest,
    { spec: string; contract: OpenApiContract; op: Operation; path: string }
  >();

  app.addHook('preHandler', async (req) => {
    const path = new URL(req.url, 'http://simulator').pathname;
    const found = contractFor(path);
    if (!found) return;
    const [spec, contract] = found;
    const op = contract.match(req.method, path, req.headers.accept);
    if (!op) {
      record({
        direction: 'request',
        spec,
        operation: '(none)',
        method: req.method,
        path,
        errors: ['no operation in the spec matches this method and path'],
      });
      return;
    }
    matched.set(req, { spec, contract, op, path });
    const params = new URL(req.url, 'http://simulator').searchParams;
    const query = Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.getAll(k)]));
    const errors = contract.checkRequest(op, {
      path,
      query,
      headers: req.headers as Record<string, unknown>,
      body: req.body,
    });
    if (errors.length) record({ direction: 'request', spec, operation: op.id, method: req.method, path, errors });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const m = matched.get(req);
    if (!m) return payload;
    const contentType = reply.getHeader('content-type');
    const type = typeof contentType === 'string' ? contentType : undefined;
    const errors = m.contract.checkResponse(m.op, reply.statusCode, type, responseBody(payload, type));
    if (errors.length)
      record({
        direction: 'response',
        spec: m.spec,
        operation: m.op.id,
        method: req.method,
        path: m.path,
        status: reply.statusCode,
        errors,
      });
    return payload;
  });
}

/** Webhook payloads the simulator sends, against xero-webhooks.yaml. */
export function checkWebhookPayload(
  payload: { events: readonly { eventCategory: string }[] },
  record: (v: Violation) => void,
): void {
  const c = contracts().webhooks;
  const errors = c.checkSchema('#/components/schemas/WebhookEvent', payload);
  const creditNotes = payload.events.filter((e) => e.eventCategory === 'CREDITNOTE');
  if (creditNotes.length)
    errors.push(...c.checkSchema('#/components/schemas/CreditNoteWebhookEvent', { ...payload, events: creditNotes }));
  if (errors.length)
    record({
      direction: 'webhook',
      spec: 'xero-webhooks',
      operation: 'publishEvent',
      method: 'POST',
      path: '(subscriber)',
      errors,
    });
}
