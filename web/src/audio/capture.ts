/**
 * Microphone → 16 kHz mono → Opus packets (xiaozhi-protocol.md §4.3, §8(a)).
 * The mic is tapped at the context's native rate by an AudioWorklet (never a 16 kHz context:
 * Firefox refuses it, §9 item 4), resampled here, cut into frames and encoded one raw packet per
 * frame. Packets are produced only while `streaming` is on; the level meter runs always.
 */
import { getAudioContext, rms } from './audio-context.ts';
import { FrameChunker } from './frame-chunker.ts';
import { createOpusEncoder, type CodecKind, type OpusEncoderHandle } from './opus-codec.ts';
import { Resampler } from './resampler.ts';

export interface CaptureOptions {
  /** Mic deviceId from enumerateDevices, or undefined for the default. */
  deviceId?: string | undefined;
  /** Uplink frame length (our hello's frame_duration), ms. */
  frameMs: number;
  onPacket: (packet: Uint8Array) => void;
  /** Input level (RMS, 0..1) about 20 times a second. */
  onLevel?: (level: number) => void;
  onError?: (err: Error) => void;
}

/** A live microphone pipeline; `close()` releases the device. */
export class MicCapture {
  streaming = false;
  readonly codec: CodecKind;
  private constructor(
    private readonly stream: MediaStream,
    private readonly source: MediaStreamAudioSourceNode,
    private readonly node: AudioWorkletNode,
    private readonly sink: GainNode,
    private readonly encoder: OpusEncoderHandle,
    private readonly resampler: Resampler,
    private readonly chunker: FrameChunker,
  ) {
    this.codec = encoder.kind;
  }

  /** Asks for the mic (needs a secure context), loads the worklet and the encoder. */
  static async open(o: CaptureOptions): Promise<MicCapture> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('Microphone access needs a secure context (HTTPS or http://localhost).');
    }
    const ctx = getAudioContext();
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        ...(o.deviceId ? { deviceId: { exact: o.deviceId } } : {}),
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
        channelCount: 1,
      },
    });
    try {
      await loadWorklet(ctx);
      const encoder = await createOpusEncoder({ sampleRate: 16000, frameMs: o.frameMs, onPacket: o.onPacket, ...(o.onError ? { onError: o.onError } : {}) });
      const source = ctx.createMediaStreamSource(stream);
      const node = new AudioWorkletNode(ctx, 'xiaozhi-capture', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
      // A silent sink keeps the worklet pulled by the graph in every browser.
      const sink = ctx.createGain();
      sink.gain.value = 0;
      source.connect(node);
      node.connect(sink);
      sink.connect(ctx.destination);
      const cap = new MicCapture(stream, source, node, sink, encoder, new Resampler({ inRate: ctx.sampleRate, outRate: 16000 }), new FrameChunker((16000 * o.frameMs) / 1000));
      node.port.onmessage = (ev: MessageEvent<Float32Array>) => cap.onBatch(ev.data, o);
      return cap;
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      throw err;
    }
  }

  /** Starts/stops producing packets (the session's `streaming` event drives this). */
  setStreaming(on: boolean): void {
    if (on === this.streaming) return;
    this.streaming = on;
    // A new turn starts with a clean frame; the encoder keeps its state for the whole stream.
    this.chunker.reset();
  }

  /**
   * End of a push-to-talk turn: the last partial frame is padded and encoded, and the encoder
   * flushed, so the tail of the utterance is sent before `listen stop` (reliability §4.2).
   */
  async finishTurn(): Promise<void> {
    if (!this.streaming) return;
    const last = this.chunker.flushPadded();
    if (last) this.encoder.encode(last);
    await this.encoder.flush();
  }

  private onBatch(batch: Float32Array, o: CaptureOptions): void {
    o.onLevel?.(rms(batch));
    const pcm16k = this.resampler.process(batch);
    if (!this.streaming) return;
    for (const frame of this.chunker.push(pcm16k)) this.encoder.encode(frame);
  }

  /** Label of the device actually in use. */
  get label(): string {
    return this.stream.getAudioTracks()[0]?.label ?? '';
  }

  close(): void {
    this.node.port.onmessage = null;
    this.source.disconnect();
    this.node.disconnect();
    this.sink.disconnect();
    this.encoder.close();
    for (const t of this.stream.getTracks()) t.stop();
  }
}

const loaded = new WeakSet<BaseAudioContext>();
async function loadWorklet(ctx: AudioContext): Promise<void> {
  if (loaded.has(ctx)) return;
  try {
    await ctx.audioWorklet.addModule(new URL('./capture-worklet.js', import.meta.url));
  } catch (err) {
    throw new Error(`Could not load the audio capture worklet (${err instanceof Error ? err.message : String(err)}).`);
  }
  loaded.add(ctx);
}
