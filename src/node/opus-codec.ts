/**
 * Small Opus wrapper over @evan/opus (ecosystem.md §1): raw packets, mono, persistent state per stream.
 * Kept behind this interface so the library can be swapped (opusscript is the tested fallback).
 */
import { Decoder, Encoder } from '@evan/opus';

export type OpusRate = 8000 | 12000 | 16000 | 24000 | 48000;

export interface OpusEncoderOptions {
  sampleRate?: OpusRate;
  /** Frame length in ms (2.5–60); every encode() call takes exactly one frame. */
  frameMs?: number;
  bitrate?: number;
  application?: 'voip' | 'audio';
}

/** One persistent mono encoder (one per outgoing stream, §4.3). */
export class OpusEncoder {
  readonly sampleRate: OpusRate;
  readonly frameSamples: number;
  readonly frameMs: number;
  #enc: Encoder;

  constructor(options: OpusEncoderOptions = {}) {
    this.sampleRate = options.sampleRate ?? 16000;
    this.frameMs = options.frameMs ?? 60;
    this.frameSamples = Math.round((this.sampleRate * this.frameMs) / 1000);
    this.#enc = new Encoder({ channels: 1, sample_rate: this.sampleRate, application: options.application ?? 'voip' });
    this.#enc.bitrate = options.bitrate ?? 24000;
  }

  /** Encode exactly one frame; a shorter frame is zero-padded, a longer one throws RangeError. */
  encode(frame: Int16Array): Uint8Array {
    if (frame.length > this.frameSamples) throw new RangeError(`frame of ${frame.length} samples exceeds ${this.frameSamples}`);
    let input = frame;
    if (frame.length < this.frameSamples) {
      input = new Int16Array(this.frameSamples);
      input.set(frame);
    }
    return this.#enc.encode(input);
  }

  /** Encode a whole PCM buffer into packets (last frame zero-padded). */
  encodeAll(pcm: Int16Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < pcm.length; i += this.frameSamples) out.push(this.encode(pcm.subarray(i, i + this.frameSamples)));
    return out;
  }

  reset(): void {
    this.#enc.reset();
  }
}

/** One persistent mono decoder (one per incoming stream, §4.3). Any packet rate decodes at any output rate. */
export class OpusDecoder {
  readonly sampleRate: OpusRate;
  #dec: Decoder;

  constructor(sampleRate: OpusRate = 16000) {
    this.sampleRate = sampleRate;
    this.#dec = new Decoder({ channels: 1, sample_rate: sampleRate });
  }

  /** Decode one raw packet to PCM16 samples (a copy; throws on a corrupt packet). */
  decode(packet: Uint8Array): Int16Array {
    const bytes = this.#dec.decode(packet);
    // decode() returns PCM16 bytes; copy so the Int16Array is aligned and owned (ecosystem.md §1).
    const out = new Int16Array(bytes.byteLength >> 1);
    new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 2));
    return out;
  }

  /** Decode many packets into one buffer. */
  decodeAll(packets: Iterable<Uint8Array>): Int16Array {
    const parts: Int16Array[] = [];
    for (const p of packets) parts.push(this.decode(p));
    return concatPcm(parts);
  }

  reset(): void {
    this.#dec.reset();
  }
}

/** Concatenate PCM chunks. */
export function concatPcm(parts: readonly Int16Array[]): Int16Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Int16Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
