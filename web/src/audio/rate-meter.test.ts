import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.ts';

describe('RateMeter', () => {
  it('reports kbps over a sliding window and keeps a bounded history', () => {
    const m = new RateMeter(1000, 3);
    // 180-byte packets every 60 ms ≈ 24 kbit/s.
    for (let t = 0; t < 3000; t += 60) m.add(180, t);
    expect(m.kbps(2999)).toBeGreaterThan(22);
    expect(m.kbps(2999)).toBeLessThan(26);
    expect(m.kbps(10_000)).toBe(0);
    for (let i = 0; i < 5; i++) m.sample(10_000);
    expect(m.history.length).toBe(3);
    expect(m.totalBytes).toBe(50 * 180);
  });
});
