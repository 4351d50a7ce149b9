// How every Shortfall process runs Node: bin/shortfall.js (the image's entry point, `npm start`) applies these before
// the app loads, and the open-cases bench gives both of its workers the same (bench/system/open-cases.ts).
// Measured there (issue 18): V8 grows each thread's young generation up to 64 MiB a semi-space under a busy worker
// (main thread and workflow thread: about 250 MB resident that a full GC never gives back), and glibc gives each of
// Temporal Core's and Node's threads its own 64 MiB malloc arena, each kept fragmented.
export const nodeFlags = ['--max-semi-space-size=16'];
export const processEnv = { MALLOC_ARENA_MAX: '2' };
