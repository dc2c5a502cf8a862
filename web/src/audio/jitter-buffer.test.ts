import { describe, expect, it } from 'vitest';
import { JitterBuffer, type Placement } from './jitter-buffer.ts';

const F = 0.06; // one 60 ms packet, seconds

/** Deterministic PRNG (mulberry32) so jitter traces are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Feeds a reply whose packets arrive at `arrivals` (seconds, non-decreasing: TCP keeps order). */
function play(jb: JitterBuffer, arrivals: number[]): Placement[] {
  jb.beginStream();
  const out: Placement[] = [];
  for (const t of arrivals) {
    const p = jb.place(F, t);
    if (p) out.push(p);
  }
  jb.endStream();
  return out;
}

/** XiaoZhi pacing: first `burst` packets at once, then one per 60 ms (protocol §4.3). */
function burstThenPaced(n: number, burst = 4, t0 = 0): number[] {
  return Array.from({ length: n }, (_, k) => t0 + Math.max(0, k - burst + 1) * F);
}

function gaps(ps: Placement[]): number[] {
  return ps.slice(1).map((p, i) => Math.round((p.at - (ps[i]!.at + F)) * 1e6) / 1e3);
}

describe('JitterBuffer', () => {
  it('starts on the first packet and plays a burst-then-60 ms reply gaplessly with no underrun', () => {
    const jb = new JitterBuffer();
    const ps = play(jb, burstThenPaced(100));
    expect(ps[0]!.first).toBe(true);
    expect(ps[0]!.at).toBeCloseTo(0.01, 6); // lead only: first-audio delay ≈ 10 ms + output latency
    expect(gaps(ps).every((g) => g === 0)).toBe(true);
    const s = jb.stats();
    expect(s.underruns).toBe(0);
    expect(s.targetMs).toBe(60);
    // The 4-packet burst is the cushion; depth stays around 4 frames, never runs away.
    expect(s.maxDepthMs).toBeLessThanOrEqual(250.001);
    expect(s.meanDepthMs).toBeLessThan(260);
  });

  it('absorbs ±50 ms arrival jitter: few underruns, target grows but never above 180 ms', () => {
    const jb = new JitterBuffer();
    const r = rng(42);
    const arrivals: number[] = [];
    let prev = 0;
    for (let k = 0; k < 1000; k++) {
      // Paced one packet per 60 ms with uniform ±50 ms jitter, order preserved; no initial burst.
      const t = Math.max(prev, k * F + (r() - 0.5) * 0.1);
      arrivals.push(t);
      prev = t;
    }
    const targets: number[] = [];
    jb.beginStream();
    const ps: Placement[] = [];
    for (const t of arrivals) {
      ps.push(jb.place(F, t)!);
      targets.push(jb.targetMs);
    }
    const s = jb.stats();
    expect(Math.max(...targets)).toBeLessThanOrEqual(180);
    expect(s.underruns).toBeGreaterThan(0); // no burst cushion: jitter must bite at least once
    expect(s.underruns).toBeLessThanOrEqual(4); // …and be absorbed after the target grew (60 s of audio)
    // Apart from the restarts, playback is gapless.
    const restarts = ps.filter((p) => p.afterUnderrun).length;
    expect(gaps(ps).filter((g) => g !== 0).length).toBe(restarts);
    expect(s.lateDrops).toBe(0);
  });

  it('counts a 2 s stall as exactly one underrun, grows the target, then shrinks after 10 s clean', () => {
    const jb = new JitterBuffer();
    const arrivals = burstThenPaced(50); // ~2.8 s of paced audio
    const stallAt = arrivals[arrivals.length - 1]! + F;
    // Nothing for 2 s, then TCP delivers the backlog at once and pacing resumes.
    for (let k = 0; k < 34; k++) arrivals.push(stallAt + 2 + (k < 33 ? 0 : F));
    for (let k = 1; k <= 250; k++) arrivals.push(stallAt + 2 + F + k * F);
    const targets: number[] = [];
    jb.beginStream();
    const ps = arrivals.map((t) => {
      const p = jb.place(F, t)!;
      targets.push(jb.targetMs);
      return p;
    });
    expect(jb.stats().underruns).toBe(1);
    const restart = ps.findIndex((p) => p.afterUnderrun);
    expect(restart).toBe(50);
    expect(targets[restart]).toBe(120);
    // The padded restart queues ~target ms before its first sample plays.
    expect(ps[restart]!.at - arrivals[restart]!).toBeCloseTo(0.06, 6);
    // 10 s after the stall the target is back to one frame.
    expect(targets[targets.length - 1]).toBe(60);
  });

  it('does not count the silence between replies or after a barge-in flush as an underrun', () => {
    const jb = new JitterBuffer();
    play(jb, burstThenPaced(20));
    const second = play(jb, burstThenPaced(20, 4, 30));
    expect(second[0]!.first).toBe(true);
    expect(second[0]!.at).toBeCloseTo(30.01, 6);
    jb.beginStream();
    jb.place(F, 40);
    jb.place(F, 40);
    jb.flush();
    expect(jb.depthMs(40.02)).toBe(0);
    jb.beginStream();
    const p = jb.place(F, 40.05)!;
    expect(p.first).toBe(true);
    expect(p.at).toBeCloseTo(40.06, 6);
    expect(jb.stats().underruns).toBe(0);
  });

  it('drops chunks that would queue beyond maxDepthMs and counts them', () => {
    const jb = new JitterBuffer({ maxDepthMs: 300 });
    jb.beginStream();
    const placed = Array.from({ length: 10 }, () => jb.place(F, 0));
    expect(placed.filter((p) => p === null).length).toBe(6);
    expect(jb.stats().lateDrops).toBe(6);
  });
});
