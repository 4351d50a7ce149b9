// The data directory holds letters, client emails, sealed tokens and uploaded documents (PGlite, the embedded
// Temporal server's SQLite file, documents, secrets.json): only the service's own user may read or write it.
// New files are private by the process umask; files an older version left open are closed here at start.
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Files and folders this process creates are private to its user (0600 / 0700), children it starts included. */
export function privateByDefault(): void {
  process.umask(0o077);
}

export interface Tightened {
  /** Files and folders whose group or other permissions were removed. */
  readonly changed: number;
  /** Of those, the ones others could actually reach: every folder above them, the data directory's own included,
   * let group or other through. A file left 0644 inside a 0700 folder was never readable by anyone else (PGlite
   * writes its pg_internal.init that way at every start), so it is tightened without alarming the owner. */
  readonly exposed: number;
}

/** Creates `dir` (0700) if missing and removes every group and other permission under it. */
export async function makePrivate(dir: string): Promise<Tightened> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let changed = 0;
  let exposed = 0;
  async function walk(p: string, reachable: boolean): Promise<void> {
    const s = await lstat(p);
    // A link is not followed: its target may lie outside the data directory, or be one of its parents.
    if (s.isSymbolicLink()) return;
    if ((s.mode & 0o077) !== 0) {
      await chmod(p, s.mode & 0o700);
      changed++;
      if (reachable) exposed++;
    }
    if (s.isDirectory()) {
      const through = reachable && (s.mode & 0o011) !== 0;
      for (const entry of await readdir(p)) await walk(path.join(p, entry), through);
    }
  }
  await walk(dir, true);
  return { changed, exposed };
}
