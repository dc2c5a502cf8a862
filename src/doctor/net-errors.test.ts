import { describe, expect, it } from 'vitest';
import { diagnoseNetError, errorCode, isTlsError } from './net-errors.ts';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('diagnoseNetError', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /self-signed/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /self-signed root/],
    ['CERT_HAS_EXPIRED', /expired/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /hostname mismatch/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /incomplete/],
  ])('names %s', (code, re) => {
    const d = diagnoseNetError(err(code), 'h:443', 'en');
    expect(d.code).toBe('XZ_UPSTREAM_TLS');
    expect(d.detail).toMatch(re);
    expect(d.detail).toContain(code);
    expect(d.hint.length).toBeGreaterThan(10);
  });
  it('speaks Chinese', () => {
    expect(diagnoseNetError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), 'h:443', 'zh').detail).toContain('自签名');
    expect(diagnoseNetError(err('ECONNREFUSED'), 'h:1', 'zh').detail).toContain('连接被拒绝');
  });
  it('maps DNS, refused, timeout and reset', () => {
    expect(diagnoseNetError(err('ENOTFOUND'), 'x', 'en').code).toBe('XZ_UPSTREAM_DNS');
    expect(diagnoseNetError(err('ECONNREFUSED'), 'x', 'en').code).toBe('XZ_UPSTREAM_REFUSED');
    expect(diagnoseNetError(err('XZ_TIMEOUT'), 'x', 'en').code).toBe('XZ_UPSTREAM_TIMEOUT');
    expect(diagnoseNetError(err('ECONNRESET'), 'x', 'en').code).toBe('XZ_UPSTREAM_UNREACHABLE');
  });
  it('reads codes from a cause chain', () => {
    const wrapped = new Error('fetch failed', { cause: err('CERT_HAS_EXPIRED') });
    expect(errorCode(wrapped)).toBe('CERT_HAS_EXPIRED');
    expect(isTlsError(wrapped)).toBe(true);
    expect(isTlsError(err('ECONNREFUSED'))).toBe(false);
  });
});
