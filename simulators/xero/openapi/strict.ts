// Tightens the spec's schemas for contract checks. Xero's schemas never forbid unknown properties, so a
// misspelt field would pass; here every object is closed. Requests may not carry readOnly fields (OpenAPI
// says they SHOULD NOT be sent); responses may carry the envelope Xero wraps around every collection.
type Schema = Record<string, unknown>;
export type Direction = 'request' | 'response';

const envelope: Schema = {
  Id: { type: 'string', format: 'uuid' },
  Status: { type: 'string' },
  ProviderName: { type: 'string' },
  DateTimeUTC: { type: 'string' },
};

const isObject = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);
const isReadOnly = (v: unknown) => isObject(v) && v.readOnly === true;

export function tighten(schema: unknown, direction: Direction): unknown {
  if (Array.isArray(schema)) return schema.map((s) => tighten(s, direction));
  if (!isObject(schema)) return schema;
  const out: Schema = { ...schema };
  if (isObject(schema.properties)) {
    const kept = Object.entries(schema.properties).filter(([, p]) => direction === 'response' || !isReadOnly(p));
    const properties = Object.fromEntries(kept.map(([k, p]) => [k, tighten(p, direction)]));
    // x-objectArrayKey marks the collection schemas that come back as whole responses.
    out.properties =
      direction === 'response' && 'x-objectArrayKey' in schema ? { ...envelope, ...properties } : properties;
    if (Array.isArray(schema.required))
      out.required = schema.required.filter((name) => typeof name === 'string' && name in properties);
    if (out.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (schema.items !== undefined) out.items = tighten(schema.items, direction);
  return out;
}

/** Points local `#/…` references at the document registered under `id`. */
export function rebase(schema: unknown, id: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rebase(s, id));
  if (!isObject(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${id}${v}` : rebase(v, id),
    ]),
  );
}
