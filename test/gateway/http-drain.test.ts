import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { helloRoundTrip, openWs, startTestGateway } from './helpers.ts';

let dev: DevServer;
beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'open', logger: false });
});
afterAll(async () => {
  await dev?.close();
});

describe('drain and proxy trust', () => {
  it('while draining: /readyz is 503, new upgrades get 503, the open session gets 1012, close() finishes in time', async () => {
    const gw = await startTestGateway({ backendWsUrl: dev.wsUrl, shutdownTimeoutMs: 3000 });
    const live = openWs(`${gw.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:05:01&client_id=c`);
    await helloRoundTrip(live);
    // A client that stops reading keeps the close handshake open, so the drain window stays open.
    const closeFrames: number[] = [];
    live.ws.on('close', (code) => closeFrames.push(code));
    (live.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const t0 = Date.now();
    const closing = gw.close();
    await new Promise((r) => setTimeout(r, 100));
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false });
    const late = await openWs(`${gw.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:05:02&client_id=c`).refused;
    expect(late.status).toBe(503);
    (live.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await closing;
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await live.closed).code).toBe(1012);
  });

  it('X-Forwarded-For is believed only from TRUST_PROXY addresses', async () => {
    const trusted = await startTestGateway({ backendWsUrl: dev.wsUrl, maxSessionsPerIp: 1, maxNewSessionsPerIpPerSec: 1000, trustProxy: ['127.0.0.1', '::ffff:127.0.0.1'] });
    const a = openWs(`${trusted.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:06:01&client_id=c`, { 'x-forwarded-for': '203.0.113.1' });
    await helloRoundTrip(a);
    const b = openWs(`${trusted.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:06:02&client_id=c`, { 'x-forwarded-for': '203.0.113.2' });
    await helloRoundTrip(b); // another client behind the proxy: its own quota
    const c = await openWs(`${trusted.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:06:03&client_id=c`, { 'x-forwarded-for': '203.0.113.1' }).refused;
    expect(c.status).toBe(429);
    a.ws.close();
    b.ws.close();
    await trusted.close();

    const untrusted = await startTestGateway({ backendWsUrl: dev.wsUrl, maxSessionsPerIp: 1, maxNewSessionsPerIpPerSec: 1000 });
    const d = openWs(`${untrusted.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:06:04&client_id=c`, { 'x-forwarded-for': '203.0.113.1' });
    await helloRoundTrip(d);
    // A forged header does not buy a new quota.
    const e = await openWs(`${untrusted.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:06:05&client_id=c`, { 'x-forwarded-for': '198.51.100.7' }).refused;
    expect(e.status).toBe(429);
    d.ws.close();
    await untrusted.close();
  });
});
