// Drives the session over real sockets: a scripted XiaoZhi-like server on 127.0.0.1:0 and the
// `ws` client standing in for the browser's WebSocket (same event-handler surface).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { Backoff } from './backoff.ts';
import { XiaozhiSession, type SessionStatus, type SocketLike } from './xiaozhi-session.ts';

interface Peer {
  ws: WebSocket;
  got: Record<string, unknown>[];
  binary: Buffer[];
}

let servers: WebSocketServer[] = [];
let sessions: XiaozhiSession[] = [];

afterEach(async () => {
  for (const s of sessions) s.disconnect();
  for (const srv of servers) {
    for (const c of srv.clients) c.terminate();
    await new Promise((r) => srv.close(r));
  }
  servers = [];
  sessions = [];
});

/** A server that records what it gets; `onHello` decides how to answer each connection's hello. */
async function startServer(onHello: (peer: Peer, n: number) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  const peers: Peer[] = [];
  wss.on('connection', (ws) => {
    const peer: Peer = { ws, got: [], binary: [] };
    peers.push(peer);
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void peer.binary.push(data as Buffer);
      const msg = JSON.parse(String(data)) as Record<string, unknown>;
      peer.got.push(msg);
      if (msg.type === 'hello') onHello(peer, peers.length);
    });
  });
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/`, peers };
}

const replyHello = (p: Peer, sessionId = 'sess-1') =>
  p.ws.send(JSON.stringify({ type: 'hello', transport: 'websocket', session_id: sessionId, audio_params: { format: 'opus', sample_rate: 24000, channels: 1, frame_duration: 60 } }));

function makeSession(url: string, extra: { helloTimeoutMs?: number } = {}) {
  const s = new XiaozhiSession({
    getUrl: async () => url,
    createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
    backoff: new Backoff({ baseMs: 40, random: () => 0 }),
    ...extra,
  });
  sessions.push(s);
  return s;
}

function until<T>(probe: () => T | undefined | false, ms = 3000): Promise<T> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = probe();
      if (v) return resolve(v);
      if (Date.now() - t0 > ms) return reject(new Error('timed out waiting'));
      setTimeout(tick, 5);
    };
    tick();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('XiaozhiSession', () => {
  it('sends the firmware hello on open, passes the stages and stamps later messages with the session id', async () => {
    const srv = await startServer((p) => replyHello(p, 'abc123'));
    const s = makeSession(srv.url);
    const phases: SessionStatus['phase'][] = [];
    const reachedAt: Record<string, SessionStatus['reached']> = {};
    s.on('status', (st) => {
      phases.push(st.phase);
      reachedAt[st.phase] = st.reached;
    });
    await s.connect();
    await until(() => s.ready);
    const peer = srv.peers[0]!;
    expect(peer.got[0]).toEqual({
      type: 'hello',
      version: 1,
      transport: 'websocket',
      features: { mcp: true },
      audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
    });
    expect(phases).toEqual(['connecting', 'open', 'ready']);
    // The gateway completes the upgrade only once the upstream accepted (upstream first): open = both legs.
    expect(reachedAt['open']).toEqual({ gateway: true, upstream: true, hello: false });
    expect(s.status).toMatchObject({ sessionId: 'abc123', reached: { gateway: true, upstream: true, hello: true } });
    expect(s.downlink.sample_rate).toBe(24000);
    expect(s.sendAudio(Uint8Array.of(1))).toBe(false); // not listening: nothing goes up
    s.startListening('manual');
    expect(s.sendAudio(Uint8Array.of(0x58, 1, 2))).toBe(true);
    s.stopListening();
    s.sendText('你好');
    await until(() => peer.got.length >= 4);
    expect(peer.got.slice(1)).toEqual([
      { session_id: 'abc123', type: 'listen', state: 'start', mode: 'manual' },
      { session_id: 'abc123', type: 'listen', state: 'stop' },
      { session_id: 'abc123', type: 'listen', state: 'detect', text: '你好' },
    ]);
    expect(peer.binary.map((b) => [...b])).toEqual([[0x58, 1, 2]]);
  });

  it('hands-free: plays the reply audio, stops streaming on tts start and re-arms listening after tts stop', async () => {
    const srv = await startServer((p) => replyHello(p));
    const s = makeSession(srv.url);
    const audio: number[] = [];
    const turns: string[] = [];
    s.on('audio', (a) => audio.push(a[0]!));
    s.on('turn', (t) => turns.push(t));
    await s.connect();
    await until(() => s.ready);
    s.setHandsFree(true);
    const peer = srv.peers[0]!;
    await until(() => peer.got.length === 2);
    peer.ws.send(Buffer.from([9])); // audio before tts start: dropped like the firmware does
    peer.ws.send(JSON.stringify({ type: 'stt', text: '今天天气' }));
    peer.ws.send(JSON.stringify({ type: 'tts', state: 'start' }));
    peer.ws.send(JSON.stringify({ type: 'llm', emotion: 'happy', text: '😀' }));
    peer.ws.send(JSON.stringify({ type: 'tts', state: 'sentence_start', text: '晴天' }));
    for (let i = 1; i <= 3; i++) peer.ws.send(Buffer.from([i]));
    peer.ws.send(JSON.stringify({ type: 'tts', state: 'stop' }));
    await until(() => peer.got.length === 3);
    expect(audio).toEqual([1, 2, 3]);
    expect(s.streaming).toBe(true);
    expect(peer.got[2]).toMatchObject({ type: 'listen', state: 'start', mode: 'auto' });
    expect(peer.got.length).toBe(3);
    expect(turns).toEqual(['listening', 'thinking', 'speaking', 'idle', 'listening']);
  });

  it('barge-in sends abort, flushes playback and ignores late audio until the next tts start', async () => {
    const srv = await startServer((p) => replyHello(p));
    const s = makeSession(srv.url);
    const audio: number[] = [];
    let flushes = 0;
    s.on('audio', (a) => audio.push(a[0]!));
    s.on('flush', () => flushes++);
    await s.connect();
    await until(() => s.ready);
    const peer = srv.peers[0]!;
    peer.ws.send(JSON.stringify({ type: 'tts', state: 'start' }));
    peer.ws.send(Buffer.from([1]));
    await until(() => audio.length === 1);
    s.abortSpeaking();
    expect(flushes).toBe(1);
    peer.ws.send(Buffer.from([2])); // in flight when the abort was sent
    peer.ws.send(JSON.stringify({ type: 'tts', state: 'stop' }));
    peer.ws.send(JSON.stringify({ type: 'tts', state: 'start' }));
    peer.ws.send(Buffer.from([3]));
    await until(() => audio.length === 2);
    expect(audio).toEqual([1, 3]);
    expect(peer.got[1]).toEqual({ session_id: 'sess-1', type: 'abort' });
  });

  it('treats a missing server hello as a failed attempt and retries with backoff', async () => {
    const srv = await startServer((p, n) => n >= 2 && replyHello(p));
    const s = makeSession(srv.url, { helloTimeoutMs: 150 });
    const phases: string[] = [];
    s.on('status', (st) => phases.push(st.phase));
    await s.connect();
    await until(() => s.ready);
    expect(srv.peers.length).toBe(2);
    expect(phases).toEqual(['connecting', 'open', 'reconnecting', 'idle', 'connecting', 'open', 'ready']);
  });

  it('does not reconnect after a permanent gateway failure and explains it', async () => {
    const srv = await startServer((p) => p.ws.close(4004, 'profile not activated'));
    const s = makeSession(srv.url);
    await s.connect();
    const st = await until(() => s.status.phase === 'failed' && s.status);
    expect(st.failure).toMatchObject({ verdict: 'permanent', code: 4004, reason: 'profile not activated', errorCode: 'XZ_PROFILE_NOT_ACTIVATED' });
    expect(st.failure!.explanation).toMatch(/activat/);
    // 4000–4029 mean the gateway closed before any upstream was connected: that stage is not shown as passed.
    expect(st.reached).toEqual({ gateway: true, upstream: false, hello: false });
    await sleep(300);
    expect(srv.peers.length).toBe(1);
  });

  it('reconnects after a network drop, but not after a normal session end', async () => {
    const srv = await startServer((p) => replyHello(p));
    const s = makeSession(srv.url);
    await s.connect();
    await until(() => s.ready);
    srv.peers[0]!.ws.terminate(); // 1006
    await until(() => s.status.phase === 'reconnecting');
    await until(() => s.ready && srv.peers.length === 2);
    srv.peers[1]!.ws.close(1000, 'idle');
    await until(() => s.status.phase === 'closed');
    expect(s.status.failure?.verdict).toBe('ended');
    await sleep(200);
    expect(srv.peers.length).toBe(2);
  });

  it('shows unknown and malformed messages as system notes and hands MCP payloads over', async () => {
    const srv = await startServer((p) => replyHello(p));
    const s = makeSession(srv.url);
    const notes: string[] = [];
    const mcp: unknown[] = [];
    s.on('entry', (e) => e.kind === 'system' && notes.push(e.text));
    s.on('mcp', (p) => mcp.push(p));
    await s.connect();
    await until(() => s.ready);
    const peer = srv.peers[0]!;
    peer.ws.send(JSON.stringify({ type: 'weather', sunny: true }));
    peer.ws.send('{not json');
    peer.ws.send(JSON.stringify({ type: 'alert', status: 'Warning', message: '<b>hi</b>', emotion: 'sad' }));
    peer.ws.send(JSON.stringify({ type: 'mcp', payload: { jsonrpc: '2.0', id: 1, method: 'initialize' } }));
    await until(() => mcp.length === 1);
    expect(notes[0]).toMatch(/Unknown message type "weather"/);
    expect(notes[1]).toMatch(/malformed/);
    s.sendMcp({ jsonrpc: '2.0', id: 1, result: {} });
    await until(() => peer.got.length === 2);
    expect(peer.got[1]).toEqual({ session_id: 'sess-1', type: 'mcp', payload: { jsonrpc: '2.0', id: 1, result: {} } });
  });
  it('shows typed text once even when the server echoes it as stt', async () => {
    const srv = await startServer((p) => replyHello(p));
    const s = makeSession(srv.url);
    const users: string[] = [];
    s.on('entry', (e) => e.kind === 'user' && users.push(e.text));
    await s.connect();
    await until(() => s.ready);
    s.sendText(' hello ');
    const peer = srv.peers[0]!;
    await until(() => peer.got.length === 2);
    peer.ws.send(JSON.stringify({ type: 'stt', text: 'hello' }));
    peer.ws.send(JSON.stringify({ type: 'stt', text: 'hello' }));
    await until(() => users.length === 2);
    expect(users).toEqual(['hello', 'hello']); // the local line plus the second (real) stt, not the echo
  });
});
