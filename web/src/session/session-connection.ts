/**
 * Connection half of the device session (xiaozhi-protocol.md §3.3, §8(a)): ticket → WebSocket →
 * firmware hello on open → 10 s for the server hello → ready; closes diagnosed (close-diagnosis.ts)
 * and retried with backoff unless permanent. Turn-taking lives in xiaozhi-session.ts.
 */
import { DEFAULT_DOWNLINK_AUDIO, DEFAULT_UPLINK_AUDIO, type AudioParams } from '../../../src/protocol/audio-params.ts';
import type { Lang } from '../../../src/protocol/errors.ts';
import { Backoff } from './backoff.ts';
import { diagnoseClose, type CloseDiagnosis } from './close-diagnosis.ts';
import { Emitter } from './emitter.ts';
import type { ConversationEntry, SessionEvents, SessionStatus, SocketLike } from './session-types.ts';

/** Thrown by `getUrl` when asking for a ticket failed; `permanent` stops reconnecting. */
export class TicketError extends Error {
  constructor(message: string, readonly permanent: boolean, readonly code?: string) {
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

/** Connection lifecycle; subclasses react to frames and reset their turn state on close. */
export abstract class SessionConnection extends Emitter<SessionEvents> {
  protected readonly o: Required<Omit<SessionOptions, 'backoff'>>;
  private readonly backoff: Backoff;
  protected socket: SocketLike | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closingByUser = false;
  private attemptId = 0;
  status: SessionStatus = { phase: 'idle', reached: { gateway: false, upstream: false, hello: false }, sessionId: '', attempt: 0 };
  downlink: AudioParams = { ...DEFAULT_DOWNLINK_AUDIO };

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
  }

  /** A text frame arrived. */
  protected abstract handleText(text: string): void;
  /** A binary frame arrived. */
  protected abstract handleBinary(data: unknown): void;
  /** The socket is gone (any reason): stop streaming and playback. */
  protected abstract stopTurnLocally(): void;

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
      const errorCode = err instanceof TicketError ? err.code : undefined;
      this.fail({ verdict: permanent ? 'permanent' : 'retry', code: 0, reason: message, explanation: message, ...(errorCode ? { errorCode } : {}) });
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
      // The gateway dials the XiaoZhi server before it completes our upgrade (upstream first,
      // src/gateway/relay/index.ts), so `open` means both legs are up. A dial failure still opens and
      // then closes 4010–4024; onclose takes the upstream stage back then.
      this.setStatus({ ...this.status, phase: 'open', reached: { ...this.status.reached, gateway: true, upstream: true } });
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
      if (typeof ev.data === 'string') this.handleText(ev.data);
      else this.handleBinary(ev.data);
    };
    socket.onerror = () => {
      // The close event that follows carries the code; nothing to decide here (aesthetics §7.4).
    };
    socket.onclose = (ev) => {
      if (attempt !== this.attemptId) return;
      clearTimeout(this.helloTimer);
      this.socket = null;
      this.stopTurnLocally();
      // 4000–4029: the gateway closed before any upstream was connected (request problems, dial failures).
      if (ev.code >= 4000 && ev.code < 4030) this.status = { ...this.status, reached: { ...this.status.reached, upstream: false } };
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

  /** Sends one control message, stamped with the session id after hello (§3.4). */
  sendJson(msg: Record<string, unknown>): void {
    const s = this.socket;
    if (!s || s.readyState !== 1) return;
    // §3.4: every device message after hello carries the session id (empty if none was given).
    const body = msg.type === 'hello' ? msg : { session_id: this.status.sessionId, ...msg };
    s.send(JSON.stringify(body));
    this.emit('sent', body);
  }

  /** The server hello arrived: the session is ready (§3.2). */
  protected markReady(sessionId: string, audio: AudioParams | undefined): void {
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
  }

  onUpstreamConnected(): void {
    this.setStatus({ ...this.status, reached: { ...this.status.reached, upstream: true } });
  }

  emitEntry(kind: ConversationEntry['kind'], text: string, extra: Partial<ConversationEntry> = {}): void {
    this.emit('entry', { kind, text, at: Date.now(), ...extra });
  }

  emitEvent<K extends keyof SessionEvents>(type: K, payload: SessionEvents[K]): void {
    this.emit(type, payload);
  }

  protected dropSocketQuietly(): void {
    this.closingByUser = true;
    const s = this.socket;
    if (s && s.readyState <= 1) s.close(1000, 'goodbye');
  }

  protected setStatus(s: SessionStatus): void {
    this.status = s;
    this.emit('status', s);
  }}
