/**
 * The page's device session: a framework-free state machine over one WebSocket to the gateway
 * (xiaozhi-protocol.md §3, §8(a)). It owns the connection lifecycle (hello, time-out, reconnect)
 * and turn-taking; audio and MCP are wired in by the caller through events (see voice-app.ts).
 */
import { DEFAULT_DOWNLINK_AUDIO, DEFAULT_UPLINK_AUDIO, type AudioParams } from '../../../src/protocol/audio-params.ts';
import type { Lang } from '../../../src/protocol/errors.ts';
import type { ListenMode } from '../../../src/protocol/messages.ts';
import { UplinkQueue } from '../audio/uplink-queue.ts';
import { Backoff } from './backoff.ts';
import { diagnoseClose, type CloseDiagnosis } from './close-diagnosis.ts';
import { Emitter } from './emitter.ts';
import { handleServerText, type TurnHost } from './server-messages.ts';
import type { ConversationEntry, SessionEvents, SessionStatus, SocketLike, TurnState } from './session-types.ts';

export type { ConversationEntry, SessionEvents, SessionStatus, SocketLike, TurnState } from './session-types.ts';

/** Thrown by `getUrl` when asking for a ticket failed; `permanent` stops reconnecting. */
export class TicketError extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

export interface SessionOptions {
  /** Resolves the WebSocket URL to open (asks the gateway for a fresh single-use ticket). */
  getUrl: () => Promise<string>;
  /** Opens a socket; default `new WebSocket(url)`. Tests pass the `ws` client. */
  createSocket?: (url: string) => SocketLike;
  /** UI language for explanations. */
  lang?: () => Lang;
  helloTimeoutMs?: number;
  backoff?: Backoff;
  /** Uplink audio we announce; frame_duration drives the capture framing. */
  uplink?: AudioParams;
}

/** The device session state machine. */
export class XiaozhiSession extends Emitter<SessionEvents> implements TurnHost {
  private readonly o: Required<Omit<SessionOptions, 'backoff'>>;
  private readonly backoff: Backoff;
  private socket: SocketLike | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closingByUser = false;
  private attemptId = 0;
  readonly uplinkQueue: UplinkQueue;
  status: SessionStatus = { phase: 'idle', reached: { gateway: false, upstream: false, hello: false }, sessionId: '', attempt: 0 };
  turn: TurnState = 'idle';
  /** Listening mode of the current turn; 'auto' re-arms listening after `tts stop`. */
  mode: ListenMode = 'manual';
  /** Hands-free wanted by the user (re-arm after each reply). */
  handsFree = false;
  /** True between `listen start` and `tts start`/`listen stop`: only then mic frames go out (§8(a)). */
  streaming = false;
  /** After a barge-in, downlink audio is ignored until the next `tts start` (§3.6). */
  ignoringAudio = false;
  downlink: AudioParams = { ...DEFAULT_DOWNLINK_AUDIO };
  /** Text we typed; the server's `stt` echo of it is not shown twice. */
  private typedEcho: string | null = null;

  constructor(opts: SessionOptions) {
    super();
    this.o = {
      getUrl: opts.getUrl,
      createSocket: opts.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      lang: opts.lang ?? (() => 'en'),
      helloTimeoutMs: opts.helloTimeoutMs ?? 10_000,
      uplink: opts.uplink ?? { ...DEFAULT_UPLINK_AUDIO },
    };
    this.backoff = opts.backoff ?? new Backoff();
    this.uplinkQueue = new UplinkQueue({ frameMs: this.o.uplink.frame_duration });
  }

  get uplink(): AudioParams {
    return this.o.uplink;
  }

  get ready(): boolean {
    return this.status.phase === 'ready';
  }

  /** Opens the session (idempotent while connecting or ready). */
  async connect(): Promise<void> {
    if (['connecting', 'open', 'ready'].includes(this.status.phase)) return;
    clearTimeout(this.retryTimer);
    this.closingByUser = false;
    const attempt = ++this.attemptId;
    this.setStatus({ phase: 'connecting', reached: { gateway: false, upstream: false, hello: false }, sessionId: '', attempt: this.backoff.attempts });
    let url: string;
    try {
      url = await this.o.getUrl();
    } catch (err) {
      if (attempt !== this.attemptId) return;
      const permanent = err instanceof TicketError && err.permanent;
      const message = err instanceof Error ? err.message : String(err);
      this.fail({ verdict: permanent ? 'permanent' : 'retry', code: 0, reason: message, explanation: message });
      return;
    }
    if (attempt !== this.attemptId || this.closingByUser) return;
    this.open(url, attempt);
  }

