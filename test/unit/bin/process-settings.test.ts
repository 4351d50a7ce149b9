// `shortfall` (bin/shortfall.js: the image's entry point and `npm start`) runs Node as bin/process-settings.js says,
// whoever starts it: a process started without the settings starts again in place with them, and what the operator
// set stands. Observed from inside the process that runs the app (a --require'd probe reports what it runs with).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFlags, processEnv } from '../../../bin/process-settings.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;
let probe: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-settings-'));
  probe = path.join(dir, 'probe.cjs');
  // Each process image prints what it runs with; the last line is the image that runs the app.
  await writeFile(
    probe,
    `process.stderr.write('settings ' + JSON.stringify({ pid: process.pid, execArgv: process.execArgv, env: ${JSON.stringify(
      Object.keys(processEnv),
    )}.map((k) => [k, process.env[k]]) }) + '\\n');\n`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts `shortfall <mode>` with an unknown mode, so the app prints its usage and exits once it has loaded. */
function run(env: Record<string, string>, flags: string[] = []) {
  const r = spawnSync(process.execPath, [...flags, path.join(root, 'bin/shortfall.js'), 'no-such-mode'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: dir, NODE_OPTIONS: `--require ${probe}`, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const images = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('settings '))
    .map(
      (l) =>
        JSON.parse(l.slice('settings '.length)) as { pid: number; execArgv: string[]; env: [string, string | null][] },
    );
  return { status: r.status, stderr: r.stderr, images };
}

describe('shortfall runs Node with the process settings', () => {
  it('starts again in place with the V8 flags and malloc settings when started without them', () => {
    const r = run({});
    expect(r.stderr).toMatch(/usage: shortfall/);
    expect(r.status).toBe(2);
    expect(r.images).toHaveLength(2);
    const [first, app] = r.images;
    expect(app!.pid).toBe(first!.pid); // the same process, not a child: signals and exit codes are its own
    for (const flag of nodeFlags) expect(app!.execArgv).toContain(flag);
    expect(Object.fromEntries(app!.env)).toEqual(processEnv);
  });

  it('starts once when they are already there, and keeps what the operator chose', () => {
    const flag = nodeFlags[0]!.split('=')[0]!;
    const chosen = Object.fromEntries(Object.keys(processEnv).map((k) => [k, '4']));
    const r = run(chosen, [`${flag}=32`, ...nodeFlags.slice(1)]);
    expect(r.status).toBe(2);
    expect(r.images).toHaveLength(1);
    expect(r.images[0]!.execArgv).toEqual([`${flag}=32`, ...nodeFlags.slice(1)]);
    expect(Object.fromEntries(r.images[0]!.env)).toEqual(chosen);
  });

  it('reads a flag the operator spelt with underscores as the same flag', () => {
    const flag = nodeFlags[0]!.split('=')[0]!.replace(/^--/, '').replace(/-/g, '_');
    const chosen = Object.fromEntries(Object.keys(processEnv).map((k) => [k, '4']));
    const r = run(chosen, [`--${flag}=32`, ...nodeFlags.slice(1)]);
    expect(r.status).toBe(2);
    expect(r.images).toHaveLength(1); // nothing missing: not started again with the default on top
    expect(r.images[0]!.execArgv).toEqual([`--${flag}=32`, ...nodeFlags.slice(1)]);
  });
});
