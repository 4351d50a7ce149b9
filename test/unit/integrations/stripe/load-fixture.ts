import { readFileSync } from 'node:fs';

/** A recorded Stripe payload from test/fixtures/stripe, parsed fresh for each test. */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/stripe/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}
