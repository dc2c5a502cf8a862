import { describe, expect, it } from 'vitest';
import type { UpstreamTarget } from './relay/index.ts';
import { TicketStore } from './tickets.ts';

const target: UpstreamTarget = {
  url: 'ws://127.0.0.1:1/xiaozhi/v1/', token: 'secret', deviceId: '02:00:00:00:00:01', clientId: 'c', protocolVersion: 1,
  context: { via: 'ticket', profileName: 'p' },
};

describe('TicketStore', () => {
  it('issues random 256-bit tickets that work once and expire', () => {
    let now = 0;
    const s = new TicketStore({ ttlMs: 60_000, now: () => now });
    const t1 = s.issue(target);
    const t2 = s.issue(target);
    expect(t1).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t1).not.toBe(t2);
    expect(s.consume(t1)).toBe(target);
    expect(s.consume(t1)).toBeNull();
    now += 60_000;
    expect(s.consume(t2)).toBeNull();
    expect(s.consume('unknown')).toBeNull();
    s.close();
  });

  it('bounds the number of outstanding tickets and sweeps expired ones', () => {
    let now = 0;
    const s = new TicketStore({ ttlMs: 1000, maxTickets: 2, now: () => now });
    const a = s.issue(target);
    s.issue(target);
    s.issue(target);
    expect(s.size).toBe(2);
    expect(s.consume(a)).toBeNull(); // oldest dropped
    now += 1000;
    s.sweep();
    expect(s.size).toBe(0);
    s.close();
  });
});
