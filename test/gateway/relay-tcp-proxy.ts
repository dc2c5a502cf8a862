/** A TCP relay for tests that can turn into a black hole: stops forwarding both ways without closing. */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Stop forwarding in both directions; sockets stay open (half-dead peer, §2.6). */
  blackHole(): void;
  /** Number of client-side sockets still open. */
  openSockets(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let holed = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!holed) to.write(chunk);
      });
      from.on('end', () => {
        if (!holed) to.end();
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    blackHole: () => void (holed = true),
    openSockets: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
