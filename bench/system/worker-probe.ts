// Loaded with --import into a bench worker process: answers the parent's 'measure' message over IPC with this
// process's own RSS and CPU (after a full GC when --expose-gc is on, so the figure is what stays, not garbage).
import { isMainThread } from 'node:worker_threads';

const gc = (globalThis as { gc?: () => void }).gc;

// Worker threads (the SDK runs workflows in some) inherit --import: only the main thread answers.
if (isMainThread)
  process.on('message', (m: unknown) => {
    if (m !== 'measure') return;
    gc?.();
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    process.send?.({
      measured: { rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, cpuMicros: cpu.user + cpu.system },
    });
  });
// The IPC channel alone must not keep a worker alive once it has shut down.
if (isMainThread) process.channel?.unref();
