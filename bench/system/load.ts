// The webhook load generator, run as a child process of the bench (bench/system/webhooks.ts forks it) so that
// autocannon's own work (building and signing bodies, parsing answers, its timers) never shares an event loop with
// the server it measures, for the bare route and the real one alike. It sends signed Stripe events at a fixed
// offered rate and reports autocannon's summary plus the ids of the events whose delivery was acknowledged (2xx),
// for the parent to check against the inbox.
//
// Each run offers the same number of requests (rate × seconds) and lasts until the last answer: throughput is what
// was offered over the time it took to answer all of it. A run cut at a fixed duration instead counted whatever
// autocannon's per-connection one-second windows happened to start before the cut: 5,000 to 5,500 requests, and the
// few milliseconds a real route takes longer decided whether the last window's answers counted (the bare route read
// 516–525 req/s at an offered 500/s, the real route 498–500: a 0.95 "ratio" that was the cut, not the server).
import autocannon from 'autocannon';
import { signPayload } from '../../simulators/stripe/index.js';

export interface LoadRequest {
  readonly url: string;
  readonly seconds: number;
  readonly rate: number;
  readonly connections: number;
  readonly secret: string;
  readonly account: string;
}

export interface LoadReport {
  readonly ok: number;
  readonly errors: number;
  readonly durationS: number;
  readonly p50: number;
  readonly p99: number;
  readonly acknowledged: string[];
}

function eventBody(id: string, account: string, n: number): string {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'invoice.updated',
    account,
    api_version: '2025-03-31.basil',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object: { id: `in_${n}`, object: 'invoice' } },
  });
}

async function run(o: LoadRequest): Promise<LoadReport> {
  const run = Math.random().toString(36).slice(2);
  const acknowledged: string[] = [];
  let n = 0;
  const r = await autocannon({
    url: o.url,
    method: 'POST',
    connections: o.connections,
    overallRate: o.rate,
    amount: o.rate * o.seconds,
    requests: [
      {
        // One request at a time per connection (no pipelining), so the connection's context names the event its
        // answer is for.
        setupRequest: (req, context: { eventId?: string }) => {
          n += 1;
          const eventId = `evt_bench_${run}_${n}`;
          context.eventId = eventId;
          const body = eventBody(eventId, o.account, n);
          return {
            ...req,
            body,
            headers: {
              'content-type': 'application/json',
              'stripe-signature': signPayload(body, o.secret, Math.floor(Date.now() / 1000)),
            },
          };
        },
        onResponse: (status, _body, context: { eventId?: string }) => {
          if (status >= 200 && status < 300 && context.eventId) acknowledged.push(context.eventId);
        },
      },
    ],
  });
  return {
    ok: r['2xx'],
    errors: r.errors + r.timeouts + r.non2xx,
    durationS: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    acknowledged,
  };
}

process.once('message', (o: LoadRequest) => {
  run(o).then(
    (report) => process.send?.(report, () => process.exit(0)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
