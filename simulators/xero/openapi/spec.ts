// Xero's official OpenAPI files (XeroAPI/Xero-OpenAPI @ e952d0b, v16.1.0, MIT: see specs/LICENSE), vendored
// so the simulator and its contract checks do not depend on anything outside the repository.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type SpecName = 'xero_accounting' | 'xero-identity' | 'xero-webhooks';

export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths?: Record<string, Record<string, unknown>>;
  readonly webhooks?: Record<string, Record<string, unknown>>;
  readonly components?: Record<string, Record<string, unknown>>;
}

const cache = new Map<SpecName, OpenApiDocument>();

/** Parsed once per process: the accounting file is 25,000 lines. */
export function loadSpec(name: SpecName): OpenApiDocument {
  let doc = cache.get(name);
  if (!doc) {
    doc = parse(readFileSync(new URL(`../specs/${name}.yaml`, import.meta.url), 'utf8')) as OpenApiDocument;
    cache.set(name, doc);
  }
  return doc;
}
