// Loaded with --import into a bench worker process: answers the parent's 'measure' message over IPC with this
// process's own RSS and CPU, and the V8 heap of the main thread and of the SDK's workflow threads (each after a full
// GC when --expose-gc is on, so the figures are what stays, not garbage). Beside what each heap uses it reports what
// V8 keeps resident for it (its pages, used or not), and where the rest of the RSS lies (/proc/self/smaps, on
// Linux): the glibc heap and arenas (Temporal Core's Rust allocations, Node's own buffers), V8's pages, code. Workflow
// threads inherit --import; they answer over a BroadcastChannel, which leaves the SDK's own messages to them alone.
import { readdirSync, readFileSync } from 'node:fs';
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';

const gc = (globalThis as { gc?: () => void }).gc;
const channel = new BroadcastChannel('shortfall-bench-probe');
channel.unref();

interface ThreadHeap {
  readonly threadId: number;
  readonly heapUsed: number;
  /** The heap's pages V8 keeps resident, used or not. */
  readonly heapPhysical: number;
  /** What V8 itself allocated with malloc (its zones, compiler), outside the heap's pages. */
  readonly malloced: number;
}

const heap = (): ThreadHeap => {
  gc?.();
  const h = getHeapStatistics();
  return { threadId, heapUsed: h.used_heap_size, heapPhysical: h.total_physical_size, malloced: h.malloced_memory };
};

/**
 * The process's resident memory by kind of mapping, in bytes: V8's heap pages (anonymous 256 KiB mappings), the
 * malloc heap (`[heap]`, the main arena) and other anonymous mappings (glibc's per-thread arenas, 64 MiB reserved
 * each, thread stacks, large allocations), and file-backed code (node, the Temporal Core addon).
 */
function residentByKind(): Record<string, number> {
  const kinds: Record<string, number> = { v8Pages: 0, mallocHeap: 0, otherAnon: 0, files: 0 };
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return kinds;
  }
  let kind = 'otherAnon';
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      const size = parseInt(m[2]!, 16) - parseInt(m[1]!, 16);
      const name = m[3]!;
      kind = name.startsWith('/')
        ? 'files'
        : name === '[heap]'
          ? 'mallocHeap'
          : name === '' && size === 256 * 1024
            ? 'v8Pages'
            : 'otherAnon';
    } else if (line.startsWith('Rss:')) kinds[kind]! += Number(line.split(/\s+/)[1]) * 1024;
  }
  return kinds;
}

/**
 * CPU time by thread name, in microseconds (/proc/self/task, on Linux): the main thread (activities, the SDK's Node
 * side), the workflow thread, Temporal Core's tokio threads, libuv's pool, V8's GC and compiler workers.
 */
function cpuByThread(): Record<string, number> {
  const byName: Record<string, number> = {};
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return byName;
  }
  const tick = 1e6 / 100; // USER_HZ
  for (const t of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const micros = (Number(fields[11]) + Number(fields[12])) * tick; // utime, stime
      byName[name] = (byName[name] ?? 0) + micros;
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}

/**
 * SQL statements this process sent, by text (BENCH_COUNT_STATEMENTS=1, production worker only: the sleeping worker
 * never loads pg, and must not for its RSS). Every statement goes through pg's Client.query, pooled or not.
 */
const statements = new Map<string, number>();
if (isMainThread && process.env.BENCH_COUNT_STATEMENTS) {
  const { default: pg } = await import('pg');
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const c = args[0];
    const text = typeof c === 'string' ? c : ((c as { text?: string } | undefined)?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 120);
    statements.set(key, (statements.get(key) ?? 0) + 1);
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

if (!isMainThread) {
  channel.onmessage = (e) => {
    if ((e as MessageEvent).data === 'heap?') channel.postMessage(heap());
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
      const main = heap();
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      process.send?.({
        measured: {
          rss: mem.rss,
          heapUsed: main.heapUsed,
          heapPhysical: main.heapPhysical,
          workflowThreadsHeap: threads.reduce((t, h) => t + h.heapUsed, 0),
          workflowThreadsPhysical: threads.reduce((t, h) => t + h.heapPhysical, 0),
          malloced: threads.reduce((t, h) => t + h.malloced, main.malloced),
          threads: threads.length,
          resident: residentByKind(),
          external: mem.external,
          cpuMicros: cpu.user + cpu.system,
          cpuByThread: cpuByThread(),
          statements: Object.fromEntries(statements),
        },
      });
    });
  });
  // The IPC channel alone must not keep a worker alive once it has shut down.
  process.channel?.unref();
}
