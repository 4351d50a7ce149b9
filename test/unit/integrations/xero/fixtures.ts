import { readFileSync } from 'node:fs';

export const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/xero/${name}`, import.meta.url), 'utf8'));
