// /v3/company/:realmId/*: bearer auth, the per-realm throttle, QBO-shaped errors, and a log of what arrived.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Company } from './company.js';
import type { SimulatorCore } from './core.js';
import { authenticationFailure, authorizationFailure, QboFault, throttledXml, validationFault } from './faults.js';
import { registerReads } from './api-reads.js';
import { registerWrites } from './api-writes.js';

export interface ApiContext {
  readonly core: SimulatorCore;
  company(req: FastifyRequest): Company;
}

const realmOf = (req: FastifyRequest) => (req.params as { realmId: string }).realmId;

function systemFault(message: string): QboFault {
  return new QboFault(
    500,
    'SystemFault',
    '10000',
    'An application error has occurred while processing your request',
    `System Failure Error: ${message}`,
  );
}

export function registerApiRoutes(server: FastifyInstance, core: SimulatorCore): void {
  const releases = new WeakMap<FastifyRequest, () => void>();
  const context: ApiContext = {
    core,
    company: (req) => {
      const company = core.companies.get(realmOf(req));
      if (!company) throw authorizationFailure(realmOf(req));
      return company;
    },
  };

  async function admit(req: FastifyRequest, reply: FastifyReply) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const access = core.oauth.access(bearer ?? '');
    if (!access.ok) return reply.code(401).send(authenticationFailure(access.reason, core.clock()));
    const realmId = realmOf(req);
    if (access.realmId !== realmId) throw authorizationFailure(realmId);
    const [path = req.url] = req.url.split('?');
    const fault = core.takeFault(realmId, req.method, path);
    if (fault?.kind === 'throttled')
      return reply
        .code(429)
        .type('application/xml')
        .send(throttledXml(core.responseTime(core.companies.get(realmId))));
    if (fault) throw validationFault(fault.code, fault.message, fault.detail, fault.element);
    const release = core.throttle.enter(realmId);
    if (!release)
      return reply
        .code(429)
        .type('application/xml')
        .send(throttledXml(core.responseTime(core.companies.get(realmId))));
    // Reads are CorePlus calls, metered per app; writes (Core) are not.
    if (req.method === 'GET' && !core.meterRead()) {
      release();
      return reply
        .code(429)
        .type('application/xml')
        .send(throttledXml(core.responseTime(core.companies.get(realmId))));
    }
    releases.set(req, release);
    if (core.latencyMs > 0) await sleep(core.latencyMs);
  }

  server.register(
    async (api) => {
      api.addHook('preHandler', admit);
      // A request stops counting as in flight once its answer is ready, as Intuit's own count does: released in
      // onResponse (after the bytes went out), a client holding the whole answer could start its next request
      // while this one still counted, and draw a 429 no client can avoid (seen when the simulator's process lags).
      api.addHook('onSend', async (req, _reply, payload) => {
        releases.get(req)?.();
        return payload;
      });
      api.addHook('onResponse', async (req, reply) => {
        releases.get(req)?.(); // an answer that never reached onSend (a dropped connection); releasing twice is a no-op
        const [path = req.url] = req.url.split('?');
        core.requests.push({
          method: req.method,
          path,
          query: { ...(req.query as Record<string, string>) },
          status: reply.statusCode,
        });
      });
      api.setErrorHandler((error: FastifyError, req, reply) => {
        const fault =
          error instanceof QboFault
            ? error
            : (error.statusCode ?? 500) < 500
              ? validationFault('2010', 'Request has invalid or unsupported property', error.message)
              : systemFault(error.message);
        return reply.code(fault.status).send(fault.body(core.responseTime(core.companies.get(realmOf(req)))));
      });
      registerReads(api, context);
      registerWrites(api, context);
    },
    { prefix: '/v3/company/:realmId' },
  );
}
