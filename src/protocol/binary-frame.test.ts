import { describe, expect, it } from 'vitest';
import { decodeAudioFrame, encodeAudioFrame, parseProtocolVersion, type ProtocolVersion } from './binary-frame.ts';

const opus = Uint8Array.from({ length: 120 }, (_, i) => (i * 7) & 0xff);

describe('binary framing', () => {
  it.each([1, 2, 3] as ProtocolVersion[])('v%i round-trips a packet', (v) => {
    const frame = encodeAudioFrame(v, opus, 123456);
    const d = decodeAudioFrame(v, frame);
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(Array.from(d.payload)).toEqual(Array.from(opus));
      expect(d.timestamp).toBe(v === 2 ? 123456 : 0);
      expect(d.type).toBe(0);
    }
  });

  it('v2 header layout is big-endian as in the spec', () => {
    const f = encodeAudioFrame(2, Uint8Array.of(9, 8, 7), 0x01020304);
    expect(Array.from(f.subarray(0, 16))).toEqual([0, 2, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 3]);
    expect(Array.from(f.subarray(16))).toEqual([9, 8, 7]);
  });

  it('v3 header layout', () => {
    const f = encodeAudioFrame(3, new Uint8Array(300));
    expect(Array.from(f.subarray(0, 4))).toEqual([0, 0, 1, 44]);
    expect(f.length).toBe(304);
  });

  it('v1 is the raw packet (no copy)', () => {
    expect(encodeAudioFrame(1, opus)).toBe(opus);
  });

  it('uses payload_size, ignoring trailing bytes, and reads views at an offset', () => {
    const f = encodeAudioFrame(2, Uint8Array.of(1, 2, 3));
    const padded = new Uint8Array(f.length + 10);
    padded.set(f, 5);
    const d = decodeAudioFrame(2, padded.subarray(5, 5 + f.length + 2));
    expect(d.ok && Array.from(d.payload)).toEqual([1, 2, 3]);
  });

  it.each([
    [2, new Uint8Array(0), 'XZ_FRAME_SHORT_HEADER'],
    [2, new Uint8Array(15), 'XZ_FRAME_SHORT_HEADER'],
    [3, new Uint8Array(3), 'XZ_FRAME_SHORT_HEADER'],
    [3, Uint8Array.of(0, 0), 'XZ_FRAME_SHORT_HEADER'],
  ] as const)('v%i truncated header (%#) → %s', (v, frame, code) => {
    const d = decodeAudioFrame(v, frame);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.code).toBe(code);
  });

  it('payload_size larger than the frame is an error, not a crash', () => {
    const f2 = encodeAudioFrame(2, new Uint8Array(10));
    new DataView(f2.buffer).setUint32(12, 0xffffffff);
    const d2 = decodeAudioFrame(2, f2);
    expect(!d2.ok && d2.code).toBe('XZ_FRAME_PAYLOAD_OVERRUN');
    const f3 = encodeAudioFrame(3, new Uint8Array(10));
    new DataView(f3.buffer).setUint16(2, 11);
    const d3 = decodeAudioFrame(3, f3);
    expect(!d3.ok && d3.code).toBe('XZ_FRAME_PAYLOAD_OVERRUN');
  });

  it('v2 with a wrong version field is reported', () => {
    const f = encodeAudioFrame(2, new Uint8Array(4));
    new DataView(f.buffer).setUint16(0, 3);
    const d = decodeAudioFrame(2, f);
    expect(!d.ok && d.code).toBe('XZ_FRAME_BAD_VERSION');
  });

  it('empty payloads are valid in every version', () => {
    for (const v of [1, 2, 3] as const) {
      const d = decodeAudioFrame(v, encodeAudioFrame(v, new Uint8Array(0)));
      expect(d.ok && d.payload.length).toBe(0);
    }
  });

  it('v3 refuses to encode more than 65535 bytes', () => {
    expect(() => encodeAudioFrame(3, new Uint8Array(65536))).toThrow(RangeError);
    expect(encodeAudioFrame(3, new Uint8Array(65535)).length).toBe(65539);
  });

  it('parses Protocol-Version header values', () => {
    expect(parseProtocolVersion(undefined)).toBe(1);
    expect(parseProtocolVersion('')).toBe(1);
    expect(parseProtocolVersion('1')).toBe(1);
    expect(parseProtocolVersion(' 2 ')).toBe(2);
    expect(parseProtocolVersion(3)).toBe(3);
    expect(parseProtocolVersion('4')).toBeNull();
    expect(parseProtocolVersion('abc')).toBeNull();
  });
});
