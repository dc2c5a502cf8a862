import { describe, expect, it } from 'vitest';
import { StatsSampler } from './stats-sampler.ts';

describe('StatsSampler', () => {
  it('turns packet counts into kbps histories and keeps depth/level histories bounded', () => {
    const s = new StatsSampler();
    let snap = s.sample(0, { player: null, outLevel: 0, upDropped: 0, upCodec: null });
    for (let t = 0; t < 2000; t += 60) {
      s.uplink(150, t);
      s.downlink(300, t);
    }
    for (let i = 0; i < 100; i++) snap = s.sample(1999, { player: null, outLevel: 0.1, upDropped: 2, upCodec: 'webcodecs' });
    expect(snap.upKbps).toBeGreaterThan(19);
    expect(snap.upKbps).toBeLessThan(21);
    expect(snap.downKbps).toBeCloseTo(2 * snap.upKbps, 5);
    expect(snap.upHistory.length).toBe(60);
    expect(snap.levelHistory.length).toBe(60);
    expect(snap).toMatchObject({ upDropped: 2, upCodec: 'webcodecs' });
  });
});
