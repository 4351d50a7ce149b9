// A JSON admin API over the in-process one, for the embedded demo and manual poking.
import type { FastifyInstance } from 'fastify';
import type { StripeSimulatorAdmin } from '../admin.js';

export function adminRoutes(app: FastifyInstance, admin: StripeSimulatorAdmin): void {
  app.get('/_admin/platform', async () => admin.platform);
  app.get<{ Params: { account: string } }>('/_admin/accounts/:account/state', async (req) =>
    admin.state(req.params.account),
  );
  app.get('/_admin/requests', async () => admin.requests());
  app.post<{ Body: { name?: string } }>('/_admin/accounts', async (req) =>
    admin.createAccount({ name: req.body?.name ?? 'Simulated business' }),
  );
  app.post<{ Body: { accountId?: string } }>('/_admin/scenarios/partial-payment', async (req) =>
    admin.scenarios.partialPayment(req.body ?? {}),
  );
  app.post<{ Body: { accountId?: string; dueInDays?: number } }>('/_admin/scenarios/chargeback', async (req) =>
    admin.scenarios.chargeback(req.body ?? {}),
  );
}
