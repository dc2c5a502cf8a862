/**
 * Wires the framework-free parts together for one device profile: session (protocol), mic capture,
 * playback, MCP device server and stats. Views read `store` and call the methods; nothing here
 * knows about Preact.
 */
import type { GatewayApi } from '../api/gateway-api.ts';
import { ApiError, ticketRefusal } from '../api/gateway-api.ts';
import { XZ_ERRORS } from '../../../src/protocol/errors.ts';
import { currentAudioContext, getAudioContext } from '../audio/audio-context.ts';
import { MicCapture } from '../audio/capture.ts';
import { AudioPlayer } from '../audio/player.ts';
import { builtinTools } from '../mcp/builtin-tools.ts';
import { McpDeviceServer, type ToolCallRecord } from '../mcp/mcp-device-server.ts';
import { TicketError, XiaozhiSession, type ConversationEntry, type SessionStatus, type TurnState } from '../session/xiaozhi-session.ts';
import type { Preferences } from './preferences.ts';
import { EMPTY_STATS, StatsSampler, type VoiceStats } from './stats-sampler.ts';
import { Store } from './store.ts';

export type { VoiceStats } from './stats-sampler.ts';

export interface VoiceState {
  status: SessionStatus;
  turn: TurnState;
  handsFree: boolean;
  entries: (ConversationEntry & { id: number })[];
  emotion: string;
  micLevel: number;
  outLevel: number;
  micError: string;
  toolCalls: ToolCallRecord[];
  stats: VoiceStats;
}

export class VoiceApp {
  readonly store: Store<VoiceState>;
  readonly session: XiaozhiSession;
  readonly mcp: McpDeviceServer;
  player: AudioPlayer | null = null;
  capture: MicCapture | null = null;
  private readonly sampler = new StatsSampler();
  private lastMicLevel = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private entryId = 0;
  private capturing: Promise<MicCapture | null> | null = null;
  private pttHeld = false;

  constructor(
    private readonly api: GatewayApi,
    readonly profile: string,
    private readonly prefs: () => Preferences,
    private readonly setPrefs: (p: Partial<Preferences>) => void,
  ) {
    this.session = new XiaozhiSession({
      getUrl: () =>
        this.ticketUrl().catch((e: unknown) => {
          if (e instanceof TicketError) throw e;
          const msg = e instanceof ApiError ? e.text(this.prefs().lang) : e instanceof Error ? e.message : String(e);
          throw new TicketError(msg, e instanceof ApiError && e.permanent, e instanceof ApiError ? e.code : undefined);
        }),
      lang: () => (this.prefs().lang === 'zh-CN' ? 'zh' : 'en'),
    });
    this.mcp = new McpDeviceServer({
      tools: builtinTools({
        getVolume: () => this.prefs().volume,
        setVolume: (v) => this.setVolume(v),
        getTheme: () => this.prefs().theme,
        setTheme: (t) => this.setPrefs({ theme: t }),
        getBrightness: () => this.prefs().brightness,
        setBrightness: (b) => this.setPrefs({ brightness: b }),
        status: () => ({ network: { type: 'websocket', gateway: location.host }, state: this.session.turn }),
      }),
      onCall: () => this.store.set({ toolCalls: [...this.mcp.calls] }),
    });
    this.store = new Store<VoiceState>({
      status: this.session.status,
      turn: 'idle',
      handsFree: false,
      entries: [],
      emotion: '',
      micLevel: 0,
      outLevel: 0,
      micError: '',
      toolCalls: [],
      stats: EMPTY_STATS,
    });
    this.wire();
    this.ticker = setInterval(() => this.tick(), 250);
  }

  private wire(): void {
    const s = this.session;
    s.on('status', (status) => this.store.set({ status }));
    s.on('turn', (turn) => this.store.set({ turn }));
    s.on('entry', (e) => {
      const entries = [...this.store.get().entries, { ...e, id: ++this.entryId }];
      this.store.set({ entries: entries.slice(-300) });
    });
    s.on('emotion', (e) => this.store.set({ emotion: e.text || e.emotion }));
    // No gesture here: only reuse a context the user already unlocked.
    s.on('ready', ({ downlink }) => void this.ensurePlayer(false)?.prepare(downlink.sample_rate));
    s.on('ttsStart', () => (this.player ?? this.ensurePlayer(false))?.beginReply());
    s.on('ttsStop', () => this.player?.endReply());
    s.on('flush', () => this.player?.flush());
    s.on('audio', (packet) => {
      this.sampler.downlink(packet.length, performance.now());
      this.player?.push(packet);
    });
    s.on('streaming', (on) => {
      if (on) void this.ensureCapture().then((c) => c?.setStreaming(s.streaming));
      else this.capture?.setStreaming(false);
    });
    s.on('mcp', (payload) => void this.mcp.handle(payload).then((res) => res && s.sendMcp(res)));
    s.on('iot', (cmds) => {
      for (const c of cmds) {
        const vol = c.parameters?.volume;
        if (c.name === 'Speaker' && c.method === 'SetVolume' && typeof vol === 'number') this.setVolume(vol);
      }
    });
    s.on('systemCommand', (cmd) => {
      if (cmd === 'reboot') {
        s.disconnect();
        void s.connect();
      }
    });
  }

