// Closing the HTTP server at a stop. Fastify's close() stops listening and closes idle keep-alive connections, then
// waits for every other connection to end. A connection a browser opened ahead of time and never sent a request on
// (Chromium preconnects to a page's origin) counts as neither idle nor busy to Node, so with a tab open close() waited
// until the process was killed at its 30 s grace: the worker never drained and the Temporal dev server was left
// running on its ports.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long requests in flight at a stop get to finish before their connections are closed too. */
export const requestGraceMs = 5_000;

/**
 * Watches `app`'s connections from now on (call before listening) and returns its close for a stop: connections that
 * never carried a request are closed at once, requests in flight get `graceMs` to finish, and whatever is still open
 * then is closed.
 */
export function closeWhenStopping(app: FastifyInstance, graceMs = requestGraceMs): () => Promise<void> {
  const unused = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  app.server.on('request', (req: { socket: Socket }) => unused.delete(req.socket));
  return async () => {
    const closed = app.close();
    for (const socket of unused) socket.destroy();
    const force = setTimeout(() => app.server.closeAllConnections(), graceMs);
    try {
      await closed;
    } finally {
      clearTimeout(force);
    }
  };
}
