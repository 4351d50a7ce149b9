// Forwards Temporal's Runtime (core + SDK) logs into pino, so worker lines carry workflowId and runId.
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../../services/logger.js';

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

/** Runtime.install may run once per process, before any connection or worker (reference/temporal.md §8). */
export function installTemporalRuntimeLogger(logger: Logger): void {
  if (installed) return;
  installed = true;
  const log = logger.child({ module: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => {
      // Some meta keys are Symbols, which pino would drop anyway; keep plain data only.
      log[levels[level]]({ ...(meta ?? {}) }, message);
    }),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) } },
    // src/app/main.ts owns shutdown (server, worker, dev server in order); the SDK must not drain on its own.
    shutdownSignals: [],
  });
}
