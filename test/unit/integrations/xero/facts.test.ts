// Provider facts must say where they come from and when they were checked (issue 20, deliverable 4).
import { describe, expect, it } from 'vitest';
import { readFactsTable } from '../stripe/facts-table.js';

describe('integrations/xero/FACTS.md', () => {
  const rows = readFactsTable('integrations/xero/FACTS.md');

  it('has facts', () => expect(rows.length).toBeGreaterThan(10));

  it.each(rows.map((r) => [r.fact.slice(0, 70), r] as const))(
    '%s: has a source URL, a date checked and a status',
    (_name, row) => {
      expect(row.problems).toEqual([]);
    },
  );

  it('covers the points of issue 20 it owns', () => {
    const text = rows.map((r) => r.fact).join('\n');
    for (const point of ['point 1', 'point 3', 'point 8']) expect(text).toContain(`Issue 20 ${point}`);
    for (const topic of ['pageSize', 'grace', 'idempotency key']) expect(text).toContain(topic);
  });
});
