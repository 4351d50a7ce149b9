// Reads a provider's FACTS.md table and lists what each row lacks: a source URL, a date checked (YYYY-MM-DD),
// a known status, and for anything not confirmed or refuted, what would settle it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface FactRow {
  readonly fact: string;
  readonly status: string;
  readonly problems: readonly string[];
}

const statuses = new Set(['confirmed', 'refuted', 'reported', 'guess']);

export function readFactsTable(file: string): FactRow[] {
  const text = readFileSync(path.resolve(import.meta.dirname, '../../../..', file), 'utf8');
  const lines = text.split('\n').filter((l) => l.startsWith('|'));
  const [header, , ...body] = lines;
  const columns = (header ?? '')
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim().toLowerCase());
  const at = (name: string) => columns.indexOf(name);
  return body.map((line) => {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const cell = (name: string) => cells[at(name)] ?? '';
    const problems: string[] = [];
    if (cells.length !== columns.length) problems.push(`has ${cells.length} cells, the table ${columns.length}`);
    if (!/https:\/\/\S+/.test(cell('source'))) problems.push('no source URL');
    const checked = cell('checked');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(checked) || Number.isNaN(Date.parse(checked))) problems.push('no date checked');
    const status = cell('status');
    if (!statuses.has(status)) problems.push(`unknown status "${status}"`);
    if (status !== 'confirmed' && status !== 'refuted' && cell('to settle').length < 10)
      problems.push('not confirmed, and nothing says what would settle it');
    return { fact: cell('fact'), status, problems };
  });
}
