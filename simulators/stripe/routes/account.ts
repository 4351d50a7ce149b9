import type { FastifyInstance } from 'fastify';
import { resourceMissing } from '../errors.js';
import { api, type Runtime } from '../pipeline.js';

export function accountRoutes(app: FastifyInstance, rt: Runtime): void {
  api(app, rt, 'GET', '/v1/account', 'account', ({ data }) => data.account);
  // The platform may read the accounts connected to it.
  api(app, rt, 'GET', '/v1/accounts/:id', 'accounts', ({ data, params }) => {
    const id = params.id ?? '';
    const target = rt.store.account(id);
    const visible =
      id === data.account.id || (data.account.id === rt.store.platformAccountId && rt.store.connections.has(id));
    if (!target || !visible) throw resourceMissing('account', id);
    return target.account;
  });
}
