// Prints one plain closing line, "N passed, N failed, N skipped in 7m 12s", that CI can read in any language, and
// fails the run when the suite left the working tree changed (`git status --porcelain` gained entries): tests
// write only to ignored or temporary folders, except SCREENSHOTS_DIR when `npm run screenshots` sets it.
import { execFileSync } from 'node:child_process';
import type { Reporter, TestModule } from 'vitest/node';

function gitStatus(): Set<string> | undefined {
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return new Set(out.split('\n').filter(Boolean));
  } catch {
    return undefined; // not a git checkout (an unpacked tarball): nothing to compare
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

export default class SummaryReporter implements Reporter {
  private startedAt = Date.now();
  private treeBefore: Set<string> | undefined;

  onInit() {
    this.startedAt = Date.now();
    this.treeBefore = gitStatus();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const m of modules) {
      // A file that failed to load or whose hooks threw counts as a failure even with no test results.
      if (m.state() === 'failed' && ![...m.children.allTests()].some((t) => t.result().state === 'failed'))
        counts.failed++;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    const before = this.treeBefore;
    // `npm run screenshots` writes to docs/screenshots on purpose (SCREENSHOTS_DIR).
    const onPurpose = process.env.SCREENSHOTS_DIR
      ? `${process.env.SCREENSHOTS_DIR.replace(/^\.\//, '').replace(/\/$/, '')}/`
      : undefined;
    const changed = before
      ? [...(gitStatus() ?? [])].filter(
          (line) => !before.has(line) && !(onPurpose && line.slice(3).startsWith(onPurpose)),
        )
      : [];
    if (changed.length > 0) {
      console.log(
        `\nThe suite changed the working tree (tests must write only to ignored or temporary folders):\n${changed.map((l) => `  ${l}`).join('\n')}`,
      );
      process.exitCode = 1;
    }
    console.log(
      `\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${formatDuration(Date.now() - this.startedAt)}`,
    );
  }
}
