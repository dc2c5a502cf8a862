/**
 * The page's device session: turn-taking over the connection of session-connection.ts
 * (xiaozhi-protocol.md §3.4–§3.6, §8(a)): push-to-talk, hands-free re-arming, text chat, barge-in,
 * and which audio may flow when. Audio and MCP are wired in by the caller through events (voice-app.ts).
 */
import type { AudioParams } from '../../../src/protocol/audio-params.ts';
import type { ListenMode } from '../../../src/protocol/messages.ts';
import { UplinkQueue } from '../audio/uplink-queue.ts';
import { handleServerText, type TurnHost } from './server-messages.ts';
import { SessionConnection, type SessionOptions } from './session-connection.ts';
import type { TurnState } from './session-types.ts';

export { TicketError, type SessionOptions } from './session-connection.ts';
export type { ConversationEntry, SessionEvents, SessionStatus, SocketLike, TurnState } from './session-types.ts';

/** The device session state machine. */
export class XiaozhiSession extends SessionConnection implements TurnHost {
  readonly uplinkQueue: UplinkQueue;
  turn: TurnState = 'idle';
  /** Listening mode of the current turn; 'auto' re-arms listening after `tts stop`. */
  mode: ListenMode = 'manual';
  /** Hands-free wanted by the user (re-arm after each reply). */
  handsFree = false;
  /** True between `listen start` and `tts start`/`listen stop`: only then mic frames go out (§8(a)). */
  streaming = false;
  /** After a barge-in, downlink audio is ignored until the next `tts start` (§3.6). */
  ignoringAudio = false;
  /** Text we typed; the server's `stt` echo of it is not shown twice. */
  private typedEcho: string | null = null;

  constructor(opts: SessionOptions) {
    super(opts);
    this.uplinkQueue = new UplinkQueue({ frameMs: this.o.uplink.frame_duration });
  }

  protected handleText(text: string): void {
    handleServerText(this, text);
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
    // Whatever the socket can take of a backlog goes out before the turn ends; the rest is stale.
    if (this.socket) this.uplinkQueue.drain(this.socket);
    this.uplinkQueue.clear();
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

  onHello(sessionId: string, audio: AudioParams | undefined): void {
    this.markReady(sessionId, audio);
    if (this.handsFree) this.startListening('auto');
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

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  protected handleBinary(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) return;
    // Firmware drops downlink audio unless speaking; after a barge-in until the next tts start (§3.5, §3.6).
    if (this.turn !== 'speaking' || this.ignoringAudio) {
      this.emit('audioDropped', data.byteLength);
      return;
    }
    this.emit('audio', new Uint8Array(data));
  }

  protected stopTurnLocally(): void {
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
}
