// Closing the HTTP server at a stop. Fastify's close() stops listening and closes idle keep-alive connections, then
// waits for every other connection to end. A connection a browser opened ahead of time and never sent a request on
// (Chromium preconnects to a page's origin) counts as neither idle nor busy to Node, so with a tab open close() waited
// until the process was killed at its 30 s grace: the worker never drained and the Temporal dev server was left
// running on its ports.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * How long requests in flight at a stop get to be answered before their connections are closed anyway: inside the
 * process's 30 s grace (src/app/main.ts), leaving the worker time to drain after it.
 */
export const requestGraceMs = 15_000;

/**
 * Watches `app`'s connections and requests from now on (call before it is ready) and returns its close for a stop.
 * Connections that never carried a request are closed at once; a request in flight is answered, and its connection
 * closed after the answer; whatever is still open after `graceMs` is closed. It resolves once every connection is
 * closed and every handler has replied (one whose connection was closed under it gets at most `graceMs` more), so
 * that nothing stopped after it, the database above all, closes under a handler still running.
 */
export function closeWhenStopping(
  app: FastifyInstance,
  graceMs = requestGraceMs,
): () => Promise<{ unanswered: number }> {
  const unused = new Set<Socket>();
  const busy = new Map<Socket, number>();
  let stopping = false;
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    unused.delete(socket);
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    if (stopping) res.setHeader('connection', 'close');
    res.once('close', () => {
      const left = (busy.get(socket) ?? 1) - 1;
      if (left > 0) busy.set(socket, left);
      else {
        busy.delete(socket);
        if (stopping) socket.end(); // answered: the keep-alive connection ends with it
      }
    });
  });
  // Handlers still working, counted from the request's first hook to its reply (whether or not the client is still
  // there to read it): a closed connection does not stop a handler.
  const handling = new Set<IncomingMessage>();
  let allReplied: (() => void) | undefined;
  app.addHook('onRequest', async (req) => void handling.add(req.raw));
  app.addHook('onSend', async (req, reply, payload) => {
    if (stopping) reply.header('connection', 'close');
    if (handling.delete(req.raw) && handling.size === 0) allReplied?.();
    return payload;
  });
  return async () => {
    stopping = true;
    const closed = app.close();
    for (const socket of unused) socket.destroy();
    const force = setTimeout(() => app.server.closeAllConnections(), graceMs);
    try {
      await closed;
    } finally {
      clearTimeout(force);
    }
    if (handling.size > 0)
      await new Promise<void>((resolve) => {
        allReplied = resolve;
        setTimeout(resolve, graceMs).unref();
      });
    return { unanswered: handling.size };
  };
}
