// Shared pieces of the Accounting API handlers: reading list parameters, and Idempotency-Key replay.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SimValidationError } from '../errors.js';
import type { StoredAnswer } from '../idempotency.js';
import type { ListQuery } from '../query.js';
import { envelope } from '../render.js';
import type { SimState } from '../state.js';
import { orgOf } from './api-guard.js';

type Query = Record<string, string | string[] | undefined>;
const last = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new SimValidationError(`${name} must be an integer`);
  return Number(v);
}

export function listQueryOf(req: FastifyRequest): ListQuery {
  const q = req.query as Query;
  const since = req.headers['if-modified-since'];
  const modifiedSince = typeof since === 'string' ? Date.parse(since) : undefined;
  if (Number.isNaN(modifiedSince))
    throw new SimValidationError(`If-Modified-Since '${String(since)}' is not a valid date`);
  const where = last(q.where);
  const order = last(q.order);
  const statuses = last(q.Statuses ?? q.statuses);
  const page = int(last(q.page), 'page');
  const pageSize = int(last(q.pageSize), 'pageSize');
  return {
    ...(where !== undefined && { where }),
    ...(order !== undefined && { order }),
    ...(statuses !== undefined && {
      statuses: statuses
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    }),
    ...(modifiedSince !== undefined && { modifiedSince }),
    ...(page !== undefined && { page }),
    ...(pageSize !== undefined && { pageSize }),
  };
}

/** Wraps a collection in Xero's response envelope. */
export const wrap = (state: SimState, body: Record<string, unknown>) =>
  envelope(state.providerName, state.clock(), body);

/** Runs a write once per Idempotency-Key: a repeat gets the stored answer back. */
export async function idempotent(
  state: SimState,
  req: FastifyRequest,
  reply: FastifyReply,
  run: () => StoredAnswer,
): Promise<unknown> {
  const header = req.headers['idempotency-key'];
  const key = typeof header === 'string' ? header : undefined;
  const tenantId = orgOf(req).tenantId;
  const request = { method: req.method, path: req.url.split('?')[0] ?? req.url, body: req.body };
  const answer = (key !== undefined && state.idempotency.lookup(tenantId, key, request)) || run();
  if (key !== undefined) state.idempotency.remember(tenantId, key, request, answer);
  return reply.code(answer.status).send(answer.body);
}

export function flag(req: FastifyRequest, name: string, fallback: boolean): boolean {
  const v = last((req.query as Query)[name]);
  return v === undefined ? fallback : v === 'true';
}
