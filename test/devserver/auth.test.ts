import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEsToken, startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { connect, deviceHeaders, MAC, UUID, type TestClient } from './client.ts';

/** Hello answered and the session still serves afterwards (ping → pong). */
async function expectAccepted(c: TestClient) {
  const hello = await c.hello();
  expect(hello.transport).toBe('websocket');
  c.send({ type: 'ping' });
  await c.waitFor((m) => m.type === 'pong');
  c.ws.close();
}

describe('auth: open', () => {
  let s: DevServer;
  beforeAll(async () => { s = await startDevServer({ port: 0, auth: 'open', logger: false }); });
  afterAll(() => s.close());

  it('accepts any device id from headers, with a non-UUID client id and an upper-case MAC', async () => {
    const seen = new Promise((r) => s.events.once('connection', r));
    await expectAccepted(connect(s.wsUrl, { headers: deviceHeaders('A0:85:E3:F4:49:34', 'web_test_client') }));
    expect(await seen).toMatchObject({ deviceId: 'A0:85:E3:F4:49:34', clientId: 'web_test_client', headersSource: 'header', protocolVersion: 1 });
  });

  it('accepts credentials from query parameters when the header is absent', async () => {
    const seen = new Promise((r) => s.events.once('connection', r));
    await expectAccepted(connect(s.wsUrl, { query: { 'device-id': MAC, 'client-id': UUID } }));
    expect(await seen).toMatchObject({ deviceId: MAC, clientId: UUID, headersSource: 'query' });
  });

  it('upgrades on any path, like ES', async () => {
    await expectAccepted(connect(`${s.wsUrl.replace('/xiaozhi/v1/', '/some/other/path')}`, { headers: deviceHeaders() }));
  });

  it('accepts a minimal hello with nothing but type', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.opened;
    c.send({ type: 'hello' });
    const hello = await c.waitFor((m) => m.type === 'hello');
    expect(hello).toMatchObject({ version: 1, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 24000, channels: 1, frame_duration: 60 } });
    expect(typeof hello.session_id).toBe('string');
    c.ws.close();
  });

  it('accepts a non-standard hello (ES web client shape, odd version, pcm format) with defaults', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.opened;
    c.send({ type: 'hello', version: 4, device_id: MAC, device_name: 'web', token: 'x', audio_params: { format: 'pcm', sample_rate: 16000 } });
    const hello = await c.waitFor((m) => m.type === 'hello');
    expect(hello).toMatchObject({ version: 1, transport: 'websocket' });
    c.send({ type: 'ping' });
    await c.waitFor((m) => m.type === 'pong');
    expect(c.texts.some((t) => t.json?.type === 'error')).toBe(false);
    c.ws.close();
  });

  it('without a device id sends ES\'s text frame and closes 1000', async () => {
    const c = connect(s.wsUrl);
    const closed = await c.closed;
    expect(c.texts[0]?.raw).toBe('端口正常，如需测试连接，请启动digital-human测试');
    expect(closed.code).toBe(1000);
  });
});

describe('auth: token', () => {
  let s: DevServer;
  const key = 'unit-test-key';
  beforeAll(async () => { s = await startDevServer({ port: 0, auth: 'token', authKey: key, allowedDevices: ['11:22:33:44:55:66'], logger: false }); });
  afterAll(() => s.close());

  it('accepts a valid ES token in the Authorization header', async () => {
    const token = s.makeToken(UUID, MAC);
    expect(token).toBe(makeEsToken(key, UUID, MAC));
    await expectAccepted(connect(s.wsUrl, { headers: { ...deviceHeaders(), authorization: `Bearer ${token}` } }));
  });

  it('accepts the token from the authorization query parameter', async () => {
    await expectAccepted(connect(s.wsUrl, { query: { 'device-id': MAC, 'client-id': UUID, authorization: `Bearer ${s.makeToken(UUID, MAC)}` } }));
  });

  it('lets a whitelisted device in without a token', async () => {
    await expectAccepted(connect(s.wsUrl, { headers: deviceHeaders('11:22:33:44:55:66') }));
  });

  const rejects: [string, () => Record<string, string>][] = [
    ['a wrong signature', () => ({ ...deviceHeaders(), authorization: `Bearer ${makeEsToken('other-key', UUID, MAC)}` })],
    ['a token for another device', () => ({ ...deviceHeaders(), authorization: `Bearer ${makeEsToken(key, UUID, '00:11:22:33:44:55')}` })],
    ['an expired token (31 days)', () => ({ ...deviceHeaders(), authorization: `Bearer ${makeEsToken(key, UUID, MAC, Date.now() - 31 * 86400_000)}` })],
    ['no Bearer prefix', () => ({ ...deviceHeaders(), authorization: makeEsToken(key, UUID, MAC) })],
    ['no token at all', () => deviceHeaders()],
    ['a missing client id', () => ({ 'device-id': MAC, authorization: `Bearer ${makeEsToken(key, UUID, MAC)}` })],
  ];
  for (const [name, headers] of rejects) {
    it(`rejects ${name} with 认证失败 then close 1000`, async () => {
      const c = connect(s.wsUrl, { headers: headers() });
      const closed = await c.closed;
      expect(c.texts.map((t) => t.raw)).toEqual(['认证失败']);
      expect(closed.code).toBe(1000);
    });
  }

  it('rejects a bad token passed as a query parameter too', async () => {
    const c = connect(s.wsUrl, { query: { 'device-id': MAC, 'client-id': UUID, authorization: 'Bearer abc.123' } });
    expect((await c.closed).code).toBe(1000);
    expect(c.texts[0]?.raw).toBe('认证失败');
  });
});

describe('auth: cloud', () => {
  let s: DevServer;
  beforeAll(async () => { s = await startDevServer({ port: 0, logger: false }); });
  afterAll(() => s.close());

  it('answers the hello of an unknown device, then closes without status (1005)', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders('02:00:00:00:00:99') });
    await c.hello();
    expect((await c.closed).code).toBe(1005);
  });

  it('accepts an activated device (any MAC case), by header or query', async () => {
    s.activateDevice('02:00:00:00:00:01');
    await expectAccepted(connect(s.wsUrl, { headers: { ...deviceHeaders('02:00:00:00:00:01'), authorization: 'Bearer test-token' } }));
    await expectAccepted(connect(s.wsUrl, { headers: deviceHeaders('02-00-00-00-00-01'.toUpperCase()) }));
    await expectAccepted(connect(s.wsUrl, { query: { 'device-id': '02:00:00:00:00:01', 'client-id': UUID } }));
  });

  it('still requires a device id', async () => {
    const c = connect(s.wsUrl);
    expect((await c.closed).code).toBe(1000);
  });
});
