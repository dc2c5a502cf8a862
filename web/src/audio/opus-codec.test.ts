// The wasm fallback path runs in Node with the real libopus build, so the wrapper is tested for real.
import { describe, expect, it } from 'vitest';
import { createOpusDecoder, createOpusEncoder } from './opus-codec.ts';

describe('opus codec wrappers (wasm fallback)', () => {
  it('encodes 60 ms 16 kHz frames to raw packets (one 60 ms packet per frame, no container) and decodes them at 48 kHz', async () => {
    const packets: Uint8Array[] = [];
    const enc = await createOpusEncoder({ sampleRate: 16000, frameMs: 60, forceWasm: true, onPacket: (p) => packets.push(p) });
    expect(enc.kind).toBe('wasm');
    for (let f = 0; f < 20; f++) {
      const frame = new Int16Array(960);
      for (let i = 0; i < 960; i++) frame[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (f * 960 + i)) / 16000));
      enc.encode(frame);
    }
    enc.close();
    expect(packets.length).toBe(20);
    // Config 11 = SILK wideband 60 ms, one frame, mono: what the firmware sends (ecosystem.md §1). No Ogg "OggS".
    // libopus may switch modes for a pure tone; the duration check below (2880 samples at 48 kHz) holds for all.
    expect(packets[0]![0]).toBe(0x58);
    expect(packets.some((p) => String.fromCharCode(...p.subarray(0, 4)) === 'OggS')).toBe(false);
    expect(packets.every((p) => p.length > 3 && p.length < 400)).toBe(true);

    const out: { n: number; rate: number; rms: number }[] = [];
    const dec = await createOpusDecoder({
      sampleRate: 24000,
      forceWasm: true,
      onPcm: (pcm, rate) => out.push({ n: pcm.length, rate, rms: Math.sqrt(pcm.reduce((a, x) => a + x * x, 0) / pcm.length) }),
    });
    for (const p of packets) dec.decode(p);
    expect(out.length).toBe(20);
    expect(out.every((o) => o.n === 2880 && o.rate === 48000)).toBe(true);
    // The tone survives the round trip (amplitude 8000/32768 → RMS ≈ 0.17).
    expect(out.at(-1)!.rms).toBeGreaterThan(0.1);
    dec.reset();
    dec.decode(packets[5]!);
    expect(out.length).toBe(21);
    dec.close();
  });
});
