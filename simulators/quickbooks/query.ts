// The subset of QBO's query language Shortfall and node-quickbooks use:
//   select * | count(*) from <Entity> [where <field> <op> <value> [and …]] [orderby <field> [asc|desc]]
//   [startposition n] [maxresults m]
// Keywords, entity and field names are case-insensitive, as in QBO. No OR, joins or projections (QBO has none).
import { entityNamed, type EntityName } from './entities.js';
import { queryParserError } from './faults.js';

type Operator = '=' | '<' | '>' | '<=' | '>=' | 'in' | 'like';
type Value = string | number;

interface Condition {
  readonly field: string;
  readonly op: Operator;
  readonly value: Value | readonly Value[];
}

export interface Query {
  readonly count: boolean;
  readonly entity: EntityName;
  readonly where: readonly Condition[];
  readonly orderBy?: { readonly field: string; readonly descending: boolean };
  readonly startPosition: number;
  readonly maxResults: number;
}

const shape =
  /^select\s+(\*|count\(\*\))\s+from\s+(\w+)(?:\s+where\s+(.+?))?(?:\s+orderby\s+([\w.]+)(?:\s+(asc|desc))?)?(?:\s+startposition\s+(\d+))?(?:\s+maxresults\s+(\d+))?\s*$/is;
const conditionShape = /^([\w.]+)\s*(<=|>=|=|<|>|\bin\b|\blike\b)\s*(.+)$/is;

function literal(text: string): Value {
  const t = text.trim();
  if (/^'.*'$/s.test(t)) return t.slice(1, -1).replace(/\\'/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw queryParserError(`Encountered "${t}": expected a quoted string or a number`);
}

function condition(text: string): Condition {
  const m = conditionShape.exec(text.trim());
  if (!m?.[1] || !m[2] || !m[3]) throw queryParserError(`Encountered "${text.trim()}"`);
  const op = m[2].toLowerCase() as Operator;
  const raw = m[3].trim();
  if (op !== 'in') return { field: m[1], op, value: literal(raw) };
  if (!/^\(.*\)$/s.test(raw)) throw queryParserError(`IN needs a parenthesised list, got "${raw}"`);
  return { field: m[1], op, value: raw.slice(1, -1).split(',').map(literal) };
}

export function parseQuery(text: string, pageLimit: number): Query {
  const m = shape.exec(text.trim());
  if (!m?.[2]) throw queryParserError(`Encountered "${text}"`);
  const entity = entityNamed(m[2]);
  if (!entity) throw queryParserError(`Invalid entity: ${m[2]}`);
  return {
    count: m[1] !== '*',
    entity,
    where: m[3] ? m[3].split(/\s+and\s+/i).map(condition) : [],
    ...(m[4] && { orderBy: { field: m[4], descending: m[5]?.toLowerCase() === 'desc' } }),
    startPosition: Math.max(1, Number(m[6] ?? 1)),
    // QBO caps a page at 1,000 rows whatever MAXRESULTS asks for.
    maxResults: Math.min(pageLimit, Number(m[7] ?? 100)),
  };
}

/** A field by its dotted path, matched case-insensitively; a Ref compares by its value. */
function fieldOf(row: object, path: string): unknown {
  let current: unknown = row;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = Object.keys(current).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : (current as Record<string, unknown>)[key];
  }
  return current !== null && typeof current === 'object' && 'value' in current ? current.value : current;
}

const isTimestamp = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v);
const isNumeric = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v));

function compare(a: unknown, b: Value): number {
  if (isTimestamp(a) && isTimestamp(b)) return Date.parse(a) - Date.parse(b);
  if (isNumeric(a) && isNumeric(b)) return Number(a) - Number(b);
  return String(a).localeCompare(String(b));
}

function likePattern(value: Value): RegExp {
  const escaped = String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/%/g, '.*')}$`, 'is');
}

function matches(row: object, c: Condition): boolean {
  const actual = fieldOf(row, c.field);
  if (actual === undefined) return false;
  if (Array.isArray(c.value)) return c.value.some((v) => compare(actual, v) === 0);
  const value = c.value as Value;
  switch (c.op) {
    case '=':
      return compare(actual, value) === 0;
    case '<':
      return compare(actual, value) < 0;
    case '>':
      return compare(actual, value) > 0;
    case '<=':
      return compare(actual, value) <= 0;
    case '>=':
      return compare(actual, value) >= 0;
    case 'like':
      return likePattern(value).test(String(actual));
    case 'in':
      return false;
  }
}

export function runQuery<T extends object>(rows: readonly T[], q: Query): { rows: T[]; totalCount: number } {
  const order = q.orderBy ?? { field: 'Id', descending: false };
  const sign = order.descending ? -1 : 1;
  const matching = rows
    .filter((row) => q.where.every((c) => matches(row, c)))
    .sort((a, b) => sign * compare(fieldOf(a, order.field), fieldOf(b, order.field) as Value));
  return { rows: matching.slice(q.startPosition - 1, q.startPosition - 1 + q.maxResults), totalCount: matching.length };
}
