// Every provider fact the QuickBooks connector relies on names where it comes from and when it was checked
// (issue 20, deliverable 4). A fact that is not settled says what would settle it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quickbooksLimits } from '../../../../integrations/quickbooks/limits.js';

const text = readFileSync(new URL('../../../../integrations/quickbooks/FACTS.md', import.meta.url), 'utf8');
const facts = text
  .split(/^### /m)
  .slice(1)
  .map((block) => {
    const [title = '', ...lines] = block.split('\n');
    const field = (name: string) =>
      lines.filter((l) => l.startsWith(`- ${name}:`)).map((l) => l.slice(name.length + 3).trim());
    return {
      title: title.trim(),
      status: field('Status')[0] ?? '',
      sources: field('Source'),
      checked: field('Checked'),
      settleBy: field('Settle by'),
    };
  });

describe('QuickBooks provider facts', () => {
  it('records the facts issue 20 asks about', () => {
    expect(facts.length).toBeGreaterThanOrEqual(10);
    for (const topic of [
      /TaxCodeRef/,
      /\$0 Payment/,
      /acknowledged/,
      /500,000 CorePlus/,
      /voided document/,
      /requestid/,
      /Refresh tokens/,
    ]) {
      expect(
        facts.some((f) => topic.test(f.title)),
        String(topic),
      ).toBe(true);
    }
  });

  it.each(facts.map((f) => [f.title, f] as const))(
    '%s: has a source URL, a date checked and a status',
    (_title, fact) => {
      expect(fact.sources.length).toBeGreaterThan(0);
      for (const source of fact.sources) expect(source).toMatch(/^https?:\/\/\S+/);
      expect(fact.checked).toHaveLength(1);
      expect(fact.checked[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(fact.checked[0] ?? ''))).toBe(false);
      expect(fact.status).toMatch(/^(confirmed|refuted|third-party|unconfirmed)\b/);
    },
  );

  it.each(
    facts
      .filter((f) => !/^(confirmed|refuted)\b/.test(f.status) || /guess/i.test(f.status))
      .map((f) => [f.title, f] as const),
  )('%s: not settled, so it says what would settle it', (_title, fact) => {
    expect(fact.settleBy.join(' ')).toMatch(/\w{3,}/);
  });

  it('keeps the numbers in limits.ts in line with the facts', () => {
    expect(text).toContain('500,000');
    expect(quickbooksLimits.builderMonthlyCorePlusCalls).toBe(500_000);
    expect(quickbooksLimits.requestIdMaxLength).toBe(50);
    expect(quickbooksLimits.rateLimit).toMatchObject({ requests: 500, concurrent: 10 });
  });
});
