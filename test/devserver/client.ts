/** Test client for the devserver: a raw `ws` socket that records text messages, audio frames and the close. */
import { WebSocket } from 'ws';
import { decodeAudioFrame, encodeAudioFrame, type ProtocolVersion } from '../../src/protocol/binary-frame.ts';

export interface Received { kind: 'text'; at: number; raw: string; json: Record<string, unknown> | null }
export interface AudioIn { at: number; payload: Uint8Array }

export interface TestClient {
  ws: WebSocket;
  texts: Received[];
  audio: AudioIn[];
  /** Sequence of text and audio events in arrival order ('audio' for a binary frame). */
  order: string[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  send(msg: Record<string, unknown>): void;
  sendAudio(packet: Uint8Array, timestamp?: number): void;
  /** Resolve with the first message (already received or future) matching `pred`. */
  waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  hello(extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface ConnectOptions {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  version?: ProtocolVersion;
  /** Trust this CA (TLS tests); verification stays on. */
  ca?: string | Buffer;
}

export function connect(wsUrl: string, opts: ConnectOptions = {}): TestClient {
  const url = new URL(wsUrl);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers = { ...(opts.headers ?? {}) };
  if (opts.version) headers['protocol-version'] = String(opts.version);
  const ws = new WebSocket(url, { headers, perMessageDeflate: false, ...(opts.ca ? { ca: opts.ca } : {}) });
  const version = opts.version ?? 1;
  const texts: Received[] = [];
  const audio: AudioIn[] = [];
  const order: string[] = [];
  const waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    const buf = data as Buffer;
    if (isBinary) {
      const f = decodeAudioFrame(version, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      if (!f.ok) throw new Error(f.detail);
      audio.push({ at: performance.now(), payload: f.payload.slice() });
      order.push('audio');
      return;
    }
    const raw = buf.toString('utf8');
    let json: Record<string, unknown> | null = null;
    try { json = JSON.parse(raw) as Record<string, unknown>; } catch { /* plain text frame (ES auth errors) */ }
    texts.push({ kind: 'text', at: performance.now(), raw, json });
    order.push(json ? `${json.type}${json.state ? `:${json.state}` : ''}` : `text:${raw}`);
    if (json) for (const w of [...waiters]) if (w.pred(json)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(json); }
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const client: TestClient = {
    ws, texts, audio, order, opened, closed,
    send: (msg) => ws.send(JSON.stringify(msg)),
    sendAudio: (p, ts = 0) => ws.send(encodeAudioFrame(version, p, ts)),
    waitFor(pred, timeoutMs = 5000) {
      const found = texts.find((t) => t.json && pred(t.json));
      if (found?.json) return Promise.resolve(found.json);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (m: Record<string, unknown>) => { clearTimeout(timer); resolve(m); } };
        const timer = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error(`timeout waiting; got ${order.join(',')}`)); }, timeoutMs);
        waiters.push(w);
      });
    },
    async hello(extra = {}) {
      await opened;
      client.send({ type: 'hello', version, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 }, ...extra });
      return client.waitFor((m) => m.type === 'hello');
    },
  };
  return client;
}

export const MAC = 'a0:85:e3:f4:49:34';
export const UUID = 'c8238260-aa41-46bf-a1af-2cb3e2955931';
export const deviceHeaders = (deviceId = MAC, clientId = UUID) => ({ 'device-id': deviceId, 'client-id': clientId });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
