import { describe, expect, it } from 'vitest';
import { EnergyVad, resampleLinear, rmsDbfs, speechSpan } from './dsp.ts';

const tone = (n: number, amp = 0.5, rate = 16000, f = 440) => Int16Array.from({ length: n }, (_, i) => Math.round(amp * 32767 * Math.sin((2 * Math.PI * f * i) / rate)));
const cat = (...parts: Int16Array[]) => { const o = new Int16Array(parts.reduce((a, p) => a + p.length, 0)); let k = 0; for (const p of parts) { o.set(p, k); k += p.length; } return o; };

describe('rmsDbfs', () => {
  it('is about -9 dBFS for a half-scale sine and -Infinity for silence', () => {
    expect(rmsDbfs(tone(1600))).toBeCloseTo(-9.03, 1);
    expect(rmsDbfs(new Int16Array(100))).toBe(-Infinity);
    expect(rmsDbfs(new Int16Array(0))).toBe(-Infinity);
  });
});

describe('speechSpan', () => {
  it('spans first to last loud window, pauses included', () => {
    const pcm = cat(new Int16Array(8000), tone(16000), new Int16Array(4000), tone(8000), new Int16Array(16000));
    const s = speechSpan(pcm, 16000);
    expect(s.start).toBe(8000);
    expect(s.durationMs).toBeCloseTo(1750, -1);
    expect(s.levelDbfs).toBeCloseTo(-9, 0);
  });
  it('reports nothing for silence or quiet noise', () => {
    const noise = Int16Array.from({ length: 16000 }, () => Math.round((Math.random() - 0.5) * 40));
    expect(speechSpan(noise, 16000).durationMs).toBe(0);
  });
});

describe('EnergyVad', () => {
  it('ends only after 600 ms of silence that follows speech', () => {
    const vad = new EnergyVad(16000, 600);
    expect(vad.push(new Int16Array(16000))).toBe(false); // silence first: not an end
    expect(vad.push(tone(960))).toBe(false);
    expect(vad.speechSeen).toBe(true);
    for (let i = 0; i < 9; i++) expect(vad.push(new Int16Array(960))).toBe(false); // 540 ms
    expect(vad.push(new Int16Array(960))).toBe(true); // 600 ms
  });
  it('handles chunks that do not align with its 10 ms windows', () => {
    const vad = new EnergyVad(16000, 100);
    vad.push(tone(77));
    vad.push(tone(300));
    let ended = false;
    for (let i = 0; i < 30 && !ended; i++) ended = vad.push(new Int16Array(97));
    expect(ended).toBe(true);
  });
});

describe('resampleLinear', () => {
  it('16 kHz → 24 kHz keeps duration and pitch', () => {
    const out = resampleLinear(tone(16000, 0.5, 16000, 300), 16000, 24000);
    expect(out.length).toBe(24000);
    let crossings = 0;
    for (let i = 1; i < out.length; i++) if (out[i - 1]! < 0 && out[i]! >= 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(299);
    expect(crossings).toBeLessThanOrEqual(301);
  });
  it('same rate copies', () => {
    const a = tone(10);
    const b = resampleLinear(a, 16000, 16000);
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
  });
});
