// An interrupted run stops every server it started. A one-file Vitest run (test/fixtures/interrupt) starts Postgres,
// a Temporal dev server, a time-skipping test server, stripe-mock and Chromium, then gets interrupted: Ctrl-C (SIGINT
// to its whole process group) or `kill` (SIGTERM to Vitest's main process alone). Every process of that run carries
// a marker in its environment; none may survive, and the Postgres cluster's directory must be gone.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { processesMarked } from '../../helpers/reaper.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const marker = 'SHORTFALL_INTERRUPT_PROBE';
const probeServers = ['postgres', 'temporal server start-dev', 'temporal-test-server', 'stripe-mock', 'chrom'];

async function interruptedRun(signal: 'SIGINT' | 'SIGTERM', target: 'group' | 'vitest') {
  const id = randomUUID();
  const env: NodeJS.ProcessEnv = { ...process.env, [marker]: id };
  delete env.TEST_DATABASE_URL; // the run must start its own Postgres
  const vitest = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('node_modules/vitest/vitest.mjs', `file://${root}`)),
      'run',
      '--config',
      'test/fixtures/interrupt/vitest.config.ts',
    ],
    {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  vitest.stdout.on('data', (d: Buffer) => (output += d.toString()));
  vitest.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => vitest.once('exit', () => resolve()));
  let profile: string | undefined;
  try {
    await vi.waitFor(
      () => {
        if (vitest.exitCode !== null) throw new Error(`the probe run ended early:\n${output}`);
        expect(output).toContain('PROBE READY');
      },
      { timeout: 150_000, interval: 200 },
    );
    const started = processesMarked(id, marker);
    for (const server of probeServers)
      expect(started.map((p) => p.command).join('\n'), `the probe runs ${server}`).toContain(server);
    const cluster = /-D (\S+)\/data/.exec(
      started.map((p) => p.command).find((c) => c.includes('/postgres -D')) ?? '',
    )?.[1];
    expect(cluster).toBeDefined();
    // The interrupted run never closes its browser, so nothing removes its profile; this test does.
    profile = /--user-data-dir=(\S+)/.exec(started.map((p) => p.command).join('\n'))?.[1];

    process.kill(target === 'group' ? -vitest.pid! : vitest.pid!, signal);
    await exited;
    await vi.waitFor(
      () => {
        expect(processesMarked(id, marker).map((p) => `${p.pid} ${p.command.slice(0, 120)}`)).toEqual([]);
        expect(existsSync(cluster!), `${cluster} removed`).toBe(false);
      },
      { timeout: 20_000, interval: 250 },
    );
  } finally {
    if (profile) await rm(profile, { recursive: true, force: true });
    for (const p of processesMarked(id, marker)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

describe('an interrupted test run', () => {
  it('stops every server it started, on Ctrl-C or on SIGTERM to Vitest alone', { timeout: 240_000 }, async () => {
    await Promise.all([interruptedRun('SIGINT', 'group'), interruptedRun('SIGTERM', 'vitest')]);
  });
});
