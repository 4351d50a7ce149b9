// Loaded with --import into a bench worker process: answers the parent's 'measure' message over IPC with this
// process's own RSS and CPU, and the V8 heap of the main thread and of the SDK's workflow threads (each after a full
// GC when --expose-gc is on, so the figures are what stays, not garbage). The rest of the RSS is native memory:
// Temporal Core, ICU, buffers, malloc's own. Workflow threads inherit --import; they answer over a BroadcastChannel,
// which leaves the SDK's own messages to and from them alone.
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';

const gc = (globalThis as { gc?: () => void }).gc;
const channel = new BroadcastChannel('shortfall-bench-probe');
channel.unref();

interface ThreadHeap {
  readonly threadId: number;
  readonly heapUsed: number;
}

const heapUsed = () => {
  gc?.();
  return getHeapStatistics().used_heap_size;
};

if (!isMainThread) {
  channel.onmessage = (e) => {
    if ((e as MessageEvent).data === 'heap?') channel.postMessage({ threadId, heapUsed: heapUsed() });
  };
} else {
  /** Heaps of the workflow threads: each answers within the window or counts as absent (it may be busy). */
  const threadHeaps = (): Promise<ThreadHeap[]> =>
    new Promise((resolve) => {
      const got: ThreadHeap[] = [];
      channel.onmessage = (e) => got.push((e as MessageEvent).data as ThreadHeap);
      channel.postMessage('heap?');
      setTimeout(() => resolve(got), 5_000).unref();
    });
  process.on('message', (m: unknown) => {
    if (m !== 'measure') return;
    void threadHeaps().then((threads) => {
      const main = heapUsed();
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      process.send?.({
        measured: {
          rss: mem.rss,
          heapUsed: main,
          workflowThreadsHeap: threads.reduce((t, h) => t + h.heapUsed, 0),
          external: mem.external,
          cpuMicros: cpu.user + cpu.system,
        },
      });
    });
  });
  // The IPC channel alone must not keep a worker alive once it has shut down.
  process.channel?.unref();
}
