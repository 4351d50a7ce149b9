// `expand[]`: replace an id field with the object it names (e.g. `data.payment.payment_record`).
import type { StripeObject } from './collection.js';
import { invalidParam } from './errors.js';
import { publicInvoice } from './model/invoices.js';
import type { AccountData } from './store.js';

function lookup(data: AccountData, id: string): StripeObject | undefined {
  const prefix = id.slice(0, id.indexOf('_'));
  const found = (() => {
    switch (prefix) {
      case 'pr':
        return data.paymentRecords.find(id);
      case 'pi':
        return data.paymentIntents.find(id);
      case 'ch':
        return data.charges.find(id);
      case 'cus':
        return data.customers.find(id);
      case 'in':
        return data.invoices.find(id);
      default:
        return undefined;
    }
  })();
  return found && found.object === 'invoice' ? publicInvoice(found) : found;
}

function expandAt(data: AccountData, node: unknown, path: readonly string[]): void {
  if (!node || typeof node !== 'object') return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  const holder = node as Record<string, unknown>;
  if (head === 'data' && Array.isArray(holder.data)) {
    for (const item of holder.data) expandAt(data, item, rest);
    return;
  }
  if (rest.length > 0) return expandAt(data, holder[head], rest);
  const value = holder[head];
  if (typeof value === 'string') holder[head] = structuredClone(lookup(data, value) ?? value);
}

/** Returns a copy of `response` with the requested fields expanded; `allowed` lists what this endpoint can expand. */
export function expandResponse<T>(
  data: AccountData,
  response: T,
  paths: readonly string[] | undefined,
  allowed: readonly string[],
): T {
  const copy = structuredClone(response);
  for (const path of paths ?? []) {
    const bare = path.startsWith('data.') ? path.slice(5) : path;
    if (!allowed.includes(bare)) throw invalidParam('expand', `This property cannot be expanded (${path}).`);
    expandAt(data, copy, path.split('.'));
  }
  return copy;
}
