import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StripeObject } from '../collection.js';
import { buildCreditNote, createCreditNote } from '../model/credit-notes.js';
import { api, type Runtime } from '../pipeline.js';
import { expandOnly, listEndpoint, pageOfLines, retrieveEndpoint } from './common.js';

export function creditNoteRoutes(app: FastifyInstance, rt: Runtime): void {
  api(
    app,
    rt,
    'GET',
    '/v1/credit_notes',
    'credit_notes',
    listEndpoint({
      collection: (d) => d.creditNotes,
      url: '/v1/credit_notes',
      filters: { invoice: z.string().optional(), customer: z.string().optional() },
      keep: (n, p) => (!p.invoice || n.invoice === p.invoice) && (!p.customer || n.customer === p.customer),
    }),
  );
  // A preview is the credit note that would be issued, computed but not saved.
  api(
    app,
    rt,
    'GET',
    '/v1/credit_notes/preview',
    'credit_notes',
    ({ data, query }) => buildCreditNote(rt.store, data, query).note,
  );
  api(app, rt, 'POST', '/v1/credit_notes', 'credit_notes', ({ data, body }) =>
    expandOnly(data, body, createCreditNote(rt.store, data, body)),
  );
  api(
    app,
    rt,
    'GET',
    '/v1/credit_notes/:id',
    'credit_notes',
    retrieveEndpoint({ find: (d, id) => d.creditNotes.get(id) }),
  );
  api(app, rt, 'GET', '/v1/credit_notes/:id/lines', 'credit_notes', ({ data, params, query }) =>
    pageOfLines(
      (data.creditNotes.get(params.id ?? '').lines as { data: StripeObject[] }).data,
      query,
      `/v1/credit_notes/${params.id ?? ''}/lines`,
    ),
  );
}
