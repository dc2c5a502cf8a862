/**
 * Raw-Opus encoder/decoder factories (xiaozhi-protocol.md §4.3, §9 items 1–3): one raw packet per
 * frame, never a container, and one persistent codec per stream. WebCodecs first (zero bytes,
 * fastest); a lazily imported libopus wasm build otherwise (ecosystem.md §1).
 */
import { int16ToFloat } from './frame-chunker.ts';

export type CodecKind = 'webcodecs' | 'wasm';

/** Streaming encoder: frames in, packets out through `onPacket`. */
export interface OpusEncoderHandle {
  readonly kind: CodecKind;
  /** Encodes one frame of 16-bit mono PCM (exactly frameSamples long). */
  encode(frame: Int16Array): void;
  /** Resolves once every frame given so far has come out as a packet. */
  flush(): Promise<void>;
  close(): void;
}

/** Streaming decoder: packets in, float PCM out through `onPcm` at the rate it reports. */
export interface OpusDecoderHandle {
  readonly kind: CodecKind;
  decode(packet: Uint8Array): void;
  /** Forgets inter-frame state (new reply / after abort, §4.3). Pending outputs are discarded. */
  reset(): void;
  close(): void;
}

export interface EncoderOptions {
  sampleRate: number;
  frameMs: number;
  bitrate?: number;
  onPacket: (packet: Uint8Array) => void;
  onError?: (err: Error) => void;
  /** Skip WebCodecs (tests, or a browser whose WebCodecs misbehaves). */
  forceWasm?: boolean;
}

export interface DecoderOptions {
  /** Rate the server announced (hello audio_params.sample_rate; default 24 000). */
  sampleRate: number;
  /** Called with decoded mono samples and *their* rate (Chromium always gives 48 kHz). */
  onPcm: (pcm: Float32Array, sampleRate: number) => void;
  onError?: (err: Error) => void;
  forceWasm?: boolean;
}

type WasmOpus = typeof import('@evan/wasm/target/opus/deno.js');
let wasmModule: Promise<WasmOpus> | null = null;
/** Loads the fallback chunk once, on first need. */
export function loadWasmOpus(): Promise<WasmOpus> {
  wasmModule ??= import('@evan/wasm/target/opus/deno.js');
  return wasmModule;
}

function encoderConfig(o: EncoderOptions): AudioEncoderConfig {
  return {
    codec: 'opus',
    sampleRate: o.sampleRate,
    numberOfChannels: 1,
    bitrate: o.bitrate ?? 24_000,
    // format 'opus' = raw packets (no Ogg); frameDuration is in microseconds.
    opus: { frameDuration: o.frameMs * 1000, format: 'opus', application: 'voip', signal: 'voice', complexity: 5 },
  } as AudioEncoderConfig;
}

/** Creates the uplink encoder: WebCodecs when `isConfigSupported` says so, else wasm libopus. */
export async function createOpusEncoder(o: EncoderOptions): Promise<OpusEncoderHandle> {
  const onError = o.onError ?? ((e: Error) => console.error('opus encoder', e));
  if (!o.forceWasm && typeof AudioEncoder !== 'undefined') {
    const config = encoderConfig(o);
    const support = await AudioEncoder.isConfigSupported(config).catch(() => ({ supported: false }));
    if (support.supported) {
      const enc = new AudioEncoder({
        output: (chunk) => {
          const buf = new Uint8Array(chunk.byteLength);
          chunk.copyTo(buf);
          o.onPacket(buf);
        },
        error: (e) => onError(e instanceof Error ? e : new Error(String(e))),
      });
      enc.configure(config);
      let ts = 0;
      const frameUs = o.frameMs * 1000;
      return {
        kind: 'webcodecs',
        encode(frame) {
          if (enc.state !== 'configured') return;
          const data = new AudioData({ format: 's16', sampleRate: o.sampleRate, numberOfChannels: 1, numberOfFrames: frame.length, timestamp: ts, data: frame as Int16Array<ArrayBuffer> });
          ts += frameUs;
          enc.encode(data);
          data.close();
        },
        async flush() {
          if (enc.state === 'configured') await enc.flush();
        },
        close() {
          if (enc.state !== 'closed') enc.close();
        },
      };
    }
  }
  const { Encoder } = await loadWasmOpus();
  const enc = new Encoder({ channels: 1, sample_rate: o.sampleRate, application: 'voip' });
  enc.bitrate = o.bitrate ?? 24_000;
  let closed = false;
  return {
    kind: 'wasm',
    encode(frame) {
      if (closed) return;
      try {
        o.onPacket(enc.encode(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)));
      } catch (e) {
        onError(e instanceof Error ? e : new Error(String(e)));
      }
    },
    async flush() {
      // Synchronous encoder: every packet is already out.
    },
    close() {
      if (!closed) (closed = true), enc.drop();
    },
  };
}

/** Creates a downlink decoder: WebCodecs AudioDecoder when supported, else wasm libopus at 48 kHz. */
export async function createOpusDecoder(o: DecoderOptions): Promise<OpusDecoderHandle> {
  const onError = o.onError ?? ((e: Error) => console.error('opus decoder', e));
  if (!o.forceWasm && typeof AudioDecoder !== 'undefined') {
    const config: AudioDecoderConfig = { codec: 'opus', sampleRate: o.sampleRate, numberOfChannels: 1 };
    const support = await AudioDecoder.isConfigSupported(config).catch(() => ({ supported: false }));
    if (support.supported) {
      const make = () => {
        const dec = new AudioDecoder({
          // After reset() or close() the decoder delivers no output of earlier packets (WebCodecs spec).
          output: (data) => {
            const pcm = new Float32Array(data.numberOfFrames);
            data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' });
            // Chromium decodes to 48 kHz whatever was configured: trust the AudioData (ecosystem.md §1).
            o.onPcm(pcm, data.sampleRate);
            data.close();
          },
          error: (e) => onError(e instanceof Error ? e : new Error(String(e))),
        });
        dec.configure(config);
        return dec;
      };
      let dec = make();
      let ts = 0;
      return {
        kind: 'webcodecs',
        decode(packet) {
          if (dec.state !== 'configured') dec = make();
          dec.decode(new EncodedAudioChunk({ type: 'key', timestamp: ts, data: packet }));
          ts += 60_000;
        },
        reset() {
          // reset() drops queued work and pending outputs; reconfiguring the same decoder is cheaper
          // than building a new one (first-audio time, reliability-performance.md §4.3).
          if (dec.state === 'closed') dec = make();
          else {
            dec.reset();
            dec.configure(config);
          }
          ts = 0;
        },
        close() {
          if (dec.state !== 'closed') dec.close();
        },
      };
    }
  }
  const { Decoder } = await loadWasmOpus();
  const rate = 48_000;
  let dec = new Decoder({ channels: 1, sample_rate: rate });
  return {
    kind: 'wasm',
    decode(packet) {
      try {
        const bytes = dec.decode(packet);
        o.onPcm(int16ToFloat(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1)), rate);
      } catch (e) {
        onError(e instanceof Error ? e : new Error(String(e)));
      }
    },
    reset() {
      dec.drop();
      dec = new Decoder({ channels: 1, sample_rate: rate });
    },
    close() {
      dec.drop();
    },
  };
}
