import { describe, expect, it } from 'vitest';
import { SessionLimits, TokenBuckets } from './limits.ts';

describe('SessionLimits', () => {
  it('caps concurrent sessions per IP and globally, and frees slots on release (once)', () => {
    let now = 0;
    const l = new SessionLimits({ maxSessions: 3, maxSessionsPerIp: 2, maxNewSessionsPerIpPerSec: 100, now: () => now });
    const a1 = l.admit('a');
    const a2 = l.admit('a');
    expect(a1.ok && a2.ok).toBe(true);
    const a3 = l.admit('a');
    expect(a3).toMatchObject({ ok: false, reason: 'XZ_RATE_LIMITED' });
    const b1 = l.admit('b');
    expect(b1.ok).toBe(true);
    expect(l.admit('c')).toMatchObject({ ok: false, reason: 'XZ_CAPACITY' });
    if (a1.ok) {
      a1.release();
      a1.release(); // idempotent
    }
    expect(l.total).toBe(2);
    now += 10;
    expect(l.admit('a').ok).toBe(true);
    expect(l.admit('a').ok).toBe(false);
  });

  it('caps new sessions per IP per second with a sliding window', () => {
    let now = 1000;
    const l = new SessionLimits({ maxSessions: 100, maxSessionsPerIp: 100, maxNewSessionsPerIpPerSec: 2, now: () => now });
    expect(l.admit('a').ok).toBe(true);
    expect(l.admit('a').ok).toBe(true);
    const r = l.admit('a');
    expect(r).toMatchObject({ ok: false, reason: 'XZ_RATE_LIMITED', retryAfterSec: 1 });
    expect(l.admit('b').ok).toBe(true);
    now += 1000;
    expect(l.admit('a').ok).toBe(true);
    l.sweep();
  });
});

describe('TokenBuckets', () => {
  it('allows the burst, then the sustained rate, and says how long to wait', () => {
    let now = 0;
    const b = new TokenBuckets({ perMinute: 30, burst: 10, now: () => now });
    for (let i = 0; i < 10; i++) expect(b.take('k').ok).toBe(true);
    const r = b.take('k');
    expect(r).toEqual({ ok: false, retryAfterSec: 2 }); // one token per 2 s
    expect(b.take('other').ok).toBe(true);
    now += 2000;
    expect(b.take('k').ok).toBe(true);
    expect(b.take('k').ok).toBe(false);
    now += 60_000;
    for (let i = 0; i < 10; i++) expect(b.take('k').ok).toBe(true); // refilled up to the burst, not beyond
    expect(b.take('k').ok).toBe(false);
  });

  it('keeps at most maxKeys buckets (least recently used evicted)', () => {
    const b = new TokenBuckets({ perMinute: 1, burst: 1, maxKeys: 2, now: () => 0 });
    expect(b.take('a').ok).toBe(true);
    expect(b.take('b').ok).toBe(true);
    expect(b.take('c').ok).toBe(true); // evicts a
    expect(b.take('a').ok).toBe(true); // a starts afresh
    expect(b.take('c').ok).toBe(false);
  });
});
