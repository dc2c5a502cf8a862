/**
 * A tiny scriptable upstream for conditions the devserver cannot produce: raw Close frames with invalid
 * codes or oversize reasons, HTTP statuses on upgrade, a connection dropped without a Close frame.
 * Script via the upgrade URL's query (`?status=401`, `?rawclose=1004&reason=...`, `?close=4000`).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

export interface TestUpstream {
  url: string;
  port: number;
  server: Server;
  /** Handshake headers of every upgrade request, in order. */
  requests: IncomingMessage['headers'][];
  connections: WebSocket[];
  /** Close code/reason each connection received from the relay. */
  closes: { code: number; reason: string }[];
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Complete a handshake by hand and write one Close frame with any code/reason bytes (invalid ones too). */
function rawClose(req: IncomingMessage, socket: Duplex, code: number, reason: Buffer): void {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const payload = code < 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([code >> 8, code & 0xff]), reason]);
  const header = payload.length < 126 ? Buffer.from([0x88, payload.length]) : Buffer.from([0x88, 126, payload.length >> 8, payload.length & 0xff]);
  // Wait for the client's hello so the relay has an open session, then close.
  socket.once('data', () => socket.end(Buffer.concat([header, payload]))); // server closes TCP after Close (RFC 6455 §7.1.1)
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** Send as fast as the upstream's own buffer allows (≤256 KiB queued here), until the socket closes. */
function startFlood(ws: WebSocket, json: boolean, size: number): void {
  const audio = Buffer.alloc(size, 7);
  const text = JSON.stringify({ type: 'tts', state: 'sentence_start', text: 'x'.repeat(size) });
  const t = setInterval(() => {
    if (ws.readyState !== WebSocket.OPEN) return clearInterval(t);
    for (let i = 0; i < 64 && ws.bufferedAmount < 256 * 1024; i++) {
      if (json) ws.send(text);
      else ws.send(audio, { binary: true });
      (ws as WebSocket & { sent?: number }).sent = ((ws as WebSocket & { sent?: number }).sent ?? 0) + 1;
    }
  }, 2);
}

export async function startUpstream(): Promise<TestUpstream> {
  const requests: IncomingMessage['headers'][] = [];
  const connections: WebSocket[] = [];
  const closes: { code: number; reason: string }[] = [];
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    requests.push(req.headers);
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const status = q.get('status');
    if (status) {
      socket.end(`HTTP/1.1 ${status} Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    const raw = q.get('rawclose');
    if (raw !== null) return rawClose(req, socket, Number(raw), Buffer.from(q.get('reason') ?? '', 'utf8'));
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections.push(ws);
      ws.on('error', () => {});
      ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
      if (q.get('closeonopen')) return ws.close();
      ws.on('message', (data: Buffer, binary) => {
        if (!binary && data.includes('"hello"')) {
          ws.send(JSON.stringify({ type: 'hello', transport: 'websocket', session_id: 'sess-1', audio_params: { sample_rate: 24000 } }));
          const close = q.get('close');
          if (close === 'empty') ws.close();
          else if (close) ws.close(Number(close), q.get('reason') ?? '');
          if (q.get('drop') === 'after-hello') setTimeout(() => ws.terminate(), 20);
          const flood = q.get('flood');
          if (flood) startFlood(ws, flood === 'json', Number(q.get('size') ?? 1000));
          return;
        }
        ws.send(data, { binary });
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/xiaozhi/v1/`,
    port,
    server,
    requests,
    connections,
    closes,
    async close() {
      for (const c of connections) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
