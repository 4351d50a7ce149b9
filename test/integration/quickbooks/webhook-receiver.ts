// A bare HTTP endpoint that records what the simulator posts, raw bytes and headers, and can fail on purpose.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  readonly raw: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

/** `answer` decides the status from the delivery (e.g. the production verifier: 2xx only when it accepts it). */
export async function startWebhookReceiver(
  options: { failFirst?: number; answer?: (raw: Buffer, headers: IncomingHttpHeaders) => number } = {},
) {
  const deliveries: Delivery[] = [];
  let failuresLeft = options.failFirst ?? 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const status = failuresLeft-- > 0 ? 500 : (options.answer?.(raw, req.headers) ?? 200);
      deliveries.push({ raw, headers: req.headers, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/quickbooks`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
