// Checks requests and responses against one OpenAPI document: the operation is found by method and path
// (honouring Xero's `x-path` aliases, told apart by the Accept header), then parameters, body and the
// response body are validated with Ajv against the tightened schemas (strict.ts).
import { createAjv, type Ajv, type ErrorObject, type ValidateFunction } from './ajv.js';
import type { OpenApiDocument } from './spec.js';
import { rebase, tighten, type Direction } from './strict.js';

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);
const methods = ['get', 'put', 'post', 'patch', 'delete'] as const;

interface Parameter {
  readonly name: string;
  readonly in: 'query' | 'header' | 'path' | 'cookie';
  readonly required?: boolean;
  readonly explode?: boolean;
  readonly schema?: Schema;
}

export interface Operation {
  readonly id: string;
  readonly method: string;
  readonly template: string;
  readonly produces: readonly string[];
  readonly pattern: RegExp;
  readonly pathNames: readonly string[];
  readonly raw: Schema;
  readonly parameters: readonly Parameter[];
}

export interface RequestSample {
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
}

function compilePattern(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`)
    .replace(/\\\{([^}]+)\\\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
  return { pattern: new RegExp(`^${source}$`, 'i'), names };
}

function coerce(value: unknown, schema: Schema, explode: boolean): unknown {
  if (schema.type === 'array') {
    const list = (Array.isArray(value) ? value : [value]).flatMap((v) => (explode ? [v] : String(v).split(',')));
    return list.map((v) => coerce(v, isObject(schema.items) ? schema.items : {}, true));
  }
  const text = Array.isArray(value) ? String(value[value.length - 1]) : String(value);
  if (schema.type === 'integer' || schema.type === 'number')
    return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  if (schema.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath || '(root)';
  const extra =
    e.keyword === 'additionalProperties'
      ? ` '${String(e.params.additionalProperty)}'`
      : e.keyword === 'enum'
        ? ` ${JSON.stringify(e.params.allowedValues)}`
        : '';
  return `${where} ${e.message ?? e.keyword}${extra}`;
}

export class OpenApiContract {
  private readonly id: string;
  private readonly ajv: Record<Direction, Ajv>;
  private readonly operations: Operation[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    private readonly doc: OpenApiDocument,
    name: string,
    /** Prefix the server mounts the spec's paths under, e.g. `/api.xro/2.0`. */
    private readonly basePath = '',
    private readonly options: { readonly closed: boolean } = { closed: true },
  ) {
    this.id = `urn:shortfall:${name}`;
    this.ajv = { request: createAjv(), response: createAjv() };
    for (const direction of ['request', 'response'] as const) {
      const components = isObject(doc.components) ? doc.components : {};
      const schemas = Object.fromEntries(
        Object.entries(components.schemas ?? {}).map(([name, schema]) => [name, this.tighten(schema, direction)]),
      );
      this.ajv[direction].addSchema({ $id: this.id, components: { ...components, schemas } });
    }
    this.operations = this.indexOperations();
  }

  /** The operation a request is for; undefined when the spec has no such path and method. */
  match(method: string, path: string, accept?: string): Operation | undefined {
    const local = path.toLowerCase().startsWith(this.basePath.toLowerCase())
      ? path.slice(this.basePath.length) || '/'
      : undefined;
    if (local === undefined) return undefined;
    const candidates = this.operations.filter((op) => op.method === method.toLowerCase() && op.pattern.test(local));
    const wanted = (accept ?? '')
      .split(',')
      .map((t) => t.split(';')[0]?.trim())
      .filter(Boolean);
    return (
      candidates.find((op) => op.produces.some((t) => wanted.includes(t))) ??
      candidates.find((op) => op.produces.includes('application/json') || op.produces.length === 0) ??
      candidates[0]
    );
  }

  checkRequest(op: Operation, sample: RequestSample): string[] {
    const local = sample.path.slice(this.basePath.length);
    const values = op.pattern.exec(local)?.slice(1) ?? [];
    const pathValues = Object.fromEntries(op.pathNames.map((n, i) => [n, decodeURIComponent(values[i] ?? '')]));
    return [
      ...this.checkParameters(op, 'path', pathValues, false),
      ...this.checkParameters(op, 'query', sample.query, true),
      ...this.checkParameters(op, 'header', lowerKeys(sample.headers), false),
      ...this.checkBody(op, sample.body),
    ];
  }

  checkResponse(op: Operation, status: number, contentType: string | undefined, body: unknown): string[] {
    const response = this.resolve(isObject(op.raw.responses) ? op.raw.responses[String(status)] : undefined);
    // The spec documents 200/204/400 and leaves out most errors (401, 403, 404, 429): nothing to hold them to.
    if (!isObject(response)) return [];
    const content = isObject(response.content) ? response.content : undefined;
    if (!content) return body === undefined || body === '' ? [] : [`response ${status} should have no body`];
    const type = (contentType ?? '').split(';')[0]?.trim() ?? '';
    const media = content[type];
    if (!isObject(media))
      return [`response ${status} has content type '${type}', spec allows ${JSON.stringify(Object.keys(content))}`];
    if (type === 'application/pdf')
      return Buffer.isBuffer(body) && body.subarray(0, 5).toString('latin1') === '%PDF-'
        ? []
        : ['response body is not a PDF'];
    return this.validate('response', `${op.id}:response:${status}:${type}`, media.schema, body).map(
      (e) => `response ${status}: ${e}`,
    );
  }

  /** Validates a value against a schema found by JSON pointer, e.g. `#/components/schemas/WebhookEvent`. */
  checkSchema(pointer: string, value: unknown, direction: Direction = 'response'): string[] {
    return this.validate(direction, `pointer:${direction}:${pointer}`, { $ref: pointer }, value);
  }

  private checkParameters(
    op: Operation,
    location: Parameter['in'],
    values: Readonly<Record<string, unknown>>,
    closed: boolean,
  ): string[] {
    const declared = op.parameters.filter((p) => p.in === location);
    const key = (p: Parameter) => (location === 'header' ? p.name.toLowerCase() : p.name);
    const errors: string[] = [];
    const coerced: Record<string, unknown> = {};
    for (const p of declared) {
      const value = values[key(p)];
      if (value === undefined) {
        if (p.required) errors.push(`${location} parameter '${p.name}' is required`);
        continue;
      }
      coerced[key(p)] = coerce(value, p.schema ?? {}, p.explode ?? location !== 'query');
      const schema = rebase(p.schema ?? {}, this.id);
      errors.push(
        ...this.validate('request', `${op.id}:${location}:${p.name}`, schema, coerced[key(p)]).map(
          (e) => `${location} parameter '${p.name}': ${e}`,
        ),
      );
    }
    if (closed) {
      const known = new Set(declared.map(key));
      for (const name of Object.keys(values))
        if (!known.has(name)) errors.push(`${location} parameter '${name}' is not in the spec`);
    }
    return errors;
  }

  private checkBody(op: Operation, body: unknown): string[] {
    const requestBody = this.resolve(op.raw.requestBody);
    const present = body !== undefined && body !== null && !(typeof body === 'string' && body === '');
    if (!isObject(requestBody))
      return present && op.method !== 'get' && op.method !== 'delete'
        ? ['request has a body the spec does not declare']
        : [];
    if (!present) return requestBody.required ? ['request body is required'] : [];
    const media = isObject(requestBody.content) ? requestBody.content['application/json'] : undefined;
    if (!isObject(media)) return ['request body is JSON, spec declares another media type'];
    return this.validate('request', `${op.id}:body`, media.schema, body).map((e) => `body: ${e}`);
  }

  private validate(direction: Direction, cacheKey: string, schema: unknown, value: unknown): string[] {
    let validator = this.compiled.get(cacheKey);
    if (!validator) {
      validator = this.ajv[direction].compile(rebase(this.tighten(schema ?? {}, direction), this.id) as Schema);
      this.compiled.set(cacheKey, validator);
    }
    return validator(value) ? [] : (validator.errors ?? []).map(describe);
  }

  private tighten(schema: unknown, direction: Direction): unknown {
    return this.options.closed ? tighten(schema, direction) : schema;
  }

  private resolve(value: unknown): unknown {
    if (!isObject(value) || typeof value.$ref !== 'string') return value;
    const target = value.$ref
      .replace(/^#\//, '')
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, segment) => (isObject(node) ? node[segment] : undefined), this.doc);
    return this.resolve(target);
  }

  private indexOperations(): Operation[] {
    const ops: Operation[] = [];
    for (const [template, item] of Object.entries(this.doc.paths ?? {})) {
      const shared = Array.isArray(item.parameters) ? item.parameters : [];
      for (const method of methods) {
        const raw = item[method];
        if (!isObject(raw)) continue;
        const route = typeof raw['x-path'] === 'string' ? raw['x-path'] : template;
        const { pattern, names } = compilePattern(route);
        const own = Array.isArray(raw.parameters) ? raw.parameters : [];
        const parameters = [...shared, ...own].map((p) => this.resolve(p)).filter(isObject) as unknown as Parameter[];
        ops.push({
          id: String(raw.operationId ?? `${method} ${template}`),
          method,
          template,
          produces: this.producesOf(raw),
          pattern,
          pathNames: names,
          raw,
          parameters,
        });
      }
    }
    return ops;
  }

  private producesOf(raw: Schema): string[] {
    const responses = isObject(raw.responses) ? Object.values(raw.responses).map((r) => this.resolve(r)) : [];
    return [...new Set(responses.flatMap((r) => (isObject(r) && isObject(r.content) ? Object.keys(r.content) : [])))];
  }
}

const lowerKeys = (h: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
