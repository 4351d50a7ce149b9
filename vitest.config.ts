import { defineConfig } from 'vitest/config';

// Temporal's native bridge is only stable in forked workers (reference/temporal.md §6).
export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest's default on 2 cores is one file at a time. The suite mostly waits on servers (Temporal, Postgres, SMTP,
    // Chromium) and polls for settled state, so three files at once cut the wall time (integration and scenarios:
    // 7.5 minutes one at a time, 4.6 three at a time, all passing). Each file has its own databases, Temporal
    // environment and ports. The browser tests stay one at a time: each drives its own Chromium.
    maxWorkers: 3,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'workflows',
          setupFiles: ['test/helpers/setup-runtime.ts'],
          include: ['test/workflows/**/*.test.ts', 'test/replay/**/*.test.ts'],
          fileParallelism: true,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          setupFiles: ['test/helpers/setup-runtime.ts'],
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: true,
        },
      },
      {
        extends: true,
        test: {
          name: 'scenarios',
          setupFiles: ['test/helpers/setup-runtime.ts'],
          include: ['test/scenarios/**/*.test.ts'],
          fileParallelism: true,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          setupFiles: ['test/helpers/setup-runtime.ts'],
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
