/**
 * Test harness for the relay: a minimal node:http server whose 'upgrade' event calls
 * `relay.handleUpgrade` (the real code path the gateway's HTTP part uses), with captured log lines.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createLogger } from '../../src/node/logger.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../../src/gateway/metrics.ts';
import { createRelay, type Relay, type RelayOptions, type UpstreamTarget } from '../../src/gateway/relay/index.ts';

export interface RelayHarness {
  port: number;
  url: string;
  relay: Relay;
  metrics: GatewayMetrics;
  /** Every log line written so far (raw JSON text). */
  logs: string[];
  server: Server;
  close(): Promise<void>;
}

export async function startRelayHarness(
  target: UpstreamTarget | ((req: IncomingMessage) => UpstreamTarget),
  options: Partial<Omit<RelayOptions, 'logger' | 'metrics'>> = {},
): Promise<RelayHarness> {
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(s) } });
  const metrics = createGatewayMetrics();
  const relay = createRelay({ logger, metrics, ...options });
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    relay.handleUpgrade(req, socket, head, typeof target === 'function' ? target(req) : target);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    relay,
    metrics,
    logs,
    server,
    async close() {
      await relay.shutdown(1000);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function target(url: string, extra: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return {
    url,
    token: 'test-token',
    deviceId: 'a0:85:e3:f4:49:34',
    clientId: 'c8238260-aa41-46bf-a1af-2cb3e2955931',
    protocolVersion: 1,
    context: { via: 'ticket', deviceActivated: true },
    ...extra,
  };
}

export interface ClientCapture {
  ws: WebSocket;
  messages: { data: Buffer; binary: boolean }[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A ws client that records every message and its close. */
export function connectClient(url: string, opts: WebSocket.ClientOptions = {}): ClientCapture {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...opts });
  const messages: { data: Buffer; binary: boolean }[] = [];
  ws.on('message', (data: Buffer, binary) => messages.push({ data, binary }));
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, messages, opened, closed };
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Parsed JSON log lines. */
export function logRecords(logs: string[]): Record<string, unknown>[] {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A hand-rolled WebSocket client on a raw TCP socket: it can stop reading entirely (slow reader). */
export interface RawClient {
  socket: import('node:net').Socket;
  sendText(text: string): void;
  /** One masked frame (payload ≤125 bytes). */
  frame(opcode: number, fin: boolean, payload?: Buffer): Buffer;
  stopReading(): void;
}

export async function rawClient(port: number, path = '/ws'): Promise<RawClient> {
  const { connect } = await import('node:net');
  const { randomBytes } = await import('node:crypto');
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const key = randomBytes(16).toString('base64');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) {
        socket.off('data', onData);
        if (buf.startsWith('HTTP/1.1 101')) resolve();
        else reject(new Error(buf.split('\r\n')[0]));
      }
    };
    socket.on('data', onData);
  });
  const frame = (opcode: number, fin: boolean, payload = Buffer.alloc(0)) => {
    if (payload.length > 125) throw new Error('short frames only');
    const mask = randomBytes(4);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]), mask, masked]);
  };
  return {
    socket,
    frame,
    sendText(text: string) {
      socket.write(frame(1, true, Buffer.from(text)));
    },
    stopReading() {
      socket.pause();
    },
  };
}
