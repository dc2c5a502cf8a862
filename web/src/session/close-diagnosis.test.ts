import { describe, expect, it } from 'vitest';
import { diagnoseClose } from './close-diagnosis.ts';

describe('diagnoseClose', () => {
  it.each([
    [4002, 'permanent'], // ticket invalid
    [4004, 'permanent'], // not activated
    [4010, 'permanent'], // upstream refused the handshake (auth)
    [4022, 'permanent'], // TLS
    [4021, 'retry'], // upstream refused TCP: may come back
    [4030, 'retry'], // hello timeout
    [1006, 'retry'],
    [1011, 'retry'],
    [1014, 'retry'],
    [1000, 'ended'],
  ] as const)('close %i → %s', (code, verdict) => {
    expect(diagnoseClose(code, '', 'en').verdict).toBe(verdict);
  });

  it('explains in the chosen language and keeps the gateway reason', () => {
    const d = diagnoseClose(4004, 'profile web-1 not activated', 'zh');
    expect(d.errorCode).toBe('XZ_PROFILE_NOT_ACTIVATED');
    expect(d.explanation).toContain('激活');
    expect(d.reason).toBe('profile web-1 not activated');
    expect(diagnoseClose(1005, '', 'en').explanation).toMatch(/not an authentication error/);
  });

  it('a close the user asked for is never retried', () => {
    expect(diagnoseClose(1006, '', 'en', true).verdict).toBe('user');
  });
});
