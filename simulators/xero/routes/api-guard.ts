// What every Accounting API request goes through before its handler: injected faults, the bearer token,
// the xero-tenant-id header and its connection, then the rate limits. Rate headers go on every answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SimError, forbidden } from '../errors.js';
import type { Organisation } from '../organisation.js';
import type { Hold, SimState } from '../state.js';

const orgs = new WeakMap<FastifyRequest, Organisation>();
const releases = new WeakMap<FastifyRequest, () => void>();

export function orgOf(req: FastifyRequest): Organisation {
  const org = orgs.get(req);
  if (!org) throw new Error('api guard did not run for this request');
  return org;
}

function takeFault(state: SimState, path: string) {
  const fault = state.faults.find(
    (f) =>
      f.remaining > 0 && (f.pathIncludes === undefined || path.toLowerCase().includes(f.pathIncludes.toLowerCase())),
  );
  if (fault) fault.remaining -= 1;
  return fault;
}

function holdFor(state: SimState, req: FastifyRequest): Hold | undefined {
  const query = (req.query ?? {}) as Record<string, unknown>;
  return state.holds.find(
    (h) =>
      (h.pathIncludes === undefined || req.url.split('?')[0]!.toLowerCase().includes(h.pathIncludes.toLowerCase())) &&
      Object.entries(h.query ?? {}).every(([k, v]) => String(query[k]) === v),
  );
}

async function guard(state: SimState, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const fault = takeFault(state, req.url);
  if (fault) throw new SimError(fault.status, fault.body ?? '', `injected ${fault.status}`, fault.headers);
  const { clientId } = state.identity.authenticate(req.headers.authorization);
  const tenantHeader = req.headers['xero-tenant-id'];
  const tenantId = typeof tenantHeader === 'string' ? tenantHeader.toLowerCase() : undefined;
  const org = tenantId === undefined ? undefined : state.orgs.get(tenantId);
  if (!org || !state.identity.isConnected(clientId, org.tenantId)) throw forbidden('AuthenticationUnsuccessful');
  const admission = state.rateLimiter.admit(org.tenantId);
  const gate = state.gate;
  if (gate && (gate.arrived += 1) >= gate.until) gate.release();
  reply.headers(admission.headers);
  if (!admission.ok) throw new SimError(429, '', `rate limit: ${admission.problem}`, admission.headers);
  releases.set(req, admission.release);
  orgs.set(req, org);
  if (gate) await gate.open;
  const hold = holdFor(state, req);
  if (hold) {
    hold.held += 1;
    await hold.open;
  }
  if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
}

export function registerApiGuard(app: FastifyInstance, state: SimState): void {
  app.addHook('preHandler', (req, reply) => guard(state, req, reply));
  // A request stops counting as in flight once its answer is ready, before the client can send the next one;
  // onResponse is the fallback for answers that never reach onSend.
  app.addHook('onSend', async (req, _reply, payload) => {
    releases.get(req)?.();
    return payload;
  });
  app.addHook('onResponse', async (req) => releases.get(req)?.());
}
