import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWs, startTestGateway, type TestGateway } from './helpers.ts';

// Everything here is decided before any upstream dial, so the upstream is an unused closed port.
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ backendWsUrl: 'ws://127.0.0.1:9/never', maxNewSessionsPerIpPerSec: 1000 });
});
afterAll(async () => {
  await gw.close();
});

describe('gateway HTTP/upgrade security', () => {
  it('missing token → close 4000 with a clear reason (was 1008 "Missing token parameter")', async () => {
    const p = openWs(`${gw.wsBase}/api/ws-proxy?device_id=aa:bb:cc:dd:ee:ff`);
    const c = await p.closed;
    expect(c.code).toBe(4000);
    expect(c.reason).toContain('Missing token parameter');
  });

  it('CR/LF or oversize values in device_id / client_id / token → 4001', async () => {
    for (const q of [
      'token=t&device_id=aa%0d%0aX-Injected:%201',
      'token=t&client_id=' + 'x'.repeat(65),
      'token=a%0ab&device_id=d',
      'token=t&device-id=ok&device_id=different',
    ]) {
      const c = await openWs(`${gw.wsBase}/api/ws-proxy?${q}`).closed;
      expect(c.code, q).toBe(4001);
    }
  });

  it('invalid, reused or missing tickets → 4002 / 4000', async () => {
    expect((await openWs(`${gw.wsBase}/api/ws?ticket=${'A'.repeat(43)}`).closed).code).toBe(4002);
    expect((await openWs(`${gw.wsBase}/api/ws?ticket=short`).closed).code).toBe(4002);
    expect((await openWs(`${gw.wsBase}/api/ws`).closed).code).toBe(4000);
  });

  it('foreign and null Origin → 403 before upgrade; same origin is fine', async () => {
    const foreign = await openWs(`${gw.wsBase}/api/ws-proxy?token=t`, { origin: 'https://evil.example' }).refused;
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect((await openWs(`${gw.wsBase}/api/ws-proxy?token=t`, { origin: 'null' }).refused).status).toBe(403);
    // Same origin passes the Origin check (then the missing device is fine; the dead upstream closes it).
    const same = openWs(`${gw.wsBase}/api/ws-proxy`, { origin: gw.url });
    expect((await same.closed).code).toBe(4000);
  });

  it('unknown WebSocket paths → 404; plain GET on a WebSocket endpoint → 426', async () => {
    expect((await openWs(`${gw.wsBase}/api/other`).refused).status).toBe(404);
    expect((await fetch(`${gw.url}/api/ws-proxy?token=t`)).status).toBe(426);
  });

  it('static files never expose src/, package.json or dotfiles', async () => {
    for (const path of ['/package.json', '/src/gateway/config.ts', '/gateway.ts', '/.env', '/../package.json', '/%2e%2e/package.json', '/public/test.html', '/status.html', '/login.html']) {
      const res = await fetch(`${gw.url}${path}`);
      expect([403, 404], path).toContain(res.status);
      expect(await res.text()).not.toContain('"dependencies"');
    }
  });

  it('/health keeps the original fields; / and /test.html are served without credentials in them', async () => {
    const h = (await (await fetch(`${gw.url}/health`)).json()) as Record<string, unknown>;
    expect(h).toMatchObject({ status: 'ok', service: 'xiaozhi-websocket-proxy', connections: 0 });
    const home = await fetch(`${gw.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('access-control-allow-origin')).toBeNull();
    const test = await (await fetch(`${gw.url}/test.html`)).text();
    expect(test).toContain('代理连接成功');
    expect(test).toContain('服务器握手成功');
    expect(test).toContain('已连接');
    expect(test).toContain('Session ID');
    expect(test).not.toMatch(/value="[^"]+"/); // nothing pre-filled
    const js = await (await fetch(`${gw.url}/test.js`)).text();
    expect(js).toContain("'/api/ws-proxy'".slice(1, -1));
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    const metrics = await fetch(`${gw.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('xiaozhi_gateway_rejected_connections_total');
  });

  it('state-changing API calls need JSON and the same origin (CSRF)', async () => {
    const form = await fetch(`${gw.url}/api/profiles`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'label=x' });
    expect(form.status).toBe(415);
    const cross = await fetch(`${gw.url}/api/profiles`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{}' });
    expect(cross.status).toBe(403);
    const crossSite = await fetch(`${gw.url}/api/tickets`, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body: '{}' });
    expect(crossSite.status).toBe(403);
    const del = await fetch(`${gw.url}/api/profiles/x`, { method: 'DELETE', headers: { origin: 'null' } });
    expect(del.status).toBe(403);
  });
});

describe('access key', () => {
  let locked: TestGateway;
  beforeAll(async () => {
    locked = await startTestGateway({ backendWsUrl: 'ws://127.0.0.1:9/never', accessKey: 'correct-horse-battery', maxNewSessionsPerIpPerSec: 1000 });
  });
  afterAll(async () => {
    await locked.close();
  });

  it('every route and upgrade needs the key (header, cookie from /api/login or ?access_key=)', async () => {
    expect((await fetch(`${locked.url}/api/profiles`)).status).toBe(401);
    expect((await fetch(`${locked.url}/health`)).status).toBe(401);
    expect((await fetch(`${locked.url}/healthz`)).status).toBe(200);
    const page = await fetch(`${locked.url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('Access key required');
    expect((await openWs(`${locked.wsBase}/api/ws-proxy?token=t`).refused).status).toBe(401);

    expect((await fetch(`${locked.url}/health`, { headers: { 'x-access-key': 'correct-horse-battery' } })).status).toBe(200);
    const wrong = await fetch(`${locked.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"nope"}' });
    expect(wrong.status).toBe(401);
    const login = await fetch(`${locked.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"correct-horse-battery"}' });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain('correct-horse-battery');
    const pair = cookie.split(';')[0]!;
    expect((await fetch(`${locked.url}/api/info`, { headers: { cookie: pair } })).status).toBe(200);
    // The upgrade accepts the cookie too (then fails on credentials, not on access).
    expect((await openWs(`${locked.wsBase}/api/ws-proxy`, { cookie: pair }).closed).code).toBe(4000);

    const first = await fetch(`${locked.url}/?access_key=correct-horse-battery`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    expect(first.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const info = (await (await fetch(`${locked.url}/api/info`, { headers: { cookie: pair } })).json()) as Record<string, unknown>;
    expect(info['accessKeyRequired']).toBe(true);
  });
});

describe('loopback aliases', () => {
  it('a page on http://localhost:PORT may connect to ws://127.0.0.1:PORT (original hard-coded URL); other ports may not', async () => {
    const g = await startTestGateway({ backendWsUrl: 'ws://127.0.0.1:9/never', maxNewSessionsPerIpPerSec: 1000 });
    try {
      expect((await openWs(`${g.wsBase}/api/ws-proxy`, { origin: `http://localhost:${g.port}` }).closed).code).toBe(4000);
      expect((await openWs(`${g.wsBase}/api/ws-proxy`, { origin: `http://localhost:${g.port + 1}` }).refused).status).toBe(403);
      expect((await openWs(`${g.wsBase}/api/ws-proxy`, { origin: 'http://localhost' }).refused).status).toBe(403);
    } finally {
      await g.close();
    }
  });
});
