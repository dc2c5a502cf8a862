import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  it('doubles the ceiling, stays within [ceiling/2, ceiling], caps, and gives up', () => {
    const lo = new Backoff({ baseMs: 100, maxMs: 1000, maxAttempts: 6, random: () => 0 });
    const hi = new Backoff({ baseMs: 100, maxMs: 1000, maxAttempts: 6, random: () => 0.999999 });
    const a = Array.from({ length: 7 }, () => lo.next());
    const b = Array.from({ length: 7 }, () => hi.next());
    expect(a).toEqual([50, 100, 200, 400, 500, 500, null]);
    expect(b).toEqual([100, 200, 400, 800, 1000, 1000, null]);
  });

  it('reset() starts over', () => {
    const b = new Backoff({ baseMs: 100, random: () => 0 });
    b.next();
    b.next();
    expect(b.attempts).toBe(2);
    b.reset();
    expect(b.next()).toBe(50);
  });
});
