// Worker logs at WARN and above only, so test output stays readable. Runs once per forked test file.
// No shutdown signals: a test fork told to stop (by Vitest, or by an interrupted run's reaper) should simply die
// rather than start draining its Workers; the run's reaper stops the servers it started (reaper.ts). (The fork that
// lingered in the interrupt probe was Playwright's doing, see e2e/browser.ts; this keeps the runtime out of it too.)
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
