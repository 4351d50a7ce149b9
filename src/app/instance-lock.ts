// One Shortfall at a time on a data directory that holds an embedded store (PGlite's files, the embedded Temporal dev
// server's SQLite file): PGlite takes no lock of its own, so a second `npm start` in the same folder would write the
// same database beside the first, and would find the first one's dev server on its ports. The lock is a file holding
// the owner's pid, created exclusively; a file left by a process that is gone (or is no longer Shortfall) is taken
// over. Processes on Postgres with a separate Temporal share nothing here and take no lock.
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

export class AlreadyRunningError extends Error {
  constructor(
    readonly pid: number,
    dataDir: string,
  ) {
    super(
      `Shortfall is already running on ${dataDir} (process ${pid}). Stop it first (Ctrl-C in its terminal, or ` +
        `kill ${pid}), or give this one its own SHORTFALL_DATA_DIR.`,
    );
    this.name = 'AlreadyRunningError';
  }
}

/** Whether process `pid` runs and is a Shortfall process (its command line names our entry point), as far as we can tell. */
function isShortfall(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false; // gone, or another user's process (EPERM), which is not this user's Shortfall
  }
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    return /shortfall\.js|src\/app\/main\.ts/.test(command);
  } catch {
    return true; // no /proc (macOS): a live pid that wrote our lock file is taken at its word
  }
}

export interface InstanceLock {
  release(): Promise<void>;
}

/** Takes the data directory's lock for this process, or throws AlreadyRunningError naming the one that holds it. */
export async function lockDataDir(dataDir: string): Promise<InstanceLock> {
  const file = path.join(dataDir, 'shortfall.pid');
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      const live = Number.isInteger(holder) && holder > 0 && holder !== process.pid && isShortfall(holder);
      // A second try that finds the file again lost a race with another start: that one holds it now.
      if (live || attempt > 0) throw new AlreadyRunningError(holder, dataDir);
      await rm(file, { force: true }); // left by a process that is gone: taken over
    }
  }
  const releaseNow = () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.once('exit', releaseNow);
  return {
    async release() {
      process.off('exit', releaseNow);
      releaseNow();
    },
  };
}
