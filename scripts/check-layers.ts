// `npm run lint`'s layer check (ARCHITECTURE.md): dependency-cruiser validates every import against the rules of
// .dependency-cruiser.cjs (nothing points up the layers), then the sub-folders of src/services/ are checked for
// cycles between folders, which file-level cycle detection cannot see (a → b through one file, b → a through another).
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const require = createRequire(import.meta.url);
const ruleSet = require('../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };
const roots = ['src', 'activities', 'workflows', 'integrations', 'simulators'];

const { output } = await cruise(
  roots,
  { ...ruleSet.options, ruleSet: { forbidden: ruleSet.forbidden }, validate: true } as never,
  {},
  { tsConfig: extractTSConfig('tsconfig.json') },
);
const result = output as ICruiseResult;

const problems: string[] = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);

// Folder graph of src/services: an edge a → b for every import from src/services/a/… into src/services/b/….
const folder = (p: string) => /^src\/services\/([^/]+)\//.exec(p)?.[1];
const edges = new Map<string, Set<string>>();
for (const m of result.modules) {
  const from = folder(m.source);
  if (!from) continue;
  for (const d of m.dependencies) {
    const to = folder(d.resolved);
    if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
  }
}
const path: string[] = [];
const done = new Set<string>();
function visit(node: string): void {
  const at = path.indexOf(node);
  if (at >= 0) {
    problems.push(`no-cycles-between-services: ${[...path.slice(at), node].join(' → ')}`);
    return;
  }
  if (done.has(node)) return;
  path.push(node);
  for (const next of edges.get(node) ?? []) visit(next);
  path.pop();
  done.add(node);
}
for (const node of [...edges.keys()].sort()) visit(node);

if (problems.length > 0) {
  console.error(`Layer check (ARCHITECTURE.md): ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `Layer check: ${result.summary.totalCruised} modules, ${result.summary.totalDependenciesCruised} imports, every import points down; src/services folders: ${[...edges].map(([a, b]) => `${a} → ${[...b].sort().join(', ')}`).join('; ')}`,
);
