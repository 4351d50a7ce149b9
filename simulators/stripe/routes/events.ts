// The Events API: newest first, cursors by event id, `type` (with `*` wildcards) or `types[]`, and
// Stripe's 30-day retention — older events are gone, including as cursors.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StripeObject } from '../collection.js';
import { resourceMissing } from '../errors.js';
import { api, type Runtime } from '../pipeline.js';
import type { AccountData } from '../store.js';
import { listEndpoint } from './common.js';

export const eventRetentionSeconds = 30 * 24 * 3600;

function typeMatcher(type: string | undefined, types: readonly string[] | undefined): (t: string) => boolean {
  if (types?.length) return (t) => types.includes(t);
  if (!type) return () => true;
  const pattern = new RegExp(
    `^${type
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (t) => pattern.test(t);
}

export function eventRoutes(app: FastifyInstance, rt: Runtime): void {
  const retained = (e: StripeObject) => e.created >= rt.store.now() - eventRetentionSeconds;
  const retainedEvent = (data: AccountData, id: string) => {
    const e = data.events.find(id);
    if (!e || !retained(e)) throw resourceMissing('event', id);
    return e;
  };
  const list = listEndpoint({
    collection: (d) => d.events,
    url: '/v1/events',
    filters: { type: z.string().optional(), types: z.array(z.string()).max(20).optional() },
    keep: (e, p) => retained(e) && typeMatcher(p.type, p.types)(String(e.type)),
  });
  api(app, rt, 'GET', '/v1/events', 'events', (r) => {
    for (const cursor of [r.query.starting_after, r.query.ending_before])
      if (typeof cursor === 'string') retainedEvent(r.data, cursor);
    return list(r);
  });
  api(app, rt, 'GET', '/v1/events/:id', 'events', ({ data, params }) => retainedEvent(data, params.id ?? ''));
}
