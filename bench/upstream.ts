/**
 * A lightweight XiaoZhi-like upstream for the bench and the reliability suite (reliability-performance.md
 * §3.3). Far cheaper than src/devserver (no Opus): it checks the four handshake headers, answers `hello` with
 * a session_id, echoes binary frames with its receive time stamped in, and — in `voice` mode — after every
 * ~3 s of uplink sends a "TTS" reply the way xiaozhi-esp32-server paces it (stt, llm, tts start, 4 packets at
 * once, then one per 60 ms for ~2 s, tts stop). `echo` mode echoes every text/binary message verbatim (the
 * conformance suite's far end). Run as a process: `tsx bench/upstream.ts --port 0 [--mode voice|echo]`
 * prints `{"event":"listening","port":N}`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { KIND_TTS, KIND_UP, makeFrame, nowMs } from './lib/payload.ts';

export type UpstreamMode = 'voice' | 'echo';

export interface UpstreamOptions {
  port?: number;
  host?: string;
  mode?: UpstreamMode;
  /** Uplink frames between two TTS replies (50 × 60 ms = 3 s). */
  framesPerTurn?: number;
  /** Paced TTS packets after the first 4 (30 × 60 ms ≈ 2 s with the burst). */
  ttsPacedFrames?: number;
  /** Hold every handshake this long before answering 101 (widens the "during upstream dial" window). */
  handshakeDelayMs?: number;
}

/** Handshake headers as received, kept for the last 100 connections (tests assert on them). */
export interface SeenHeaders {
  authorization?: string;
  deviceId?: string;
  clientId?: string;
  protocolVersion?: string;
  url?: string;
}

export interface BenchUpstream {
  port: number;
  server: Server;
  /** Connections currently open (WebSocket level). */
  openCount(): number;
  /** Raw TCP connections currently open (includes half-done handshakes). */
  tcpCount(): number;
  stats: { accepted: number; rejected: number; hellos: number; echoed: number; ttsFrames: number };
  seen: SeenHeaders[];
  /** Date.now() of each WebSocket upgrade request received (last 10 000). */
  upgradeTimes: number[];
  sockets(): Set<WebSocket>;
  /** Reset (TCP RST) every open connection: the "upstream dies mid-session" fault. */
  resetAll(): void;
  close(): Promise<void>;
}

const HELLO_REPLY = { type: 'hello', version: 1, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 24000, channels: 1, frame_duration: 60 } };

function headerProblem(req: IncomingMessage): string | null {
  const auth = req.headers['authorization'];
  if (typeof auth !== 'string' || !/^Bearer \S+$/.test(auth)) return 'missing Authorization: Bearer';
  if (!req.headers['device-id']) return 'missing Device-Id';
  if (!req.headers['client-id']) return 'missing Client-Id';
  if (!/^[123]$/.test(String(req.headers['protocol-version'] ?? ''))) return 'missing Protocol-Version';
  return null;
}

