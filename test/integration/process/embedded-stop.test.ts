// Stopping Shortfall on its embedded default, as an owner running `npm start` does: with a browser tab open on the
// app, Ctrl-C (SIGINT to the terminal's whole process group) must drain the worker, close the server and stop the
// Temporal dev server in that order, and leave nothing running. Chromium keeps a connection open that it never sent
// a request on; the server's close used to wait on it until the 30 s grace killed the process, which left the dev
// server on its ports and the next start failed. A process killed outright (SIGKILL) cannot stop its dev server;
// the next start must find the one it left and take its ports back. A second start while the first runs is refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../helpers/binaries.js';
import { eventually } from '../../helpers/eventually.js';
import { freePort } from '../../helpers/ports.js';
import { processesMarked } from '../../helpers/reaper.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const marker = 'SHORTFALL_STOP_PROBE';
const id = randomUUID();
const dirs: string[] = [];
const started: ChildProcess[] = [];

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output: () => string;
}

/** `npm start`'s process (bin/shortfall.js, embedded), in a process group of its own as a terminal would start it. */
function start(env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [path.join(root, 'bin/shortfall.js')], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return {
    child,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    output: () => output,
  };
}

const up = (run: Run) =>
  eventually(
    () => (run.child.exitCode === null ? run.output() : `exited ${run.child.exitCode}:\n${run.output()}`),
    (out) => out.includes('shortfall is up') || out.startsWith('exited'),
    'Shortfall to start',
    { timeoutMs: 120_000, intervalMs: 200 },
  ).then((out) => expect(out, 'Shortfall started').toContain('shortfall is up'));

const devServers = () => processesMarked(id, marker).filter((p) => p.command.includes('start-dev'));

afterAll(async () => {
  for (const p of processesMarked(id, marker))
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('stopping Shortfall on its embedded default', () => {
  it(
    'refuses a second start, stops in order on Ctrl-C with a browser tab open, and takes its ports back after a kill -9',
    { timeout: 360_000 },
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-stop-'));
      dirs.push(dir);
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        [marker]: id,
        SHORTFALL_DATA_DIR: dir,
        PORT: String(port),
        TEMPORAL_CLI_PATH: requireBinary('temporal'),
        TEMPORAL_DEV_PORT: String(await freePort()),
        TEMPORAL_DEV_UI_PORT: String(await freePort()),
        SANDBOX_QUICKBOOKS_PORT: String(await freePort()),
        SANDBOX_XERO_PORT: String(await freePort()),
        SANDBOX_STRIPE_PORT: String(await freePort()),
      };

      // 1. Ctrl-C with a tab open: a connection that carried a page, and one the browser opened and never used.
      const first = start(env);
      await up(first);
      expect(devServers(), 'the dev server runs').toHaveLength(1);
      // A second start on the same data directory is refused, and leaves the first one alone.
      const again = start(env);
      expect(await again.exited, again.output()).toBe(1);
      expect(again.output()).toContain('Shortfall is already running on');
      expect(devServers(), 'the first one keeps its dev server').toHaveLength(1);
      expect(first.child.exitCode).toBeNull();
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBeLessThan(500);
      await page.text();
      const preconnected = net.connect(port, '127.0.0.1');
      await once(preconnected, 'connect');
      const preconnectedClosed = once(preconnected, 'close');
      // The same tab went through a sandbox provider's consent page: it keeps a connection to each simulator it
      // visited, one that carried a page and one never used.
      const sandboxPorts = [env.SANDBOX_QUICKBOOKS_PORT, env.SANDBOX_XERO_PORT, env.SANDBOX_STRIPE_PORT].map(Number);
      const sandboxAgent = new http.Agent({ keepAlive: true });
      const sandboxSockets: Promise<unknown>[] = [];
      for (const p of sandboxPorts) {
        await new Promise<void>((resolve, reject) =>
          http
            .get({ host: '127.0.0.1', port: p, path: '/', agent: sandboxAgent }, (res) => {
              res.resume();
              res.on('end', resolve);
            })
            .on('error', reject),
        );
        const unused = net.connect(p, '127.0.0.1');
        await once(unused, 'connect');
        sandboxSockets.push(once(unused, 'close'));
      }
      process.kill(-first.child.pid!, 'SIGINT');
      expect(await first.exited, first.output()).toBe(0);
      await preconnectedClosed;
      await Promise.all(sandboxSockets);
      sandboxAgent.destroy();
      expect(first.output()).toContain('shutting down');
      expect(first.output(), 'stopped within its grace').not.toContain('killed by timeout');
      expect(first.output(), 'the dev server outlived the worker').not.toContain(
        'temporal dev server exited unexpectedly',
      );
      expect(processesMarked(id, marker), 'nothing left running').toEqual([]);

      // 2. The same data directory starts again at once, on the same ports.
      const second = start(env);
      await up(second);
      // 3. Killed outright: nothing in the process can stop its dev server, which keeps the ports.
      process.kill(second.child.pid!, 'SIGKILL');
      await second.exited;
      expect(devServers(), 'a kill -9 leaves the dev server behind').toHaveLength(1);
      const left = devServers()[0]!.pid;

      // 4. The next start stops the one it left (it is this data directory's), and runs.
      const third = start(env);
      await up(third);
      expect(third.output()).toContain('stopping the Temporal dev server an earlier run of Shortfall left running');
      expect(devServers().map((p) => p.pid)).not.toContain(left);
      expect(devServers()).toHaveLength(1);
      process.kill(third.child.pid!, 'SIGTERM');
      expect(await third.exited, third.output()).toBe(0);
      expect(processesMarked(id, marker), 'nothing left running').toEqual([]);
    },
  );
});
