import { describe, expect, test } from 'vitest';
import { utf8Length } from '../protocol/close-codes.ts';
import { diagnoseUpstreamClose, diagnosisOf, diagnosisReason, isPlaceholderDeviceId, isPlaceholderToken, type CloseFacts } from './diagnosis.ts';

const base: CloseFacts = {
  upstreamCode: 1005, upstreamReason: '', helloSent: true, helloAnswered: true, msOpen: 1000,
  msSinceServerHello: 500, devicePlaceholder: false, deviceActivated: undefined,
};
const d = (f: Partial<CloseFacts>) => diagnoseUpstreamClose({ ...base, ...f })?.code;

describe('diagnosis of closes without status', () => {
  test('1005 is never "authentication failed"; each fact picks its explanation', () => {
    expect(d({ helloSent: false, helloAnswered: false })).toBe('XZ_DIAG_HELLO_NOT_SENT');
    expect(d({ devicePlaceholder: true })).toBe('XZ_DIAG_PLACEHOLDER_DEVICE');
    expect(d({ helloAnswered: false, msSinceServerHello: undefined })).toBe('XZ_DIAG_HELLO_UNANSWERED');
    expect(d({ helloAnswered: false, msSinceServerHello: undefined, deviceActivated: false })).toBe('XZ_DIAG_NOT_ACTIVATED');
    expect(d({})).toBe('XZ_DIAG_CLOSED_AFTER_HELLO');
    expect(d({ deviceActivated: false })).toBe('XZ_DIAG_NOT_ACTIVATED');
    expect(d({ deviceActivated: true })).toBe('XZ_DIAG_CLOSED_ACTIVATED');
    expect(d({ msSinceServerHello: 120_000 })).toBe('XZ_DIAG_SESSION_ENDED');
    for (const f of [{}, { helloSent: false }, { helloAnswered: false }, { devicePlaceholder: true }]) {
      const text = diagnoseUpstreamClose({ ...base, ...f })!.en.toLowerCase();
      expect(text).not.toMatch(/authentication failed/);
    }
  });

  test('1000 with an empty reason is explained the same way; a code with a reason speaks for itself', () => {
    expect(d({ upstreamCode: 1000 })).toBe('XZ_DIAG_CLOSED_AFTER_HELLO');
    expect(d({ upstreamCode: 1000, upstreamReason: 'bye' })).toBeUndefined();
    expect(d({ upstreamCode: 4001 })).toBeUndefined();
    expect(d({ upstreamCode: 1006 })).toBe('XZ_UPSTREAM_UNREACHABLE');
  });

  test('reasons carry the catalogue code and fit a close frame', () => {
    for (const code of ['XZ_DIAG_CLOSED_AFTER_HELLO', 'XZ_DIAG_PLACEHOLDER_DEVICE', 'XZ_DIAG_NOT_ACTIVATED'] as const) {
      const r = diagnosisReason(diagnosisOf(code));
      expect(r.startsWith(`${code}: `)).toBe(true);
      expect(utf8Length(r)).toBeLessThanOrEqual(123);
    }
  });

  test('placeholders', () => {
    expect(isPlaceholderDeviceId('web-test-device')).toBe(true);
    expect(isPlaceholderDeviceId(' Web-Client ')).toBe(true);
    expect(isPlaceholderDeviceId('a0:85:e3:f4:49:34')).toBe(false);
    expect(isPlaceholderToken('test-token')).toBe(true);
    expect(isPlaceholderToken('eyJ...')).toBe(false);
    expect(isPlaceholderToken(undefined)).toBe(false);
  });
});
