// Worker logs at WARN and above only, so test output stays readable. Runs once per forked test file.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
