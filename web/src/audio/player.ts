/**
 * Downlink playback (xiaozhi-protocol.md §4.3, reliability-performance.md §4.3):
 * packets → one persistent decoder per reply → AudioBuffers at the decoded data's own rate →
 * gapless schedule from the jitter buffer → gain (volume) → analyser (output level) → speakers.
 */
import { JitterBuffer, type JitterStats } from './jitter-buffer.ts';
import { createOpusDecoder, type CodecKind, type OpusDecoderHandle } from './opus-codec.ts';

export interface PlayerStats extends JitterStats {
  /** First downlink packet of the latest reply → its first sample audible, ms (incl. outputLatency). */
  firstAudioMs: number | null;
  /** Recent first-audio delays, ms (newest last). */
  firstAudioHistoryMs: number[];
  /** Where the latest first-audio time went: packet → decoded, decoded → scheduled start, output latency (ms). */
  firstAudioParts: { decodeMs: number; scheduleMs: number; outputMs: number } | null;
  depthMs: number;
  codec: CodecKind | null;
  decodeErrors: number;
}

export class AudioPlayer {
  readonly gain: GainNode;
  readonly analyser: AnalyserNode;
  private readonly jb = new JitterBuffer();
  private decoder: OpusDecoderHandle | null = null;
  private decoderRate = 0;
  private readonly sources = new Set<AudioBufferSourceNode>();
  private firstPacketAt: number | null = null;
  private awaitingFirstSound = false;
  private firstAudioMs: number | null = null;
  private readonly firstAudioHistory: number[] = [];
  private firstAudioParts: PlayerStats['firstAudioParts'] = null;
  private decodeErrors = 0;
  private readonly levelBuf: Float32Array<ArrayBuffer>;
  private readonly early: Uint8Array[] = [];

  constructor(private readonly ctx: AudioContext) {
    this.gain = ctx.createGain();
    this.analyser = ctx.createAnalyser();
    // A short window (~11 ms at 48 kHz) so the measured level follows a barge-in closely.
    this.analyser.fftSize = 512;
    this.levelBuf = new Float32Array(this.analyser.fftSize);
    this.gain.connect(this.analyser);
    this.analyser.connect(ctx.destination);
  }

  /** Creates (or re-creates for a new rate) the persistent decoder once the server hello is known. */
  async prepare(serverRate: number): Promise<void> {
    if (this.decoder && this.decoderRate === serverRate) return;
    this.decoder?.close();
    this.decoder = null;
    this.decoderRate = serverRate;
    const dec = await createOpusDecoder({
      sampleRate: serverRate,
      onPcm: (pcm, pcmRate) => this.schedule(pcm, pcmRate),
      onError: () => this.decodeErrors++,
    });
    if (this.decoderRate !== serverRate) return dec.close();
    this.decoder = dec;
    for (const p of this.early.splice(0)) this.push(p);
  }

  /** A reply starts (`tts start`): fresh decoder state, new stream in the jitter buffer (§4.3). */
  beginReply(): void {
    this.early.length = 0;
    this.jb.beginStream();
    this.firstPacketAt = null;
    this.awaitingFirstSound = true;
    this.decoder?.reset();
  }

  /** One Opus packet from the socket (held briefly if the decoder is still loading). */
  push(packet: Uint8Array): void {
    if (this.firstPacketAt === null) this.firstPacketAt = performance.now();
    if (!this.decoder) {
      if (this.early.length < 100) this.early.push(packet);
      return;
    }
    try {
      this.decoder.decode(packet);
    } catch {
      this.decodeErrors++;
    }
  }

  /** The reply ended (`tts stop`): later silence is not an underrun. */
  endReply(): void {
    this.jb.endStream();
  }

  /** Barge-in: silence now, forget queued audio, reset decoder state. */
  flush(): void {
    const now = this.ctx.currentTime;
    for (const s of this.sources) {
      try {
        s.stop(now);
      } catch {
        // already stopped
      }
      s.disconnect();
    }
    this.sources.clear();
    this.jb.flush();
    this.jb.endStream();
    this.early.length = 0;
    this.decoder?.reset();
    this.awaitingFirstSound = false;
  }

  /** Volume 0–100 (the MCP set_volume tool drives this). */
  setVolume(volume: number): void {
    const v = Math.max(0, Math.min(100, volume)) / 100;
    this.gain.gain.setTargetAtTime(v * v, this.ctx.currentTime, 0.01);
  }

  /** Speaker choice where AudioContext.setSinkId exists (Chromium 110+). */
  async setSinkId(deviceId: string): Promise<boolean> {
    const c = this.ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (typeof c.setSinkId !== 'function') return false;
    await c.setSinkId(deviceId);
    return true;
  }

  /** Output RMS right now (after the volume gain), 0..1. */
  level(): number {
    this.analyser.getFloatTimeDomainData(this.levelBuf);
    let s = 0;
    for (let i = 0; i < this.levelBuf.length; i++) s += (this.levelBuf[i] as number) ** 2;
    return Math.sqrt(s / this.levelBuf.length);
  }

  /** True while scheduled audio remains. */
  get playing(): boolean {
    return this.jb.endTime > this.ctx.currentTime;
  }

  stats(): PlayerStats {
    return {
      ...this.jb.stats(),
      firstAudioMs: this.firstAudioMs,
      firstAudioHistoryMs: [...this.firstAudioHistory],
      firstAudioParts: this.firstAudioParts,
      depthMs: this.jb.depthMs(this.ctx.currentTime),
      codec: this.decoder?.kind ?? null,
      decodeErrors: this.decodeErrors,
    };
  }

  close(): void {
    this.flush();
    this.decoder?.close();
    this.gain.disconnect();
    this.analyser.disconnect();
  }

  private schedule(pcm: Float32Array, rate: number): void {
    if (pcm.length === 0) return;
    // Build the buffer at the decoded data's own rate (Chromium: 48 kHz); Web Audio resamples.
    const buf = this.ctx.createBuffer(1, pcm.length, rate);
    buf.copyToChannel(pcm as Float32Array<ArrayBuffer>, 0);
    const now = this.ctx.currentTime;
    const place = this.jb.place(buf.duration, now);
    if (!place) return;
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    src.connect(this.gain);
    src.onended = () => {
      this.sources.delete(src);
      src.disconnect();
    };
    this.sources.add(src);
    src.start(place.at);
    if (this.awaitingFirstSound && this.firstPacketAt !== null) {
      this.awaitingFirstSound = false;
      const outLat = (this.ctx as AudioContext & { outputLatency?: number }).outputLatency ?? 0;
      const r = (x: number) => Math.round(x * 10) / 10;
      const parts = { decodeMs: r(performance.now() - this.firstPacketAt), scheduleMs: r((place.at - now) * 1000), outputMs: r(outLat * 1000) };
      this.firstAudioParts = parts;
      this.firstAudioMs = r(parts.decodeMs + parts.scheduleMs + parts.outputMs);
      this.firstAudioHistory.push(this.firstAudioMs);
      if (this.firstAudioHistory.length > 50) this.firstAudioHistory.shift();
    }
  }
}
