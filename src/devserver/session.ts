/**
 * One WebSocket session (xiaozhi-protocol.md §3, §4, §7): hello, listen turns with real Opus, abort,
 * MCP bootstrap. Bad input gets a `{type:"error"}` text frame and the session goes on (docs/devserver.md).
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { DEFAULT_DOWNLINK_AUDIO } from '../protocol/audio-params.ts';
import { decodeAudioFrame, encodeAudioFrame, type ProtocolVersion } from '../protocol/binary-frame.ts';
import type { ClientHello } from '../protocol/messages.ts';
import { parseClientMessage } from '../protocol/parse-message.ts';
import { concatPcm, OpusDecoder, OpusEncoder } from '../node/opus-codec.ts';
import { EnergyVad } from './audio/dsp.ts';
import { synthesize } from './audio/tts.ts';
import { matchIntent, WAKE_WORDS } from './intents.ts';
import { McpClient, type McpCallResult } from './mcp-client.ts';
import { ReplyPlayer } from './reply-player.ts';
import { textReply, voiceTurnContent } from './turn-content.ts';
import type { DevServerEventMap, Faults } from './types.ts';

/** Longest turn kept in memory (firmware never streams this long without a VAD end). */
const MAX_TURN_SAMPLES = 16000 * 60;
const DROP_AFTER_PACKETS = 3;

/** The usable parts of a hello the schema refused (only `features.mcp` matters to us). */
function lenientHello(text: string): ClientHello {
  const raw = JSON.parse(text) as { features?: { mcp?: unknown } };
  return { type: 'hello', ...(raw.features?.mcp === true ? { features: { mcp: true } } : {}) };
}

export interface SessionDeps {
  id: string;
  ws: WebSocket;
  version: ProtocolVersion;
  /** Answer hello, then close without status (cloud mode, unknown device). */
  refuseAfterHello: string | null;
  faults(): Faults;
  helloTimeoutMs: number;
  log: Logger;
  events: EventEmitter<DevServerEventMap>;
  vision: { url: string; token: string };
  ttsCommand?: string;
}

type State = 'hello' | 'idle' | 'listening' | 'replying' | 'closed';

export class Session {
  readonly id: string;
  readonly sessionId = randomBytes(4).toString('hex');
  state: State = 'hello';
  mcp: McpClient | null = null;
  #d: SessionDeps;
  #helloTimer: NodeJS.Timeout | undefined;
  #decoder: OpusDecoder | null = null;
  #encoder: OpusEncoder | null = null;
  #mode: 'auto' | 'manual' | 'realtime' = 'auto';
  #chunks: Int16Array[] = [];
  #samples = 0;
  #vad: EnergyVad | null = null;
  #player: ReplyPlayer | null = null;
  #frameErrorSent = false;
  #paused = false;
  /** Between our `tts start` and `tts stop`. */
  #speaking = false;
  #turns = 0;

