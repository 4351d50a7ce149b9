// How every Shortfall process runs Node: bin/shortfall.js (the image's entry point, `npm start`) applies these before
// the app loads, and the open-cases bench gives both of its workers the same (bench/system/open-cases.ts).
// Measured there (issue 18): V8 grows each thread's young generation up to 64 MiB a semi-space under a busy worker
// (main thread and workflow thread: about 250 MB resident that a full GC never gives back), and glibc gives each of
// Temporal Core's and Node's threads its own 64 MiB malloc arena, each kept fragmented. And V8 lets the old
// generation grow to about three times what a full GC leaves live before it collects again: a Xero backfill (41 MB
// live between pages) peaked at 290 MB; at one and a half times (`--heap-growing-percent=50`) it peaks at 178–185 MB,
// and 300 open cases cost the worker no more CPU (bench/system/backfill.ts, open-cases.ts). Node refuses this flag
// in NODE_OPTIONS: it goes on the command line (bin/shortfall.js, the Dockerfile's entry point).
export const nodeFlags = ['--max-semi-space-size=16', '--heap-growing-percent=50'];
export const processEnv = { MALLOC_ARENA_MAX: '2' };
