import { describe, expect, it } from 'vitest';
import { concatPcm, OpusDecoder, OpusEncoder } from './opus-codec.ts';

const tone = (n: number, rate: number) => Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)));

describe('OpusCodec', () => {
  it('16 kHz 60 ms packets: TOC config 11 (SILK WB 60 ms) and 960 samples back', () => {
    const enc = new OpusEncoder({ sampleRate: 16000, frameMs: 60 });
    const packets = enc.encodeAll(tone(16000, 16000));
    expect(packets).toHaveLength(17); // last frame zero-padded
    expect(packets[0]![0]! >> 3).toBe(11);
    const dec = new OpusDecoder(16000);
    expect(dec.decode(packets[0]!)).toHaveLength(960);
  });
  it('decodes a 24 kHz stream at 24 kHz and at 48 kHz', () => {
    const packets = new OpusEncoder({ sampleRate: 24000, frameMs: 60 }).encodeAll(tone(24000, 24000));
    expect(packets).toHaveLength(Math.ceil(24000 / 1440));
    expect(new OpusDecoder(24000).decodeAll(packets).length).toBe(packets.length * 1440);
    expect(new OpusDecoder(48000).decode(packets[0]!)).toHaveLength(2880);
  });
  it('pads short frames, refuses long ones and corrupt packets', () => {
    const enc = new OpusEncoder({ sampleRate: 16000, frameMs: 20 });
    expect(enc.frameSamples).toBe(320);
    expect(() => enc.encode(new Int16Array(100))).not.toThrow();
    expect(() => enc.encode(new Int16Array(321))).toThrow(RangeError);
    expect(() => new OpusDecoder(16000).decode(new Uint8Array([0xff, 0xff, 0xff]))).toThrow();
  });
  it('concatPcm joins chunks', () => {
    expect(Array.from(concatPcm([Int16Array.from([1]), Int16Array.from([2, 3])]))).toEqual([1, 2, 3]);
  });
});
