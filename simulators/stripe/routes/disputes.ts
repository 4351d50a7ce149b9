import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { closeDispute, updateDispute } from '../model/disputes.js';
import { createFile } from '../model/files.js';
import { invalidRequest } from '../errors.js';
import { api, type Runtime } from '../pipeline.js';
import { expandOnly, listEndpoint, retrieveEndpoint } from './common.js';

export function disputeRoutes(app: FastifyInstance, rt: Runtime): void {
  api(
    app,
    rt,
    'GET',
    '/v1/disputes',
    'disputes',
    listEndpoint({
      collection: (d) => d.disputes,
      url: '/v1/disputes',
      filters: { charge: z.string().optional(), payment_intent: z.string().optional() },
      keep: (dp, p) =>
        (!p.charge || dp.charge === p.charge) && (!p.payment_intent || dp.payment_intent === p.payment_intent),
      expandable: ['charge', 'payment_intent'],
    }),
  );
  api(
    app,
    rt,
    'GET',
    '/v1/disputes/:id',
    'disputes',
    retrieveEndpoint({ find: (d, id) => d.disputes.get(id), expandable: ['charge', 'payment_intent'] }),
  );
  api(app, rt, 'POST', '/v1/disputes/:id', 'disputes', ({ data, params, body }) =>
    expandOnly(data, { expand: body.expand }, updateDispute(rt.store, data, params.id ?? '', body), [
      'charge',
      'payment_intent',
    ]),
  );
  api(app, rt, 'POST', '/v1/disputes/:id/close', 'disputes', ({ data, params, body }) =>
    expandOnly(data, body, closeDispute(rt.store, data, params.id ?? '', 'lost')),
  );

  api(app, rt, 'POST', '/v1/files', 'files', ({ data, multipart }) => {
    if (!multipart) throw invalidRequest('File uploads must be sent as multipart/form-data.');
    return createFile(rt.store, data, multipart);
  });
  api(
    app,
    rt,
    'GET',
    '/v1/files',
    'files',
    listEndpoint({
      collection: (d) => d.files,
      url: '/v1/files',
      filters: { purpose: z.string().optional() },
      keep: (f, p) => !p.purpose || f.purpose === p.purpose,
    }),
  );
  api(app, rt, 'GET', '/v1/files/:id', 'files', retrieveEndpoint({ find: (d, id) => d.files.get(id) }));
}
