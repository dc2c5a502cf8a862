/**
 * A TCP relay that can turn into a black hole (reliability §2.6): it keeps both connections open but
 * stops forwarding in both directions, like a pulled cable or a dead NAT entry. The kernel still ACKs, so
 * only application-level liveness (WebSocket pings) can notice.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpRelay {
  port: number;
  /** Stop forwarding on every current and future connection; sockets stay open. */
  blackHole(): void;
  /** Client-side connections currently open. */
  openCount(): number;
  close(): Promise<void>;
}

export function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  let holed = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (d) => {
      if (!holed) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!holed) client.write(d);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({
        port: typeof a === 'object' && a ? a.port : 0,
        blackHole: () => {
          holed = true;
        },
        openCount: () => [...sockets].filter((s) => !s.destroyed).length / 2,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
