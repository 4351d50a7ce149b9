// Provider facts must say where they come from and when they were checked (issue 20, deliverable 4).
import { describe, expect, it } from 'vitest';
import { readFactsTable } from './facts-table.js';

describe('integrations/stripe/FACTS.md', () => {
  const rows = readFactsTable('integrations/stripe/FACTS.md');

  it('has facts', () => expect(rows.length).toBeGreaterThan(5));

  it.each(rows.map((r) => [r.fact.slice(0, 70), r] as const))(
    '%s: has a source URL, a date checked and a status',
    (_name, row) => {
      expect(row.problems).toEqual([]);
    },
  );

  it('covers point 6 of issue 20', () => {
    expect(rows.some((r) => r.fact.startsWith('Issue 20 point 6') && r.status === 'confirmed')).toBe(true);
  });
});
