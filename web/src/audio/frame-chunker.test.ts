import { describe, expect, it } from 'vitest';
import { FrameChunker, floatToInt16, int16ToFloat } from './frame-chunker.ts';

describe('FrameChunker', () => {
  it('emits 960-sample frames across arbitrary input sizes and keeps the remainder', () => {
    const c = new FrameChunker(960);
    const ramp = new Float32Array(2500).map((_, i) => (i % 1000) / 1000);
    const frames = [...c.push(ramp.subarray(0, 128)), ...c.push(ramp.subarray(128, 1000)), ...c.push(ramp.subarray(1000))];
    expect(frames.map((f) => f.length)).toEqual([960, 960]);
    expect(c.pending).toBe(2500 - 1920);
    // Sample 960 of the input is the first of frame 2, in order.
    expect(frames[1]![0]).toBe(Math.round((960 / 1000) * 32767));
    expect(frames[1]![40]).toBe(Math.round((0 / 1000) * 32767));
    c.reset();
    expect(c.pending).toBe(0);
  });

  it('returns independent frames (a later frame does not overwrite an earlier one)', () => {
    const c = new FrameChunker(4);
    const [a] = c.push(Float32Array.of(0.5, 0.5, 0.5, 0.5));
    const [b] = c.push(Float32Array.of(-0.5, -0.5, -0.5, -0.5));
    expect(a![0]).toBeGreaterThan(0);
    expect(b![0]).toBeLessThan(0);
  });

  it('clamps out-of-range floats and round-trips Int16', () => {
    expect(Array.from(floatToInt16(Float32Array.of(2, -2, 0)))).toEqual([32767, -32768, 0]);
    expect(int16ToFloat(Int16Array.of(-32768))[0]).toBe(-1);
  });

  it('rejects a zero frame size', () => {
    expect(() => new FrameChunker(0)).toThrow(RangeError);
  });
});

describe('FrameChunker.flushPadded', () => {
  it('pads the partial frame with silence once, then has nothing left', () => {
    const c = new FrameChunker(4);
    c.push(Float32Array.of(0.5, 0.5));
    const f = c.flushPadded();
    expect(Array.from(f!)).toEqual([16384, 16384, 0, 0]);
    expect(c.flushPadded()).toBeNull();
    expect(c.pending).toBe(0);
  });
});
