// `npm run lint`'s provider-name check (ARCHITECTURE.md, "Providers as capabilities"): outside integrations/ the
// code speaks of ledgers, card disputes (chargebacks) and dispute evidence, never of a provider by name; what core
// code must know of a provider is a trait or capability the provider declares in integrations/. Names may appear
// only where they are configuration, the sandbox, a web page's label, or a name Temporal and the database already
// recorded (workflows/dispute-case/persisted-names.ts). A line preceded by a `provider-names: allowed (why)` comment
// is exempt, for text that is not ours (words a client writes). Prints file:line for every other occurrence.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const roots = ['src', 'workflows', 'activities'];
const allowed = [
  'src/app/config.ts', // configuration: each provider's environment variables
  'src/app/sandbox.ts', // the embedded demo's simulators
  'src/app/http/', // web pages' labels and the provider-specific connect and webhook routes
  'workflows/dispute-case/persisted-names.ts', // names already recorded, which cannot change
];
/** Files still to be made provider-neutral; each entry is a known gap, not a place names belong. */
const pending: readonly string[] = [];
const names = /stripe|quickbooks|xero/i;
const pragma = 'provider-names: allowed';

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const p = path.posix.join(dir, e.name);
      if (e.isDirectory()) return files(p);
      return Promise.resolve(e.isFile() && /\.(ts|tsx|mts|cts)$/.test(e.name) ? [p] : []);
    }),
  );
  return nested.flat();
}

const problems: string[] = [];
let checked = 0;
for (const file of (await Promise.all(roots.map(files))).flat().sort()) {
  if (allowed.some((a) => (a.endsWith('/') ? file.startsWith(a) : file === a)) || pending.includes(file)) continue;
  checked++;
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (!names.test(line) || (i > 0 && lines[i - 1]!.includes(pragma))) return;
    problems.push(`${file}:${i + 1}: ${line.trim().slice(0, 100)}`);
  });
}

if (problems.length > 0) {
  console.error(
    `Provider-name check (ARCHITECTURE.md): ${problems.length} line(s) name a provider outside integrations/; ` +
      `speak of the capability, or read the provider's label from integrations/registry.ts\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  `Provider-name check: ${checked} files name no provider${pending.length ? `; still pending: ${pending.join(', ')}` : ''}`,
);
