// Shared setup for tests that drive the real `stripe` package over HTTP against the simulator.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NormalizedWebhookEvent, WebhookVerifier } from '../../../integrations/types.js';
import { createStripeClient, type StripeClientOptions } from '../../../integrations/stripe/client.js';
import {
  createStripeConnector,
  type StripeConnector,
  type StripeConnectorOptions,
} from '../../../integrations/stripe/connector.js';
import type { StripeSimulator } from '../../../simulators/stripe/index.js';

/** A connector on one simulated account, using a restricted key of that account unless told otherwise. */
export function connectorFor(
  sim: StripeSimulator,
  accountId: string,
  opts: { client?: Partial<StripeClientOptions>; connector?: Partial<StripeConnectorOptions> } = {},
): StripeConnector {
  const client = createStripeClient({
    apiKey: sim.admin.issueRestrictedKey(accountId),
    baseUrl: sim.url,
    opsPerSecond: 500,
    ...opts.client,
  });
  return createStripeConnector({ client, accountId, ...opts.connector });
}

/** Pulls until the feed is drained, returning every batch. */
export async function drain(connector: StripeConnector, cursor?: string) {
  const batches = [await connector.pullChanges(cursor ? { cursor } : {})];
  for (let b = batches[0]; b?.nextCursor;) {
    b = await connector.pullChanges({ pageCursor: b.nextCursor });
    batches.push(b);
  }
  return batches;
}

export interface Receiver {
  readonly url: string;
  readonly accepted: NormalizedWebhookEvent[];
  readonly rejected: string[];
  /** Answer 500 to this many deliveries before accepting. */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** A webhook endpoint like the app's: raw body → verify → record (deduplicated by event id) → 2xx. */
export async function startReceiver(verifier: WebhookVerifier, nowMs: () => number = Date.now): Promise<Receiver> {
  const accepted: NormalizedWebhookEvent[] = [];
  const rejected: string[] = [];
  const seen = new Set<string>();
  let failures = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        return void res.writeHead(500).end();
      }
      const result = verifier.verify({ raw: Buffer.concat(chunks), headers: req.headers, nowMs: nowMs() });
      if (!result.ok) {
        rejected.push(result.reason);
        return void res.writeHead(result.reason === 'malformed' ? 400 : 401).end();
      }
      for (const e of result.events) {
        if (!seen.has(e.eventId)) accepted.push(e);
        seen.add(e.eventId);
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ received: result.events.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    accepted,
    rejected,
    failNext: (n) => void (failures = n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
