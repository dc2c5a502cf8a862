import { describe, expect, it } from 'vitest';
import { isSendableCloseCode } from './close-codes.ts';
import { describeCloseCode, errorForCloseCode, isPermanentCloseCode, XZ_ERRORS, type XzErrorCode } from './errors.ts';
import { isCanonicalMac, isMacShaped, isSafeHeaderValue, isUuid, normalizeMac } from './identity-format.ts';

describe('error catalogue', () => {
  const entries = Object.entries(XZ_ERRORS) as [XzErrorCode, (typeof XZ_ERRORS)[XzErrorCode]][];
  it('every close code is sendable and every 4xxx code is unique', () => {
    const seen = new Map<number, string>();
    for (const [code, info] of entries) {
      if (info.closeCode === undefined) continue;
      expect(isSendableCloseCode(info.closeCode), code).toBe(true);
      if (info.closeCode >= 4000) {
        expect(seen.get(info.closeCode), `${code} reuses ${info.closeCode}`).toBeUndefined();
        seen.set(info.closeCode, code);
        expect(errorForCloseCode(info.closeCode)).toBe(code);
      }
    }
  });
  it('every entry has both languages', () => {
    for (const [, info] of entries) {
      expect(info.en.length).toBeGreaterThan(10);
      expect(info.zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });
  it('describes 1005 without blaming the token', () => {
    expect(describeCloseCode(1005)).toMatch(/not an authentication error/);
    expect(describeCloseCode(4010, 'zh')).toContain('401');
    expect(describeCloseCode(4999)).toBe('Close code 4999.');
  });
  it('marks configuration problems as permanent and transient ones not', () => {
    expect(isPermanentCloseCode(4010)).toBe(true);
    expect(isPermanentCloseCode(4004)).toBe(true);
    expect(isPermanentCloseCode(4021)).toBe(false);
    expect(isPermanentCloseCode(1006)).toBe(false);
  });
});

describe('identity formats', () => {
  it('checks MACs and UUIDs', () => {
    expect(isCanonicalMac('a0:85:e3:f4:49:34')).toBe(true);
    expect(isCanonicalMac('A0:85:E3:F4:49:34')).toBe(false);
    expect(isMacShaped('A0-85-E3-F4-49-34')).toBe(true);
    expect(normalizeMac('A0-85-E3-F4-49-34')).toBe('a0:85:e3:f4:49:34');
    expect(normalizeMac('web-test-device')).toBeNull();
    expect(isUuid('c8238260-aa41-46bf-a1af-2cb3e2955931')).toBe(true);
    expect(isUuid('web_test_client')).toBe(false);
  });
  it('refuses header-unsafe values', () => {
    expect(isSafeHeaderValue('Bearer abc.123')).toBe(true);
    expect(isSafeHeaderValue('a\r\nX-Evil: 1')).toBe(false);
    expect(isSafeHeaderValue('')).toBe(false);
    expect(isSafeHeaderValue('x'.repeat(257))).toBe(false);
    expect(isSafeHeaderValue('é')).toBe(false);
  });
});
