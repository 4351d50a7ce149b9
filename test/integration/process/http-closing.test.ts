// The HTTP server at a stop (src/app/http/closing.ts): a connection a browser opened and never used is closed at once,
// a request in flight is still answered, and the stop waits for its handler, so the database is not closed under it.
import { once } from 'node:events';
import net from 'node:net';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { closeWhenStopping } from '../../../src/app/http/closing.js';
import { eventually } from '../../helpers/eventually.js';

const opened: net.Socket[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.destroy();
});

async function serverWithSlowRoute(graceMs: number) {
  const app = Fastify();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let handlerDone = false;
  let reached = false;
  app.post('/slow', async () => {
    reached = true;
    await released;
    handlerDone = true;
    return { ok: true };
  });
  const close = closeWhenStopping(app, graceMs);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as net.AddressInfo;
  return { app, port, close, release, handlerDone: () => handlerDone, reached: () => reached };
}

/** A raw connection, as a browser's preconnect: open, nothing sent. */
async function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  opened.push(socket);
  await once(socket, 'connect');
  let closed = false;
  socket.once('close', () => (closed = true));
  return { socket, closed: () => closed };
}

describe('closing the HTTP server at a stop', () => {
  it('closes an unused connection at once and answers the request in flight before it is done', async () => {
    const s = await serverWithSlowRoute(60_000);
    const preconnect = await rawConnection(s.port);
    const answer = fetch(`http://127.0.0.1:${s.port}/slow`, { method: 'POST' });
    await eventually(() => s.reached(), Boolean, 'the request to reach its handler');
    let stopped = false;
    const stopping = s.close().then((r) => {
      stopped = true;
      return r;
    });
    await eventually(() => preconnect.closed(), Boolean, 'the unused connection closed at the stop');
    expect(stopped, 'the stop waits for the request in flight').toBe(false);
    s.release();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual({ ok: true });
    expect(await stopping).toEqual({ unanswered: 0 });
  });

  it('past its grace, closes the connection of a request still in flight and waits for the handler to reply', async () => {
    const s = await serverWithSlowRoute(200);
    const answer = fetch(`http://127.0.0.1:${s.port}/slow`, { method: 'POST' }).catch((err: unknown) => err);
    await eventually(() => s.reached(), Boolean, 'the request to reach its handler');
    let stopped = false;
    const stopping = s.close().then((r) => {
      stopped = true;
      return r;
    });
    expect(await answer, 'the client lost its connection at the grace').toBeInstanceOf(Error);
    expect(stopped, 'the handler is still running: the stop waits').toBe(false);
    s.release();
    expect(await stopping).toEqual({ unanswered: 0 });
    expect(s.handlerDone()).toBe(true);
  });
});
