import { describe, expect, it } from 'vitest';
import { authorize, makeEsToken, verifyEsToken, type AuthContext } from './auth.ts';

const KEY = 'k';
const ctx = (mode: AuthContext['mode'], activated = false): AuthContext => ({ mode, authKey: KEY, allowedDevices: new Set(['wl']), isActivated: () => activated });

describe('ES tokens', () => {
  it('verify for the same client/device pair only, within 30 days', () => {
    const now = 1_700_000_000_000;
    const t = makeEsToken(KEY, 'c', 'd', now);
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}\.1700000000$/);
    expect(verifyEsToken(KEY, t, 'c', 'd', now)).toBe(true);
    expect(verifyEsToken(KEY, t, 'c', 'd', now + 2_592_000_000)).toBe(true);
    expect(verifyEsToken(KEY, t, 'c', 'd', now + 2_592_001_000)).toBe(false);
    expect(verifyEsToken(KEY, t, 'x', 'd', now)).toBe(false);
    expect(verifyEsToken(KEY, t, undefined, 'd', now)).toBe(false);
    expect(verifyEsToken('other', t, 'c', 'd', now)).toBe(false);
    expect(verifyEsToken(KEY, 'garbage', 'c', 'd', now)).toBe(false);
    expect(verifyEsToken(KEY, `${t.split('.')[0]}.abc`, 'c', 'd', now)).toBe(false);
  });
});

describe('authorize', () => {
  const cred = { deviceId: 'd', clientId: 'c', headersSource: 'header' as const };
  it('needs a device id in every mode', () => {
    for (const m of ['open', 'token', 'cloud'] as const) expect(authorize(ctx(m), { headersSource: 'query' })).toMatchObject({ ok: false, kind: 'text-close' });
  });
  it('token mode: whitelist, Bearer prefix, valid token', () => {
    expect(authorize(ctx('token'), { ...cred, deviceId: 'wl' }).ok).toBe(true);
    expect(authorize(ctx('token'), { ...cred, authorization: `Bearer ${makeEsToken(KEY, 'c', 'd')}` }).ok).toBe(true);
    expect(authorize(ctx('token'), { ...cred, authorization: makeEsToken(KEY, 'c', 'd') })).toMatchObject({ ok: false, text: '认证失败' });
  });
  it('cloud mode: activated devices only, refused after hello', () => {
    expect(authorize(ctx('cloud', true), cred).ok).toBe(true);
    expect(authorize(ctx('cloud', false), cred)).toMatchObject({ ok: false, kind: 'close-after-hello' });
  });
});
