// Worker logs at WARN and above only, so test output stays readable. Runs once per forked test file.
// No shutdown signals: by default the Temporal runtime answers SIGINT/SIGTERM by draining its workers, so a test
// fork told to stop (by Vitest, or by an interrupted run's reaper) would linger until its test ends. A test fork
// should simply die; the run's reaper stops the servers it started (reaper.ts).
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
