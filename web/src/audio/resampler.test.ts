import { describe, expect, it } from 'vitest';
import { Resampler } from './resampler.ts';

function sine(rate: number, hz: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i] as number) ** 2;
  return Math.sqrt(s / Math.max(1, to - from));
}

/** Correlates with a reference sine (any phase) and returns the matched amplitude. */
function toneAmplitude(x: Float32Array, rate: number, hz: number, from: number): number {
  let re = 0;
  let im = 0;
  for (let i = from; i < x.length; i++) {
    re += (x[i] as number) * Math.cos((2 * Math.PI * hz * i) / rate);
    im += (x[i] as number) * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (x.length - from);
}

function runChunked(r: Resampler, input: Float32Array, chunk: number): Float32Array {
  const parts: Float32Array[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(r.process(input.subarray(i, i + chunk)));
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Float32Array(total);
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

describe('Resampler', () => {
  it.each([48000, 44100, 32000, 8000])('keeps a 1 kHz tone at the right pitch and level from %i Hz to 16 kHz', (inRate) => {
    const r = new Resampler({ inRate, outRate: 16000 });
    const out = runChunked(r, sine(inRate, 1000, 1), 128);
    // Output length tracks the ratio (minus the kernel's look-ahead).
    expect(Math.abs(out.length - 16000)).toBeLessThan(40);
    expect(toneAmplitude(out, 16000, 1000, 200)).toBeGreaterThan(0.47);
    expect(toneAmplitude(out, 16000, 1000, 200)).toBeLessThan(0.53);
    // Nothing else of note: total energy is the tone's.
    expect(rms(out, 200)).toBeCloseTo(0.5 / Math.SQRT2, 1);
  });

  it('removes content above the new Nyquist instead of folding it back (anti-aliasing)', () => {
    const r = new Resampler({ inRate: 48000, outRate: 16000 });
    const out = runChunked(r, sine(48000, 11000, 1), 480);
    // 11 kHz would alias to 5 kHz; it must be at least ~40 dB down.
    expect(rms(out, 200)).toBeLessThan(0.005);
  });

  it('gives identical output whatever the chunk sizes (seamless boundaries)', () => {
    const input = sine(44100, 440, 0.5);
    const a = runChunked(new Resampler({ inRate: 44100, outRate: 16000 }), input, input.length);
    const b = runChunked(new Resampler({ inRate: 44100, outRate: 16000 }), input, 128);
    const c = runChunked(new Resampler({ inRate: 44100, outRate: 16000 }), input, 7);
    expect(b.length).toBe(a.length);
    expect(c.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-5);
      expect(Math.abs((a[i] as number) - (c[i] as number))).toBeLessThan(1e-5);
    }
  });

  it('upsamples too (16 kHz → 48 kHz) and passes equal rates through', () => {
    const up = runChunked(new Resampler({ inRate: 16000, outRate: 48000 }), sine(16000, 1000, 1), 960);
    expect(toneAmplitude(up, 48000, 1000, 600)).toBeGreaterThan(0.47);
    const same = new Resampler({ inRate: 16000, outRate: 16000 }).process(Float32Array.of(1, 2, 3));
    expect(Array.from(same)).toEqual([1, 2, 3]);
  });

  it('rejects nonsense rates', () => {
    expect(() => new Resampler({ inRate: 0, outRate: 16000 })).toThrow(RangeError);
  });
});
