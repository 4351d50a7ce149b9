#!/usr/bin/env node
// `shortfall [embedded|server|worker]`: runs the TypeScript sources through tsx's loader, with Node set up as every
// Shortfall process runs (bin/process-settings.js). V8 flags and malloc's environment take effect only when a process
// starts, so a process started without them starts again in place (same pid, same signals) with them first.
import { register } from 'tsx/esm/api';
import { nodeFlags, processEnv } from './process-settings.js';

const applied = 'SHORTFALL_PROCESS_SETTINGS';
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
// Node reads `--max_semi_space_size` and `--max-semi-space-size` alike: so does this check.
const flagName = (f) => f.split('=')[0].replace(/_/g, '-');
const missingFlags = nodeFlags.filter((f) => !given.some((g) => flagName(g) === flagName(f)));
// What the operator set in the environment stands.
const missingEnv = Object.entries(processEnv).filter(([k]) => process.env[k] === undefined);
// A container health check (`shortfall healthcheck`) only reads a file or /readyz: it starts once, as it is.
const lasting = process.argv[2] !== 'healthcheck';
if (lasting && !process.env[applied] && (missingFlags.length > 0 || missingEnv.length > 0) && process.execve) {
  process.execve(process.execPath, [process.execPath, ...missingFlags, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    ...Object.fromEntries(missingEnv),
    [applied]: '1',
  });
}

// Applied to this process only: a shortfall process started from this one checks for itself.
delete process.env[applied];

register();
await import('../src/app/main.ts');
