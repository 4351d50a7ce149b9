// Ajv 8 with ajv-formats. Neither is a direct dependency yet: the `ajv` at the top of node_modules is
// ESLint's v6, while ajv-formats (hoisted from fastify) carries the v8 it was built for. Resolving ajv from
// ajv-formats' own folder picks that v8 now and keeps working once ajv@8 is installed at the top.
import { createRequire } from 'node:module';
import type { FormatsPlugin } from 'ajv-formats';

export type Ajv = ReturnType<FormatsPlugin>;
export type ValidateFunction = ReturnType<Ajv['compile']>;
export type ErrorObject = NonNullable<ValidateFunction['errors']>[number];

const requireHere = createRequire(import.meta.url);
const requireBesideFormats = createRequire(requireHere.resolve('ajv-formats'));
const AjvClass = (requireBesideFormats('ajv') as { default: new (options: Record<string, unknown>) => Ajv }).default;
const addFormats = (requireHere('ajv-formats') as { default: FormatsPlugin }).default;

export function createAjv(): Ajv {
  // strict off: OpenAPI schemas carry `example`, `x-*` and string defaults on booleans, all harmless here.
  const ajv = new AjvClass({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
  addFormats(ajv);
  // OpenAPI's numeric formats say nothing a JSON number can violate; `binary` bodies are not JSON.
  for (const format of ['double', 'float', 'binary']) ajv.addFormat(format, true);
  return ajv;
}
