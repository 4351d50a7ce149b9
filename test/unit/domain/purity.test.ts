// The domain core is bundled into Temporal's deterministic workflow sandbox: guard what it may touch.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../src/domain/', import.meta.url));
const sources = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
const read = (f: string) => readFileSync(`${root}${f}`, 'utf8');

describe('domain purity', () => {
  it.each(sources)('%s uses no Node APIs, clock or randomness', (f) => {
    const src = read(f);
    expect(src).not.toMatch(
      /from ['"]node:|require\(|\bprocess\.|Date\.now\(|new Date\(\)|Math\.random\(|DateTime\.(now|local)\(/,
    );
  });

  it.each(sources)(
    '%s imports nothing of ours outside the domain, and no template engine (eta stays out of workflow bundles)',
    (f) => {
      expect(read(f)).not.toMatch(/from ['"](\.\.\/|eta['"])/);
    },
  );
});
