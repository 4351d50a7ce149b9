// Starts Stripe's stripe-mock (the OpenAPI-validating mock) on loopback, for the contract check.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const stripeMockInstall =
  'bash scripts/ensure-test-tools.sh (run by `npm test`; go install github.com/stripe/stripe-mock@v0.203.0 into .tools/bin, needs Go)';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** STRIPE_MOCK_PATH, then .tools/bin/stripe-mock, then PATH; throws with the install command if none. */
export function findStripeMock(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.STRIPE_MOCK_PATH || undefined,
    path.join(repoRoot, '.tools/bin/stripe-mock'),
    ...(env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'stripe-mock')),
  ];
  const found = candidates.find((c): c is string => Boolean(c) && executable(c as string));
  if (!found)
    throw new Error(
      `stripe-mock not found (STRIPE_MOCK_PATH, .tools/bin/stripe-mock, PATH). Install it with:\n  ${stripeMockInstall}`,
    );
  return found;
}

export interface StripeMock {
  readonly url: string;
  stop(): Promise<void>;
}

export function startStripeMock(binary: string, timeoutMs = 20_000): Promise<StripeMock> {
  // Both listeners on loopback with OS-chosen ports: -http-addr alone would still open HTTPS on :12112, all interfaces.
  const child: ChildProcess = spawn(binary, ['-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => void stop().then(() => reject(new Error(`stripe-mock did not start within ${timeoutMs} ms:\n${output}`))),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Listening for HTTP at address: (127\.0\.0\.1:\d+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      resolve({ url: `http://${m[1]}`, stop });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stripe-mock exited with ${code}:\n${output}`));
    });
  });
}
