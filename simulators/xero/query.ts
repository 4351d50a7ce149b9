// List-endpoint semantics: `where` (== and != clauses joined by AND), `order`, `Statuses`, If-Modified-Since
// and page/pageSize paging, over any record type through a table of field accessors.
import { xeroLimits } from '../../integrations/xero/limits.js';
import { SimValidationError } from './errors.js';

export type Fields<T> = Readonly<Record<string, (row: T) => string | number | boolean | undefined>>;

export interface ListQuery {
  readonly where?: string;
  readonly order?: string;
  readonly statuses?: readonly string[];
  readonly modifiedSince?: number;
  readonly page?: number;
  readonly pageSize?: number;
}

export interface Page<T> {
  readonly rows: readonly T[];
  readonly pagination?: { page: number; pageSize: number; pageCount: number; itemCount: number };
}

const clause =
  /\s*([A-Za-z][\w.]*)\s*(==|!=)\s*("(?:[^"\\]|\\.)*"|Guid\("[^"]*"\)|true|false|-?\d+(?:\.\d+)?)\s*(AND\b|&&|$)/iy;

function literal(text: string): string | number | boolean {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  const guid = /^Guid\("([^"]*)"\)$/i.exec(text);
  if (guid) return (guid[1] ?? '').toLowerCase();
  if (text === 'true' || text === 'false') return text === 'true';
  return Number(text);
}

function accessor<T>(fields: Fields<T>, name: string) {
  const get = Object.entries(fields).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  if (!get) throw new SimValidationError(`No property or field '${name}' exists in this type`);
  return get;
}

export function whereFilter<T>(text: string | undefined, fields: Fields<T>): (row: T) => boolean {
  if (!text?.trim()) return () => true;
  const tests: ((row: T) => boolean)[] = [];
  clause.lastIndex = 0;
  while (clause.lastIndex < text.length) {
    const at = clause.lastIndex;
    const m = clause.exec(text);
    if (!m)
      throw new SimValidationError(
        `Unsupported where clause at: ${text.slice(at)} (the simulator supports == and != joined by AND)`,
      );
    const [, name = '', op, value = ''] = m;
    const get = accessor(fields, name);
    const expected = literal(value);
    const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
    tests.push(op === '==' ? (row) => norm(get(row)) === norm(expected) : (row) => norm(get(row)) !== norm(expected));
    if (!m[4]) break;
  }
  return (row) => tests.every((t) => t(row));
}

function comparator<T>(
  text: string | undefined,
  fields: Fields<T>,
  tieBreak: (row: T) => string,
): (a: T, b: T) => number {
  const keys = (text ?? 'UpdatedDateUTC ASC').split(',').map((part) => {
    const [name = '', direction = 'ASC'] = part.trim().split(/\s+/);
    if (!/^(ASC|DESC)$/i.test(direction)) throw new SimValidationError(`Unsupported order direction '${direction}'`);
    return { get: accessor(fields, name), sign: /^DESC$/i.test(direction) ? -1 : 1 };
  });
  return (a, b) => {
    for (const { get, sign } of keys) {
      const x = get(a) ?? '';
      const y = get(b) ?? '';
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return tieBreak(a) < tieBreak(b) ? -1 : tieBreak(a) > tieBreak(b) ? 1 : 0;
  };
}

export function list<T>(rows: Iterable<T>, q: ListQuery, fields: Fields<T>, id: (row: T) => string): Page<T> {
  const where = whereFilter(q.where, fields);
  const status = fields.Status;
  const statuses = q.statuses?.map((s) => s.toUpperCase());
  const updated = fields.UpdatedDateUTC;
  const matching = [...rows]
    .filter(where)
    .filter((r) => !statuses?.length || (status !== undefined && statuses.includes(String(status(r)))))
    .filter((r) => q.modifiedSince === undefined || (updated !== undefined && Number(updated(r)) >= q.modifiedSince))
    .sort(comparator(q.order, fields, id));
  if (q.page === undefined) return { rows: matching };
  const pageSize = q.pageSize ?? 100;
  if (!Number.isInteger(q.page) || q.page < 1) throw new SimValidationError('page must be a positive integer');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > xeroLimits.maxPageSize)
    throw new SimValidationError(`pageSize must be between 1 and ${xeroLimits.maxPageSize}`);
  const start = (q.page - 1) * pageSize;
  return {
    rows: matching.slice(start, start + pageSize),
    pagination: {
      page: q.page,
      pageSize,
      pageCount: Math.ceil(matching.length / pageSize),
      itemCount: matching.length,
    },
  };
}
