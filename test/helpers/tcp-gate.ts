// A TCP gate in front of a real server, for tests where that server goes away and comes back: cut() resets every
// connection through the gate and refuses new ones, as a crashed or unreachable server does; open() lets
// connections through again. The server behind it keeps running (and keeps serving anyone who reaches it directly).
import net from 'node:net';

export interface TcpGate {
  /** host:port to connect to instead of the server's own. */
  readonly address: string;
  cut(): void;
  open(): void;
  close(): Promise<void>;
}

export async function startTcpGate(target: string): Promise<TcpGate> {
  const at = target.lastIndexOf(':');
  const host = target.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(target.slice(at + 1));
  let passing = true;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = net.createServer((client) => {
    track(client);
    if (!passing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(port, host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: own } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${own}`,
    cut() {
      passing = false;
      for (const s of sockets) s.resetAndDestroy();
    },
    open() {
      passing = true;
    },
    async close() {
      passing = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
