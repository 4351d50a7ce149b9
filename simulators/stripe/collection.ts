// Objects of one type in creation order. Lists read newest first, like Stripe's.
import { resourceMissing, invalidParam } from './errors.js';

export interface StripeObject {
  id: string;
  object: string;
  created: number;
  [field: string]: unknown;
}

export interface ListEnvelope<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface PageQuery {
  limit?: number | undefined;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

export class Collection<T extends StripeObject> {
  private readonly items: T[] = [];
  private readonly index = new Map<string, number>();

  constructor(readonly noun: string) {}

  add(item: T): T {
    this.index.set(item.id, this.items.length);
    this.items.push(item);
    return item;
  }

  find(id: string): T | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.items[i];
  }

  get(id: string): T {
    const found = this.find(id);
    if (!found) throw resourceMissing(this.noun, id);
    return found;
  }

  /** Refills an empty collection from a snapshot, keeping the order. */
  restore(items: readonly T[]): void {
    for (const item of items) this.add(item);
  }

  all(): readonly T[] {
    return this.items;
  }

  private position(id: string, param: string): number {
    const i = this.index.get(id);
    if (i === undefined) throw resourceMissing(this.noun, id, param);
    return i;
  }

  /** Stripe cursor semantics: starting_after walks to older objects, ending_before to newer ones. */
  page(q: PageQuery, keep: (t: T) => boolean, url: string): ListEnvelope<T> {
    if (q.starting_after && q.ending_before)
      throw invalidParam(
        'ending_before',
        'You may only specify one of these parameters: ending_before, starting_after.',
      );
    const limit = q.limit ?? 10;
    if (q.ending_before) {
      const newer = this.items.slice(this.position(q.ending_before, 'ending_before') + 1).filter(keep);
      return { object: 'list', data: newer.slice(0, limit).reverse(), has_more: newer.length > limit, url };
    }
    const end = q.starting_after ? this.position(q.starting_after, 'starting_after') : this.items.length;
    const older = this.items.slice(0, end).filter(keep).reverse();
    return { object: 'list', data: older.slice(0, limit), has_more: older.length > limit, url };
  }
}
