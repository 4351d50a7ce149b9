import type { FastifyInstance } from 'fastify';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

async function runCheck(c: ReadinessCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([c.check(), timeout]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(checks: readonly ReadinessCheck[]) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) => {
      const results = await Promise.all(checks.map(async (c) => [c.name, await runCheck(c, 3000)] as const));
      const failed = Object.fromEntries(results.filter(([, e]) => e !== undefined));
      if (Object.keys(failed).length > 0) return reply.code(503).send({ status: 'unavailable', failed });
      return { status: 'ready', checks: results.map(([n]) => n) };
    });
  };
}
