/**
 * Cuts a stream of 16 kHz float samples into fixed Opus frames (60 ms = 960 samples by default,
 * or whatever `frame_duration` our hello advertises: xiaozhi-protocol.md §4.3) as Int16 PCM.
 * Preallocated: one frame buffer is filled in place; each emitted frame is a fresh copy the
 * encoder may keep.
 */
export class FrameChunker {
  readonly frameSamples: number;
  private readonly buf: Float32Array;
  private fill = 0;

  /** @param frameSamples samples per frame, e.g. 16000 × 60 / 1000 = 960 */
  constructor(frameSamples: number) {
    if (!Number.isInteger(frameSamples) || frameSamples <= 0) throw new RangeError('frameSamples must be a positive integer');
    this.frameSamples = frameSamples;
    this.buf = new Float32Array(frameSamples);
  }

  /** Adds samples; returns every frame completed by them (possibly none). */
  push(samples: Float32Array): Int16Array[] {
    const frames: Int16Array[] = [];
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(this.frameSamples - this.fill, samples.length - i);
      this.buf.set(samples.subarray(i, i + take), this.fill);
      this.fill += take;
      i += take;
      if (this.fill === this.frameSamples) {
        frames.push(floatToInt16(this.buf));
        this.fill = 0;
      }
    }
    return frames;
  }

  /** Samples waiting for the next frame. */
  get pending(): number {
    return this.fill;
  }

  /** The partial frame padded with silence to a full frame, or null if empty; clears it. */
  flushPadded(): Int16Array | null {
    if (this.fill === 0) return null;
    this.buf.fill(0, this.fill);
    this.fill = 0;
    return floatToInt16(this.buf);
  }

  /** Drops the partial frame (listening stopped). */
  reset(): void {
    this.fill = 0;
  }
}

/** Converts [-1, 1] floats to clamped Int16 PCM. */
export function floatToInt16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    out[i] = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767);
  }
  return out;
}

/** Converts Int16 PCM to floats in [-1, 1). */
export function int16ToFloat(x: Int16Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] as number) / 32768;
  return out;
}