  /** Closes on purpose: no reconnect. */
  disconnect(): void {
    this.closingByUser = true;
    this.attemptId++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.helloTimer);
    this.stopTurnLocally();
    const s = this.socket;
    this.socket = null;
    if (s && s.readyState <= 1) s.close(1000, 'user closed');
    this.setStatus({ ...this.status, phase: 'closed', failure: diagnoseClose(1000, 'user closed', this.o.lang(), true) });
  }

  private open(url: string, attempt: number): void {
    let socket: SocketLike;
    try {
      socket = this.o.createSocket(url);
    } catch (err) {
      this.fail({ verdict: 'retry', code: 0, reason: String(err), explanation: String(err) });
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let helloSent = false;
    socket.onopen = () => {
      if (attempt !== this.attemptId) return;
      this.setStatus({ ...this.status, phase: 'open', reached: { ...this.status.reached, gateway: true } });
      // §3.3 / §9 item 6: hello right after open, then at most 10 s for the server's.
      this.sendJson({
        type: 'hello',
        version: 1,
        transport: 'websocket',
        features: { mcp: true },
        audio_params: this.o.uplink,
      });
      helloSent = true;
      this.helloTimer = setTimeout(() => {
        if (attempt !== this.attemptId || this.status.reached.hello) return;
        this.emitEntry('system', this.o.lang() === 'zh' ? '服务器 10 秒内未响应 hello。' : 'No server hello within 10 s.');
        this.dropSocket(4030, 'hello timeout');
      }, this.o.helloTimeoutMs);
    };
    socket.onmessage = (ev) => {
      if (attempt !== this.attemptId) return;
      if (typeof ev.data === 'string') handleServerText(this, ev.data);
      else this.onBinary(ev.data);
    };
    socket.onerror = () => {
      // The close event that follows carries the code; nothing to decide here (aesthetics §7.4).
    };
    socket.onclose = (ev) => {
      if (attempt !== this.attemptId) return;
      clearTimeout(this.helloTimer);
      this.socket = null;
      this.stopTurnLocally();
      const d = diagnoseClose(ev.code, ev.reason, this.o.lang(), this.closingByUser);
      if (!helloSent && d.verdict === 'ended') d.verdict = 'retry';
      this.fail(d);
    };
  }

  /** Closes the current socket from our side and treats it as a failed attempt (retry). */
  private dropSocket(code: number, reason: string): void {
    const s = this.socket;
    this.attemptId++;
    this.socket = null;
    clearTimeout(this.helloTimer);
    if (s && s.readyState <= 1) s.close(code, reason);
    this.stopTurnLocally();
    this.fail(diagnoseClose(code, reason, this.o.lang()));
  }

  private fail(d: CloseDiagnosis): void {
    if (d.verdict === 'retry') {
      const delay = this.backoff.next();
      if (delay !== null) {
        this.setStatus({ ...this.status, phase: 'reconnecting', failure: d, retryInMs: delay, attempt: this.backoff.attempts });
        this.retryTimer = setTimeout(() => {
          this.setStatus({ ...this.status, phase: 'idle' });
          void this.connect();
        }, delay);
        return;
      }
      this.setStatus({ ...this.status, phase: 'failed', failure: d });
      return;
    }
    const phase = d.verdict === 'permanent' ? 'failed' : 'closed';
    this.setStatus({ ...this.status, phase, failure: d, retryInMs: undefined });
  }

  // ── turn control (called by the UI) ───────────────────────────────────────────────────────

  /** Starts listening: `manual` for push-to-talk, `auto` for hands-free (server VAD ends turns). */
  startListening(mode: ListenMode): void {
    if (!this.ready) return;
    if (this.turn === 'speaking' && mode !== 'realtime') this.abortSpeaking();
    this.mode = mode;
    this.sendJson({ type: 'listen', state: 'start', mode });
    this.streaming = true;
    this.uplinkQueue.clear();
    this.setTurn('listening');
    this.emit('streaming', true);
  }

  /** Ends a push-to-talk turn (`listen stop`): the server runs ASR on what it got. */
  stopListening(): void {
    if (!this.ready || !this.streaming) return;
    this.streaming = false;
    this.emit('streaming', false);
    this.sendJson({ type: 'listen', state: 'stop' });
    this.setTurn('thinking');
  }

  /** Sends typed text (`listen detect` with text, §3.4): the text-chat channel. */
  sendText(text: string): void {
    const t = text.trim();
    if (!this.ready || !t) return;
    if (this.turn === 'speaking') this.abortSpeaking();
    if (this.streaming) {
      this.streaming = false;
      this.emit('streaming', false);
    }
    this.emitEntry('user', t);
    this.typedEcho = t;
    this.sendJson({ type: 'listen', state: 'detect', text: t });
    this.setTurn('thinking');
  }

  /** Barge-in: tells the server to stop and silences playback at once (§3.6). */
  abortSpeaking(reason?: string): void {
    if (!this.ready) return;
    this.sendJson(reason ? { type: 'abort', reason } : { type: 'abort' });
    this.ignoringAudio = true;
    this.emit('flush', undefined);
    if (this.turn === 'speaking' || this.turn === 'thinking') this.setTurn('idle');
  }

  /** Hands-free on/off; on starts listening right away. */
  setHandsFree(on: boolean): void {
    this.handsFree = on;
    if (on) this.startListening('auto');
    else if (this.streaming) this.stopListening();
  }

  /** Queues one encoded uplink packet; sent only while streaming (§8(a)). */
  sendAudio(packet: Uint8Array): boolean {
    const s = this.socket;
    if (!s || !this.ready || !this.streaming) return false;
    this.uplinkQueue.offer(s, packet);
    return true;
  }

  /** Sends an MCP JSON-RPC payload in the XiaoZhi envelope (§7.1). */
  sendMcp(payload: object): void {
    this.sendJson({ type: 'mcp', payload });
  }

  // ── TurnHost: used by server-messages.ts ──────────────────────────────────────────────────

  sendJson(msg: Record<string, unknown>): void {
    const s = this.socket;
    if (!s || s.readyState !== 1) return;
    // §3.4: every device message after hello carries the session id (empty if none was given).
    const body = msg.type === 'hello' ? msg : { session_id: this.status.sessionId, ...msg };
    s.send(JSON.stringify(body));
    this.emit('sent', body);
  }

  onHello(sessionId: string, audio: AudioParams | undefined): void {
    clearTimeout(this.helloTimer);
    if (audio) this.downlink = { ...audio };
    this.backoff.reset();
    this.setStatus({
      phase: 'ready',
      reached: { gateway: true, upstream: true, hello: true },
      sessionId,
      attempt: 0,
    });
    this.emit('ready', { sessionId, downlink: this.downlink });
    if (this.handsFree) this.startListening('auto');
  }

  onUpstreamConnected(): void {
    this.setStatus({ ...this.status, reached: { ...this.status.reached, upstream: true } });
  }

  onTtsStart(): void {
    this.ignoringAudio = false;
    if (this.streaming && this.mode !== 'realtime') {
      this.streaming = false;
      this.emit('streaming', false);
    }
    this.setTurn('speaking');
    this.emit('ttsStart', undefined);
  }

  onTtsStop(): void {
    this.emit('ttsStop', undefined);
    if (this.ignoringAudio) return;
    if (this.turn === 'speaking') this.setTurn('idle');
    // §3.6: auto mode re-arms listening after each reply; manual goes idle.
    if (this.handsFree && this.mode !== 'manual') this.startListening('auto');
  }

  takeTypedEcho(text: string): boolean {
    const echo = this.typedEcho !== null && this.typedEcho === text.trim();
    this.typedEcho = null;
    return echo;
  }

  onSttText(): void {
    if (this.turn === 'listening' && this.mode === 'auto') this.setTurn('thinking');
  }

  onServerGoodbye(): void {
    this.dropSocketQuietly();
  }

  emitEntry(kind: ConversationEntry['kind'], text: string, extra: Partial<ConversationEntry> = {}): void {
    this.emit('entry', { kind, text, at: Date.now(), ...extra });
  }

  emitEvent<K extends keyof SessionEvents>(type: K, payload: SessionEvents[K]): void {
    this.emit(type, payload);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private onBinary(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) return;
    // Firmware drops downlink audio unless speaking; after a barge-in until the next tts start (§3.5, §3.6).
    if (this.turn !== 'speaking' || this.ignoringAudio) {
      this.emit('audioDropped', data.byteLength);
      return;
    }
    this.emit('audio', new Uint8Array(data));
  }

  private dropSocketQuietly(): void {
    this.closingByUser = true;
    const s = this.socket;
    if (s && s.readyState <= 1) s.close(1000, 'goodbye');
  }

  private stopTurnLocally(): void {
    if (this.streaming) this.emit('streaming', false);
    this.streaming = false;
    this.uplinkQueue.clear();
    if (this.turn === 'speaking') this.emit('flush', undefined);
    this.setTurn('idle');
  }

  private setTurn(t: TurnState): void {
    if (this.turn === t) return;
    this.turn = t;
    this.emit('turn', t);
  }

  private setStatus(s: SessionStatus): void {
    this.status = s;
    this.emit('status', s);
  }
}
