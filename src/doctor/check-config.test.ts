import { describe, expect, it } from 'vitest';
import { checkConfig } from './check-config.ts';

const good = {
  wsUrl: 'wss://api.tenclass.net/xiaozhi/v1/',
  otaUrl: 'https://api.tenclass.net/xiaozhi/ota/',
  deviceId: '02:1a:2b:3c:4d:5e',
  clientId: 'c8238260-aa41-46bf-a1af-2cb3e2955931',
  token: 'test-token',
};

describe('checkConfig', () => {
  it('accepts a sane configuration and calls test-token normal', () => {
    const { outcome, plan } = checkConfig(good, 'en');
    expect(outcome.status).toBe('ok');
    expect(outcome.detail).toMatch(/normal/);
    expect(outcome.detail).not.toContain('test-token');
    expect(plan.wsUrl?.host).toBe('api.tenclass.net');
    expect(plan.otaUrl?.protocol).toBe('https:');
  });
  it('names placeholder device ids as unusable with the cloud', () => {
    const { outcome } = checkConfig({ ...good, deviceId: 'web-test-device' }, 'en');
    expect(outcome.status).toBe('fail');
    expect(outcome.detail).toMatch(/placeholder/);
    expect(outcome.hint).toMatch(/cloud cannot know/);
    expect(checkConfig({ ...good, deviceId: 'web-test-device' }, 'zh').outcome.detail).toContain('占位');
  });
  it('only warns about odd ids on a bare WebSocket check against a self-hosted server', () => {
    const local = { wsUrl: 'ws://192.168.1.5:8000/xiaozhi/v1/', clientId: good.clientId, token: 'x' };
    const r = checkConfig({ ...local, deviceId: 'web-test-device' }, 'en').outcome;
    expect(r.status).toBe('warn');
    expect(r.detail).toMatch(/placeholder: a self-hosted server may accept it, the official cloud will not/);
    expect(checkConfig({ ...local, deviceId: 'my-laptop', otaUrl: 'http://192.168.1.5:8003/xiaozhi/ota/' }, 'en').outcome.status).toBe('fail');
  });
  it('rejects non-MAC device ids and missing ids', () => {
    expect(checkConfig({ ...good, deviceId: 'my-laptop' }, 'en').outcome.detail).toMatch(/not MAC-shaped/);
    expect(checkConfig({ ...good, deviceId: undefined }, 'en').outcome.detail).toMatch(/no device id/);
    expect(checkConfig({ ...good, clientId: undefined }, 'en').outcome.status).toBe('fail');
  });
  it('warns on non-canonical MACs and non-UUID client ids', () => {
    expect(checkConfig({ ...good, deviceId: '02-1A-2B-3C-4D-5E' }, 'en').outcome.status).toBe('warn');
    expect(checkConfig({ ...good, clientId: 'abc' }, 'en').outcome.status).toBe('warn');
  });
  it('explains wrong URL schemes', () => {
    const { outcome } = checkConfig({ ...good, wsUrl: 'https://example.com/xiaozhi/v1/' }, 'en');
    expect(outcome.status).toBe('fail');
    expect(outcome.detail).toMatch(/ws:\/\/ or wss:\/\//);
    expect(outcome.hint).toContain('wss://example.com/xiaozhi/v1/');
    expect(checkConfig({ ...good, otaUrl: 'ftp://x/' }, 'en').outcome.status).toBe('fail');
    expect(checkConfig({ ...good, wsUrl: 'not a url' }, 'en').outcome.detail).toMatch(/does not parse/);
  });
  it('needs at least one URL', () => {
    expect(checkConfig({ ...good, wsUrl: undefined, otaUrl: undefined }, 'en').outcome.status).toBe('fail');
  });
  it('rejects header-unsafe values without echoing the token', () => {
    const { outcome } = checkConfig({ ...good, token: 'abc\r\ndefghijkl' }, 'en');
    expect(outcome.status).toBe('fail');
    expect(JSON.stringify(outcome)).not.toContain('defghijkl');
  });
  it('never prints a real token', () => {
    const { outcome } = checkConfig({ ...good, token: 'supersecretvalue123' }, 'en');
    expect(JSON.stringify(outcome)).not.toContain('supersecretvalue123');
    expect(outcome.detail).toContain('supe…123');
  });
  it('rejects a CA that is not PEM', () => {
    expect(checkConfig({ ...good, ca: 'hello' }, 'en').outcome.status).toBe('fail');
  });
});