  /** A fresh ticket, asked for only when the profile can get one (no 409 in the normal journey). */
  private async ticketUrl(): Promise<string> {
    const p = (await this.api.profiles()).find((x) => x.name === this.profile);
    const refusal = p ? ticketRefusal(p) : null;
    if (refusal) throw new TicketError(XZ_ERRORS[refusal][this.prefs().lang === 'zh-CN' ? 'zh' : 'en'], true, refusal);
    return this.api.ticket(this.profile);
  }

  connect(): Promise<void> {
    return this.session.connect();
  }

  /** Call from any user gesture (connect button, clicks): lets the AudioContext start. */
  unlockAudio(): void {
    this.ensurePlayer(true);
  }

  disconnect(): void {
    this.session.disconnect();
  }

  /** Push-to-talk pressed (a user gesture: the AudioContext may start here). */
  async talkStart(): Promise<void> {
    this.pttHeld = true;
    this.ensurePlayer(true);
    if (!this.session.ready) {
      await this.connect();
      await this.waitReady(10_000);
    }
    if (this.pttHeld) this.session.startListening('manual');
  }

  async talkEnd(): Promise<void> {
    this.pttHeld = false;
    const cap = this.capture;
    if (cap && this.session.streaming) {
      // Send the utterance's tail first, but never hold the turn open for long.
      await Promise.race([cap.finishTurn().catch(() => undefined), new Promise((r) => setTimeout(r, 120))]);
    }
    this.session.stopListening();
  }

  /** Latest microphone RMS (0..1), whether or not a turn is streaming; null until the mic is open. */
  get inputLevel(): number | null {
    return this.capture ? this.lastMicLevel : null;
  }

  /** Resolves true once the session is ready, false on failure or after `ms`. */
  waitReady(ms: number): Promise<boolean> {
    if (this.session.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      const off = this.session.on('status', (st) => {
        if (st.phase === 'ready') done(true);
        else if (st.phase === 'failed' || st.phase === 'closed') done(false);
      });
      const done = (v: boolean) => {
        clearTimeout(timer);
        off();
        resolve(v);
      };
    });
  }

  async setHandsFree(on: boolean): Promise<void> {
    this.ensurePlayer(true);
    this.store.set({ handsFree: on });
    this.session.setHandsFree(on);
  }

  async sendText(text: string): Promise<void> {
    this.ensurePlayer(true);
    this.session.sendText(text);
  }

  bargeIn(): void {
    this.ensurePlayer(true);
    this.session.abortSpeaking();
  }

  setVolume(v: number): void {
    const volume = Math.max(0, Math.min(100, Math.round(v)));
    this.setPrefs({ volume });
    this.player?.setVolume(volume);
  }

  async setSpeaker(deviceId: string): Promise<boolean> {
    this.setPrefs({ speakerId: deviceId });
    return (await this.player?.setSinkId(deviceId).catch(() => false)) ?? false;
  }

  /** Re-opens the mic on another device. */
  async setMic(deviceId: string): Promise<void> {
    this.setPrefs({ micId: deviceId });
    this.capture?.close();
    this.capture = null;
    this.capturing = null;
    if (this.session.streaming) (await this.ensureCapture())?.setStreaming(true);
  }

  /** The player; `create` only from a user gesture (the AudioContext may start only then). */
  private ensurePlayer(create: boolean): AudioPlayer | null {
    if (this.player) {
      if (create) getAudioContext(); // resumes a suspended context inside the gesture
      return this.player;
    }
    const ctx = create ? getAudioContext() : currentAudioContext();
    if (!ctx) return null;
    this.player = new AudioPlayer(ctx);
    this.player.setVolume(this.prefs().volume);
    const sink = this.prefs().speakerId;
    if (sink) void this.player.setSinkId(sink).catch(() => undefined);
    if (this.session.ready) void this.player.prepare(this.session.downlink.sample_rate);
    return this.player;
  }

  private ensureCapture(): Promise<MicCapture | null> {
    this.capturing ??= MicCapture.open({
      deviceId: this.prefs().micId || undefined,
      frameMs: this.session.uplink.frame_duration,
      onPacket: (p) => {
        if (this.session.sendAudio(p)) this.sampler.uplink(p.length, performance.now());
      },
      onLevel: (level) => (this.lastMicLevel = level),
    })
      .then((c) => {
        this.capture = c;
        this.store.set({ micError: '' });
        return c;
      })
      .catch((err: unknown) => {
        this.capturing = null;
        this.store.set({ micError: err instanceof Error ? err.message : String(err) });
        return null;
      });
    return this.capturing;
  }

  private tick(): void {
    const outLevel = this.player?.level() ?? 0;
    const stats = this.sampler.sample(performance.now(), {
      player: this.player?.stats() ?? null,
      outLevel,
      upDropped: this.session.uplinkQueue.stats().droppedFrames,
      upCodec: this.capture?.codec ?? null,
    });
    this.store.set({ stats, outLevel, micLevel: this.session.streaming ? this.lastMicLevel : 0 });
  }

  /** Stops everything this app started. */
  close(): void {
    clearInterval(this.ticker);
    this.session.disconnect();
    this.capture?.close();
    this.player?.close();
  }
}
