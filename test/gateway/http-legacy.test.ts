import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type ConnectionEvent, type DevServer } from '../../src/devserver/index.ts';
import { helloRoundTrip, openWs, startTestGateway, type TestGateway } from './helpers.ts';

const DEVICE = '58:11:22:b7:26:42';
const CLIENT = '975b0760-0000-4000-8000-000000000001';

let dev: DevServer;
let gw: TestGateway;
const connections: ConnectionEvent[] = [];

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'token', logger: false });
  dev.events.on('connection', (e) => connections.push(e));
  gw = await startTestGateway({ backendWsUrl: dev.wsUrl, allowedOrigins: ['http://app.test:8006'], maxNewSessionsPerIpPerSec: 1000 });
});
afterAll(async () => {
  await gw?.close();
  await dev?.close();
});

describe('legacy /api/ws-proxy query API against the devserver', () => {
  it('token + device_id + client_id: hello → server hello with session_id; values arrive as headers', async () => {
    const token = dev.makeToken(CLIENT, DEVICE);
    const p = openWs(`${gw.wsBase}/api/ws-proxy?token=${encodeURIComponent(token)}&device_id=${DEVICE}&client_id=${CLIENT}`);
    const hello = await helloRoundTrip(p);
    expect(typeof hello['session_id']).toBe('string');
    expect(String(hello['session_id']).length).toBeGreaterThan(0);
    const c = connections.at(-1)!;
    expect(c).toMatchObject({ deviceId: DEVICE, clientId: CLIENT, headersSource: 'header', protocolVersion: 1 });
    p.ws.close(1000);
    expect((await p.closed).code).toBe(1000);
  });

  it('access_token works too, and a wrong token is refused by the server (not by us)', async () => {
    const token = dev.makeToken(CLIENT, DEVICE);
    const ok = openWs(`${gw.wsBase}/api/ws-proxy?access_token=${encodeURIComponent(token)}&device_id=${DEVICE}&client_id=${CLIENT}`);
    expect((await helloRoundTrip(ok))['session_id']).toBeTruthy();
    ok.ws.close();
    const bad = openWs(`${gw.wsBase}/api/ws-proxy?token=wrong-token&device_id=${DEVICE}&client_id=${CLIENT}`);
    await bad.opened; // the gateway accepted it: judging the token is the server's job
    const c = await bad.closed;
    expect([1000, 4010]).toContain(c.code); // server ended it (relay explains 1005 as 1000 + diagnosis)
  });

  it('ES browser names (device-id, client-id, authorization=Bearer …) with an allowed Origin', async () => {
    const token = dev.makeToken(CLIENT, DEVICE);
    const q = new URLSearchParams({ 'device-id': DEVICE, 'client-id': CLIENT, authorization: `Bearer ${token}` });
    const p = openWs(`${gw.wsBase}/api/ws-proxy?${q}`, { origin: 'http://app.test:8006' });
    expect((await helloRoundTrip(p))['session_id']).toBeTruthy();
    expect(connections.at(-1)).toMatchObject({ deviceId: DEVICE, clientId: CLIENT, headersSource: 'header' });
    p.ws.close();
    expect((await openWs(`${gw.wsBase}/api/ws-proxy?${q}`, { origin: 'http://other.test:8006' }).refused).status).toBe(403);
  });

  it('?backend= and ?url= are ignored: the upstream stays BACKEND_WS_URL', async () => {
    const before = connections.length;
    const token = dev.makeToken(CLIENT, DEVICE);
    const q = new URLSearchParams({ token, device_id: DEVICE, client_id: CLIENT, backend: 'ws://127.0.0.1:1/evil', url: 'wss://evil.example/' });
    const p = openWs(`${gw.wsBase}/api/ws-proxy?${q}`);
    expect((await helloRoundTrip(p))['session_id']).toBeTruthy();
    expect(connections.length).toBe(before + 1);
    p.ws.close();
  });

  it('binary frames and text both relay', async () => {
    const token = dev.makeToken(CLIENT, DEVICE);
    const p = openWs(`${gw.wsBase}/api/ws-proxy?token=${encodeURIComponent(token)}&device_id=${DEVICE}&client_id=${CLIENT}`);
    await helloRoundTrip(p);
    p.ws.send(JSON.stringify({ type: 'listen', state: 'detect', text: '你好' }));
    let sawTts = false;
    for (let i = 0; i < 50 && !sawTts; i++) {
      const m = await p.nextMessage();
      if (typeof m === 'string' && JSON.parse(m).type === 'tts') sawTts = true;
    }
    expect(sawTts).toBe(true);
    p.ws.close();
  });
});
