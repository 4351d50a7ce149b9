import { z } from 'zod';
import type { Collection, ListEnvelope, StripeObject } from '../collection.js';
import { expandResponse } from '../expand.js';
import { invalidParam, parseParams } from '../errors.js';
import { created, listParams, matchesCreated, type CreatedFilter } from '../params.js';
import type { AccountData } from '../store.js';

interface BaseListParams {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
  expand?: string[];
  created?: CreatedFilter;
}

/** A list endpoint: strict params (pagination + `filters`), a predicate over them, optional expansions. */
export function listEndpoint<F extends z.ZodRawShape>(opts: {
  collection: (d: AccountData) => Collection<StripeObject>;
  url: string;
  filters: F;
  keep?: (item: StripeObject, params: z.infer<z.ZodObject<F>>) => boolean;
  expandable?: readonly string[];
  view?: (item: StripeObject) => StripeObject;
}) {
  const Params = z.strictObject({ ...listParams, created, ...opts.filters });
  return ({ data, query }: { data: AccountData; query: unknown }): ListEnvelope<StripeObject> => {
    const p = parseParams(Params, query) as BaseListParams & z.infer<z.ZodObject<F>>;
    const keep = (item: StripeObject) =>
      !item.deleted && matchesCreated(item.created, p.created) && (opts.keep?.(item, p) ?? true);
    const page = opts.collection(data).page(p, keep, opts.url);
    const shown = opts.view ? { ...page, data: page.data.map(opts.view) } : page;
    return expandResponse(data, shown, p.expand, opts.expandable ?? []);
  };
}

const RetrieveParams = z.strictObject({ expand: z.array(z.string()).optional() });

export function retrieveEndpoint(opts: {
  find: (d: AccountData, id: string) => StripeObject;
  expandable?: readonly string[];
  view?: (item: StripeObject) => StripeObject;
}) {
  return ({ data, query, params }: { data: AccountData; query: unknown; params: Record<string, string> }) => {
    const p = parseParams(RetrieveParams, query);
    const found = opts.find(data, params.id ?? '');
    return expandResponse(data, opts.view ? opts.view(found) : found, p.expand, opts.expandable ?? []);
  };
}

export const expandOnly = (data: AccountData, body: unknown, object: StripeObject, allowed: readonly string[] = []) =>
  expandResponse(data, object, parseParams(z.object({ expand: z.array(z.string()).optional() }), body).expand, allowed);

const LinesParams = z.strictObject({
  limit: listParams.limit,
  starting_after: z.string().optional(),
  expand: listParams.expand,
});

/** Sub-lists (an invoice's or credit note's lines) in their own order, paged forward with starting_after. */
export function pageOfLines(lines: readonly StripeObject[], query: unknown, url: string): ListEnvelope<StripeObject> {
  const p = parseParams(LinesParams, query);
  const start = p.starting_after ? lines.findIndex((l) => l.id === p.starting_after) + 1 : 0;
  if (p.starting_after && start === 0) throw invalidParam('starting_after', `No such line item: '${p.starting_after}'`);
  const data = lines.slice(start, start + (p.limit ?? 10));
  return { object: 'list', data, has_more: start + data.length < lines.length, url };
}
