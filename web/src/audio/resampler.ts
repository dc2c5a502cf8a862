/**
 * Streaming mono resampler (windowed-sinc, arbitrary ratio) used on the capture path to turn the
 * AudioContext's native rate (44.1/48 kHz, or whatever the device gives) into the 16 kHz the
 * XiaoZhi uplink expects (xiaozhi-protocol.md §4.3). We never ask the browser for a 16 kHz
 * context: Firefox refuses to connect a mic to it (§9 item 4).
 *
 * Pure TypeScript, no DOM: unit-tested in Node.
 */

/** Options for {@link Resampler}. */
export interface ResamplerOptions {
  /** Input rate in Hz. */
  inRate: number;
  /** Output rate in Hz. */
  outRate: number;
  /** Half-width of the sinc kernel in output-rate zero crossings (quality vs CPU). Default 8. */
  halfTaps?: number;
}

/** Streaming resampler keeping its own history so chunk boundaries are seamless. */
export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Input samples advanced per output sample. */
  private readonly step: number;
  /** Cutoff relative to the input Nyquist (≤ 1), with a little guard band. */
  private readonly cutoff: number;
  /** Kernel half-width in input samples. */
  private readonly half: number;
  private hist: Float32Array;
  /** Number of valid samples in `hist`. */
  private histLen = 0;
  /** Position (in input samples, relative to hist[0]) of the next output sample. */
  private pos: number;

  constructor(opts: ResamplerOptions) {
    if (!(opts.inRate > 0) || !(opts.outRate > 0)) throw new RangeError('Resampler rates must be positive');
    this.inRate = opts.inRate;
    this.outRate = opts.outRate;
    this.step = opts.inRate / opts.outRate;
    this.cutoff = Math.min(1, opts.outRate / opts.inRate) * 0.92;
    this.half = Math.ceil((opts.halfTaps ?? 8) / this.cutoff);
    this.hist = new Float32Array(4096);
    // Start with `half` samples of silent history so the first output is centred on input 0.
    this.histLen = this.half;
    this.pos = this.half;
  }

  /** Kernel value at distance `x` input samples (sinc with Blackman window). */
  private kernel(x: number): number {
    const half = this.half;
    if (x <= -half || x >= half) return 0;
    const c = this.cutoff;
    const t = Math.PI * c * x;
    const sinc = x === 0 ? 1 : Math.sin(t) / t;
    const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / half) + 0.08 * Math.cos((2 * Math.PI * x) / half);
    return c * sinc * w;
  }

  /** Feeds input samples; returns the output samples that are now fully determined. */
  process(input: Float32Array): Float32Array {
    if (this.inRate === this.outRate) return input.slice();
    this.append(input);
    const half = this.half;
    // An output at `pos` needs input up to floor(pos) + half.
    const avail = this.histLen - half;
    const count = Math.max(0, Math.floor((avail - this.pos) / this.step) + 1);
    const out = new Float32Array(count);
    const h = this.hist;
    for (let n = 0; n < count; n++) {
      const p = this.pos + n * this.step;
      const lo = Math.max(0, Math.floor(p - half) + 1);
      const hi = Math.min(this.histLen - 1, Math.floor(p + half));
      let acc = 0;
      for (let k = lo; k <= hi; k++) acc += (h[k] as number) * this.kernel(p - k);
      out[n] = acc;
    }
    this.pos += count * this.step;
    this.discard();
    return out;
  }

  /** Clears history (e.g. when the mic restarts). */
  reset(): void {
    this.hist.fill(0);
    this.histLen = this.half;
    this.pos = this.half;
  }

  private append(input: Float32Array): void {
    const need = this.histLen + input.length;
    if (need > this.hist.length) {
      let cap = this.hist.length;
      while (cap < need) cap *= 2;
      const grown = new Float32Array(cap);
      grown.set(this.hist.subarray(0, this.histLen));
      this.hist = grown;
    }
    this.hist.set(input, this.histLen);
    this.histLen = need;
  }

  /** Drops history no future output can reach. */
  private discard(): void {
    const drop = Math.max(0, Math.floor(this.pos) - this.half);
    if (drop === 0) return;
    this.hist.copyWithin(0, drop, this.histLen);
    this.histLen -= drop;
    this.pos -= drop;
  }
}
