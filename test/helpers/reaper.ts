// Every process a test run starts carries SHORTFALL_TEST_RUN=<run id> in its environment (set by the global setup
// before any worker forks, inherited by every server a worker spawns). When the run's main process exits, for any
// reason short of SIGKILL (an interrupt included: Vitest answers SIGINT and SIGTERM with process.exit, skipping
// global teardown), whatever still carries the id is stopped. Linux only: it reads /proc.
import { readdirSync, readFileSync } from 'node:fs';

export const runMarker = 'SHORTFALL_TEST_RUN';

export interface MarkedProcess {
  pid: number;
  command: string;
}

/** Processes (other than this one) whose environment holds `name=value`. */
export function processesMarked(value: string, name = runMarker): MarkedProcess[] {
  const needle = `${name}=${value}`;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: MarkedProcess[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(needle)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
      const state = /\) (\w)/.exec(readFileSync(`/proc/${pid}/stat`, 'latin1'))?.[1];
      if (state !== 'Z') found.push({ pid, command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * Synchronous, so it can run in an 'exit' handler. PostgreSQL gets SIGINT (fast shutdown), the rest SIGTERM. The
 * Postgres watchdog (postgres-server.ts) is spared: it stops its server and removes the cluster's directory itself
 * when this process's end closes its stdin.
 */
export function stopMarked(value: string): MarkedProcess[] {
  const left = processesMarked(value).filter((p) => !p.command.includes('shortfall-watchdog'));
  for (const p of left) {
    try {
      process.kill(p.pid, /(^|\/)postgres( |$)/.test(p.command) ? 'SIGINT' : 'SIGTERM');
    } catch {
      // already gone
    }
  }
  return left;
}
