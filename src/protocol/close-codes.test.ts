import { describe, expect, it } from 'vitest';
import { isSendableCloseCode, mapUpstreamClose, truncateUtf8, utf8Length } from './close-codes.ts';

// RFC 6455 §7.4: what may appear in a Close frame, written out independently of the implementation.
const expectedSendable = (c: number) =>
  [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014].includes(c) || (c >= 3000 && c <= 4999);

describe('close codes', () => {
  it('classifies every code 0–5000', () => {
    const wrong: number[] = [];
    for (let c = 0; c <= 5000; c++) if (isSendableCloseCode(c) !== expectedSendable(c)) wrong.push(c);
    expect(wrong).toEqual([]);
    expect(isSendableCloseCode(1000.5)).toBe(false);
    expect(isSendableCloseCode(Number.NaN)).toBe(false);
  });

  it('mapUpstreamClose only ever yields sendable codes and ≤123-byte reasons, for every code 0–5000', () => {
    const long = '认证失败'.repeat(40); // 480 bytes of 3-byte characters
    for (let c = 0; c <= 5000; c++) {
      const out = mapUpstreamClose(c, long);
      expect(isSendableCloseCode(out.code), `code ${c} → ${out.code}`).toBe(true);
      expect(utf8Length(out.reason)).toBeLessThanOrEqual(123);
      if (expectedSendable(c)) expect(out.code).toBe(c);
    }
  });

  it('maps the local-only codes per the forwarding rule', () => {
    expect(mapUpstreamClose(1005, '')).toEqual({ code: 1000, reason: 'upstream closed without status' });
    expect(mapUpstreamClose(1005, '', 'device not activated')).toEqual({ code: 1000, reason: 'device not activated' });
    expect(mapUpstreamClose(1006, '').code).toBe(1014);
    expect(mapUpstreamClose(1015, '')).toEqual({ code: 1014, reason: 'upstream TLS failure' });
    expect(mapUpstreamClose(1004, 'x').code).toBe(1011);
    expect(mapUpstreamClose(0, '').code).toBe(1011);
    expect(mapUpstreamClose(4001, 'bad token')).toEqual({ code: 4001, reason: 'bad token' });
  });

  it.each([0, 123, 124, 300])('truncates an ASCII reason of %i bytes to ≤123', (n) => {
    const r = truncateUtf8('a'.repeat(n));
    expect(r.length).toBe(Math.min(n, 123));
  });

  it.each([0, 123, 124, 300])('truncates a multibyte reason of ~%i bytes on a character boundary', (n) => {
    // Mix of 1-, 2-, 3- and 4-byte characters so every cut position is exercised.
    const pattern = 'aé认😀';
    let s = '';
    while (utf8Length(s) < n) s += pattern[s.length % pattern.length] ?? '';
    const r = truncateUtf8(s);
    expect(utf8Length(r)).toBeLessThanOrEqual(123);
    expect(s.startsWith(r)).toBe(true); // a prefix made of whole characters
    expect(r).not.toContain('\uFFFD');
    if (utf8Length(s) <= 123) expect(r).toBe(s);
    else expect(utf8Length(r)).toBeGreaterThan(119); // at most one 4-byte char lost
  });

  it('cuts exactly at the limit for every offset of a 3-byte character', () => {
    for (let pad = 0; pad < 3; pad++) {
      const s = 'x'.repeat(pad) + '认'.repeat(60);
      const r = truncateUtf8(s, 123);
      expect(utf8Length(r)).toBe(pad + Math.floor((123 - pad) / 3) * 3);
    }
  });
});