  constructor(deps: SessionDeps) {
    this.#d = deps;
    this.id = deps.id;
    const { ws } = deps;
    this.#helloTimer = setTimeout(() => {
      deps.log.info({ conn: this.id }, 'no hello in time, closing');
      const t = deps.helloTimeoutMs;
      this.#close(1000, `no hello within ${t % 1000 === 0 ? `${t / 1000} s` : `${t} ms`}`);
    }, deps.helloTimeoutMs);
    ws.on('message', (data, isBinary) => {
      // A bug here must cost one session, never the process (conventions: the process stays up).
      try {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        if (isBinary) this.#onBinary(buf);
        else this.#onText(buf.toString('utf8'));
      } catch (err) {
        this.#fail(err);
      }
    });
  }

  /** Pause or resume reading (fault `stopReading`); only once the session is past hello. */
  applyStopReading(stop: boolean): void {
    if (this.state === 'hello' || this.state === 'closed') return;
    const socket = (this.#d.ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
    if (stop && !this.#paused) { this.#d.ws.pause(); socket?.pause(); this.#paused = true; }
    else if (!stop && this.#paused) { this.#d.ws.resume(); socket?.resume(); this.#paused = false; }
  }

  /** Called by the server when the socket closed. */
  closed(): void {
    this.state = 'closed';
    clearTimeout(this.#helloTimer);
    this.#player?.cancel();
    this.mcp?.close();
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<McpCallResult> {
    if (!this.mcp) return { ok: false, error: 'this session did not announce features.mcp' };
    const r = await this.mcp.call(name, args);
    this.#d.events.emit('mcpResult', { id: this.id, name, ok: r.ok, result: r.ok ? r.result : r.error });
    return r;
  }

  // ── inbound ──────────────────────────────────────────────────────────────────────────────

  #onText(text: string): void {
    const parsed = parseClientMessage(text);
    if (parsed.kind === 'error') {
      // Tolerant like ES: a hello with odd fields (version 4, audio_params.format "pcm") still opens the session.
      if (parsed.code === 'XZ_INVALID_MESSAGE' && parsed.detail.startsWith('hello:')) {
        this.#d.log.info({ conn: this.id, detail: parsed.detail }, 'non-standard hello accepted');
        return this.#onHello(lenientHello(text));
      }
      return this.#error(parsed.detail);
    }
    if (parsed.kind === 'unknown') {
      if (parsed.type === 'ping') return this.#send({ type: 'pong', timestamp: new Date().toISOString() });
      return this.#error(`unknown message type "${parsed.type.slice(0, 40)}"`);
    }
    const m = parsed.message;
    if (m.type === 'hello') return this.#onHello(m);
    if (this.state === 'hello') return this.#error(`"${m.type}" before hello: send hello first`);
    switch (m.type) {
      case 'listen':
        if (m.state === 'start') return this.#startListening(m.mode ?? 'auto');
        if (m.state === 'stop') { if (this.state === 'listening') this.#run(this.#endVoiceTurn()); return; }
        if (m.text) this.#run(this.#textTurn(m.text));
        return;
      case 'abort':
        return this.#abort();
      case 'mcp':
        this.mcp?.handle(m.payload);
        return;
      default:
        return; // iot, goodbye: accepted and ignored
    }
  }

  #onHello(hello: ClientHello): void {
    clearTimeout(this.#helloTimer);
    const { log, events, faults } = this.#d;
    const f = faults();
    const answer = !f.noHello;
    events.emit('hello', { id: this.id, sessionId: this.sessionId, hello: hello as Record<string, unknown>, answered: answer });
    if (!answer) { log.info({ conn: this.id }, 'fault noHello: hello not answered'); return; }
    this.#send({ type: 'hello', version: this.#d.version, transport: 'websocket', session_id: this.sessionId, audio_params: { ...DEFAULT_DOWNLINK_AUDIO } });
    const refuse = this.#d.refuseAfterHello ?? (f.closeAfterHello ? 'fault closeAfterHello' : null);
    if (refuse) {
      log.info({ conn: this.id, why: refuse }, 'closing after hello without status');
      this.state = 'closed';
      this.#d.ws.close(); // empty Close frame → the client sees 1005 (§2.7)
      return;
    }
    if (this.state === 'hello') this.state = 'idle';
    if (hello.features?.mcp && !this.mcp) {
      this.mcp = new McpClient({
        send: (payload) => this.#send({ type: 'mcp', session_id: this.sessionId, payload }),
        onInitialized: (result) => events.emit('mcpInitialized', { id: this.id, result }),
        onTools: (tools, pages) => {
          log.info({ conn: this.id, tools: tools.length, pages }, 'mcp tools listed');
          events.emit('mcpTools', { id: this.id, tools, pages });
        },
        onProtocolError: (detail) => log.warn({ conn: this.id, detail }, 'mcp problem'),
      });
      this.#run(this.mcp.start(this.#d.vision));
    }
    if (f.stopReading) this.applyStopReading(true);
  }

  #onBinary(frame: Buffer): void {
    if (this.state === 'hello') {
      if (!this.#frameErrorSent) { this.#frameErrorSent = true; this.#error('binary audio before hello: send hello first'); }
      return;
    }
    if (this.state !== 'listening') return; // late frames after tts start are normal
    const f = decodeAudioFrame(this.#d.version, frame);
    if (!f.ok) return this.#frameError(f.detail);
    let pcm: Int16Array;
    try {
      this.#decoder ??= new OpusDecoder(16000);
      pcm = this.#decoder.decode(f.payload);
    } catch (err) {
      return this.#frameError(`not a valid Opus packet (${(err as Error).message})`);
    }
    if (this.#samples + pcm.length > MAX_TURN_SAMPLES) return this.#run(this.#endVoiceTurn());
    this.#chunks.push(pcm);
    this.#samples += pcm.length;
    if (this.#vad?.push(pcm)) this.#run(this.#endVoiceTurn());
  }

  #frameError(detail: string): void {
    if (this.#frameErrorSent) return;
    this.#frameErrorSent = true;
    this.#error(`bad audio frame for Protocol-Version ${this.#d.version}: ${detail}`);
  }

  // ── turns ────────────────────────────────────────────────────────────────────────────────

  #startListening(mode: 'auto' | 'manual' | 'realtime'): void {
    // Barge-in: the interrupted reply still gets its `tts stop`, so every `tts start` has one.
    if (this.state === 'replying') this.#abort(false);
    this.state = 'listening';
    this.#mode = mode;
    this.#chunks = [];
    this.#samples = 0;
    this.#vad = mode === 'manual' ? null : new EnergyVad(16000, 600);
  }

  async #endVoiceTurn(): Promise<void> {
    if (this.state !== 'listening') return;
    this.state = 'replying';
    const pcm = concatPcm(this.#chunks);
    this.#chunks = [];
    this.#samples = 0;
    this.#vad = null;
    this.#d.events.emit('uplinkAudio', { id: this.id, pcm16k: pcm });
    const c = voiceTurnContent(pcm);
    await this.#reply({ mode: this.#mode, durationMs: c.durationMs, level: c.level, stt: c.stt, reply: c.reply, audio: c.audio24k });
  }

  async #textTurn(text: string): Promise<void> {
    // A wake word is followed by `listen start` from the firmware (§3.6): acknowledge it silently.
    if (WAKE_WORDS.has(text.trim().toLowerCase())) {
      this.#d.log.debug({ conn: this.id }, 'wake word');
      return;
    }
    if (this.state === 'replying') this.#abort(false);
    this.state = 'replying';
    this.#chunks = [];
    this.#samples = 0;
    const player = new ReplyPlayer();
    this.#player = player;
    this.#send({ type: 'stt', session_id: this.sessionId, text });
    const intent = matchIntent(text);
    const outcome = intent && this.mcp ? await this.callTool(intent.name, intent.arguments) : null;
    const reply = textReply(text, intent, outcome && (outcome.ok ? { ok: true, text: outcome.text } : outcome));
    if (player.cancelled || (this.state as State) === 'closed') return;
    await this.#reply({ mode: 'text', durationMs: 0, level: -Infinity, stt: null, reply, audio: null, text, player });
  }

  async #reply(t: { mode: 'auto' | 'manual' | 'realtime' | 'text'; durationMs: number; level: number; stt: string | null; reply: string; audio: Int16Array | null; text?: string; player?: ReplyPlayer }): Promise<void> {
    const { log, events } = this.#d;
    const sid = this.sessionId;
    const player = t.player ?? new ReplyPlayer();
    this.#player = player;
    const turn = ++this.#turns;
    if (t.stt !== null) this.#send({ type: 'stt', session_id: sid, text: t.stt });
    const pcm = t.audio ?? (await synthesize(t.reply, this.#d.ttsCommand)).pcm;
    if (player.cancelled || this.state === 'closed') return;
    this.#encoder ??= new OpusEncoder({ sampleRate: 24000, frameMs: 60, bitrate: 24000 });
    const packets = this.#encoder.encodeAll(pcm);
    log.info({ conn: this.id, turn, mode: t.mode, durationMs: Math.round(t.durationMs), level: t.level, replyPackets: packets.length }, 'turn');
    events.emit('turn', { id: this.id, mode: t.mode, durationMs: t.durationMs, level: t.level, reply: t.reply, ...(t.text !== undefined ? { text: t.text } : {}) });
    this.#send({ type: 'tts', session_id: sid, state: 'start' });
    this.#speaking = true;
    this.#send({ type: 'llm', session_id: sid, emotion: 'happy', text: '😀' });
    this.#send({ type: 'tts', session_id: sid, state: 'sentence_start', text: t.reply });
    const done = await player.play(packets, (p, i) => {
      if (this.#d.faults().dropMidTurn && i >= DROP_AFTER_PACKETS) {
        log.info({ conn: this.id }, 'fault dropMidTurn: destroying the TCP connection');
        this.#d.ws.terminate();
        return false;
      }
      if (this.#d.ws.readyState !== this.#d.ws.OPEN) return false;
      this.#d.ws.send(encodeAudioFrame(this.#d.version, p, i * 60));
      return true;
    });
    if (!done || this.#player !== player) return;
    this.#player = null;
    this.#speaking = false;
    this.#send({ type: 'tts', session_id: sid, state: 'stop' });
    if (this.state === 'replying') this.state = 'idle';
  }

  /**
   * Stop audio at once. A client `abort` is always answered with `tts stop` (ES does, §3.4); an internal
   * interruption (barge-in, new text turn) sends it only if our `tts start` is still open.
   */
  #abort(always = true): void {
    const p = this.#player;
    this.#player = null;
    p?.cancel();
    if (this.state === 'replying') this.state = 'idle';
    if (always || this.#speaking) this.#send({ type: 'tts', session_id: this.sessionId, state: 'stop' });
    this.#speaking = false;
  }

  // ── outbound ─────────────────────────────────────────────────────────────────────────────

  #send(msg: Record<string, unknown>): void {
    const ws = this.#d.ws;
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  #error(message: string): void {
    this.#d.log.debug({ conn: this.id, message }, 'client error');
    this.#send({ type: 'error', session_id: this.sessionId, message });
  }

  /** Run an async step; a failure is logged and ends this session with 1011, nothing else. */
  #run(p: Promise<void>): void {
    p.catch((err: unknown) => this.#fail(err));
  }

  #fail(err: unknown): void {
    this.#d.log.error({ conn: this.id, err }, 'session failed');
    this.#player?.cancel();
    this.#close(1011, 'devserver internal error');
  }

  #close(code: number, reason: string): void {
    this.state = 'closed';
    const ws = this.#d.ws;
    if (ws.readyState === ws.OPEN) ws.close(code, reason);
  }
}