/** Start the upstream; resolves once it listens. */
export function startBenchUpstream(options: UpstreamOptions = {}): Promise<BenchUpstream> {
  const mode = options.mode ?? 'voice';
  const framesPerTurn = options.framesPerTurn ?? 50;
  const paced = options.ttsPacedFrames ?? 30;
  const stats = { accepted: 0, rejected: 0, hellos: 0, echoed: 0, ttsFrames: 0 };
  const seen: SeenHeaders[] = [];
  const upgradeTimes: number[] = [];
  const open = new Set<WebSocket>();
  const tcp = new Set<Duplex>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('websocket only\n');
  });
  server.on('connection', (s) => {
    tcp.add(s);
    s.on('close', () => tcp.delete(s));
  });
  server.on('clientError', (_e, s) => s.destroy());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    upgradeTimes.push(Date.now());
    if (upgradeTimes.length > 10_000) upgradeTimes.shift();
    seen.push({
      authorization: req.headers['authorization'], deviceId: req.headers['device-id'] as string | undefined,
      clientId: req.headers['client-id'] as string | undefined, protocolVersion: req.headers['protocol-version'] as string | undefined, url: req.url,
    });
    if (seen.length > 100) seen.shift();
    const problem = headerProblem(req);
    if (problem) {
      stats.rejected++;
      socket.end(`HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: ${problem.length}\r\n\r\n${problem}`);
      return;
    }
    const accept = () => {
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => onSession(ws));
    };
    if (options.handshakeDelayMs) setTimeout(accept, options.handshakeDelayMs);
    else accept();
  });

  function onSession(ws: WebSocket): void {
    stats.accepted++;
    open.add(ws);
    const sessionId = Math.random().toString(16).slice(2, 10);
    let upFrames = 0;
    let ttsSeq = 0;
    let speaking = false;
    let timer: NodeJS.Timeout | undefined;
    const sendJson = (o: object) => ws.send(JSON.stringify({ session_id: sessionId, ...o }));
    const ttsFrame = () => {
      stats.ttsFrames++;
      ws.send(makeFrame(KIND_TTS, ttsSeq++, 100 + Math.floor(Math.random() * 101)));
    };
    const speak = () => {
      speaking = true;
      sendJson({ type: 'stt', text: '今天天气怎么样' });
      sendJson({ type: 'llm', emotion: 'happy', text: '😀' });
      sendJson({ type: 'tts', state: 'start' });
      sendJson({ type: 'tts', state: 'sentence_start', text: '今天是晴天。' });
      for (let i = 0; i < 4; i++) ttsFrame();
      let left = paced;
      timer = setInterval(() => {
        if (ws.readyState !== ws.OPEN) return stop();
        ttsFrame();
        if (--left <= 0) {
          sendJson({ type: 'tts', state: 'sentence_end', text: '今天是晴天。' });
          sendJson({ type: 'tts', state: 'stop' });
          stop();
        }
      }, 60);
      timers.add(timer);
    };
    const stop = () => {
      if (timer) {
        clearInterval(timer);
        timers.delete(timer);
        timer = undefined;
      }
      speaking = false;
    };
    ws.on('error', () => undefined);
    ws.on('close', () => {
      stop();
      open.delete(ws);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = data as Buffer;
      if (mode === 'echo') {
        ws.send(buf, { binary: isBinary });
        return;
      }
      if (isBinary) {
        if (buf.length >= 24 && buf[0] === KIND_UP) buf.writeDoubleLE(nowMs(), 16);
        stats.echoed++;
        ws.send(buf);
        if (++upFrames % framesPerTurn === 0 && !speaking) speak();
        return;
      }
      let msg: { type?: unknown };
      try {
        msg = JSON.parse(buf.toString('utf8'));
      } catch {
        return;
      }
      if (msg.type === 'hello') {
        stats.hellos++;
        ws.send(JSON.stringify({ ...HELLO_REPLY, session_id: sessionId }));
      }
    });
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        port, server, stats, seen, upgradeTimes,
        openCount: () => open.size,
        tcpCount: () => tcp.size,
        sockets: () => open,
        resetAll: () => {
          for (const s of tcp) (s as Duplex & { resetAndDestroy?: () => void }).resetAndDestroy?.() ?? s.destroy();
        },
        close: () =>
          new Promise<void>((done) => {
            for (const t of timers) clearInterval(t);
            for (const ws of open) ws.terminate();
            for (const s of tcp) s.destroy();
            wss.close();
            server.close(() => done());
          }),
      });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, mode: { type: 'string', default: 'voice' } } });
  const up = await startBenchUpstream({ port: Number(values.port), host: values.host, mode: values.mode as UpstreamMode });
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: up.port, pid: process.pid })}\n`);
  const bye = () => void up.close().then(() => process.exit(0));
  process.on('SIGTERM', bye);
  process.on('SIGINT', bye);
  // The harness owns this process; if it dies (stdin closes) we go too.
  process.stdin.on('end', bye).resume();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
