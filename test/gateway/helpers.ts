/** Shared test helpers: an in-process gateway on port 0 with captured logs, and WebSocket probes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { createLogger } from '../../src/node/logger.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/gateway/gateway.ts';
import type { GatewayConfig } from '../../src/gateway/config.ts';

export interface TestGateway extends RunningGateway {
  logs: string[];
  wsBase: string;
  dataDir: string;
}

export async function startTestGateway(overrides: Partial<GatewayConfig> = {}, options: GatewayOptions = {}): Promise<TestGateway> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'xzw-gw-'));
  const running = await startGateway(
    { port: 0, host: '127.0.0.1', logLevel: 'debug', dataDir, ...overrides },
    { logger: createLogger({ level: 'debug', destination }), ...options },
  );
  return { ...running, logs, wsBase: running.url.replace(/^http/, 'ws'), dataDir };
}

export interface WsProbe {
  ws: WebSocket;
  opened: Promise<void>;
  /** Close as seen by the client. */
  closed: Promise<{ code: number; reason: string }>;
  /** HTTP status when the upgrade was refused (before any WebSocket). */
  refused: Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
  messages: (string | Buffer)[];
  nextMessage(): Promise<string | Buffer>;
}

export function openWs(url: string, headers: Record<string, string> = {}): WsProbe {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const messages: (string | Buffer)[] = [];
  const waiters: ((m: string | Buffer) => void)[] = [];
  ws.on('message', (data, isBinary) => {
    const m = isBinary ? (data as Buffer) : data.toString();
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  });
  ws.on('error', () => {});
  const opened = new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('close', (code) => rej(new Error(`closed ${code} before open`)));
    ws.once('unexpected-response', (_req, res) => rej(new Error(`refused with HTTP ${res.statusCode}`)));
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((res) => {
    ws.once('close', (code, reason) => res({ code, reason: reason.toString() }));
    // A refused upgrade never opens: report it as a negative "code" so tests fail fast, not by timeout.
    ws.once('unexpected-response', (_req, response) => res({ code: -(response.statusCode ?? 0), reason: 'refused before upgrade' }));
  });
  const refused = new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((res, rej) => {
    ws.once('unexpected-response', (_req, response) => {
      let body = '';
      response.on('data', (c: Buffer) => (body += c.toString()));
      response.on('end', () => res({ status: response.statusCode ?? 0, headers: response.headers, body }));
      response.on('error', () => res({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    ws.once('open', () => rej(new Error('upgrade was accepted')));
  });
  refused.catch(() => {});
  return {
    ws, opened, closed, refused, messages,
    nextMessage: () =>
      new Promise((res, rej) => {
        const m = messages.shift();
        if (m !== undefined) return res(m);
        waiters.push(res);
        ws.once('close', (code) => rej(new Error(`closed ${code} while waiting for a message`)));
      }),
  };
}

export const CLIENT_HELLO = JSON.stringify({
  type: 'hello', version: 1, features: { mcp: true }, transport: 'websocket',
  audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
});

/** Send hello and wait for the server hello. */
export async function helloRoundTrip(p: WsProbe): Promise<Record<string, unknown>> {
  await p.opened;
  p.ws.send(CLIENT_HELLO);
  for (;;) {
    const m = await p.nextMessage();
    if (typeof m !== 'string') continue;
    const j = JSON.parse(m) as Record<string, unknown>;
    if (j['type'] === 'hello') return j;
  }
}
