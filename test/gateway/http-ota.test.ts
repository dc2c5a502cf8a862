import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { startTestGateway, type TestGateway } from './helpers.ts';

let dev: DevServer;
let gw: TestGateway;
const post = (body: unknown, extra: Record<string, string> = {}): RequestInit => ({
  method: 'POST', headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(body),
});
const raw = (n: number) => ({ deviceId: `02:00:00:00:01:${String(n).padStart(2, '0')}`, clientId: `975b0760-0000-4000-8000-0000000001${String(n).padStart(2, '0')}` });

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'cloud', logger: false });
  gw = await startTestGateway({ backendWsUrl: dev.wsUrl, otaUrl: dev.otaUrl, otaBurst: 3, otaRequestsPerMin: 30 });
});
afterAll(async () => {
  await gw?.close();
  await dev?.close();
});

describe('same-origin OTA / activation relay against the devserver', () => {
  it('raw form: the headers browsers cannot send reach the OTA server; the validated reply comes back', async () => {
    const res = await fetch(`${gw.url}/api/ota`, post({ ...raw(1), activationVersion: '2' }));
    expect(res.status).toBe(200);
    const reply = (await res.json()) as Record<string, any>;
    expect(reply['websocket'].url).toBe(dev.wsUrl); // Device-Id + Client-Id arrived (else 400)
    expect(reply['activation'].code).toMatch(/^\d{6}$/);
  });

  it('profile form: headers, body and HMAC built server-side; token only as a hint; activation 202 → 200', async () => {
    const created = (await (await fetch(`${gw.url}/api/profiles`, post({ label: 'ota' }))).json()) as { profile: { name: string } };
    const name = created.profile.name;
    const res = await fetch(`${gw.url}/api/ota`, post({ profile: name }));
    expect(res.status).toBe(200);
    const reply = (await res.json()) as Record<string, any>;
    expect(reply['websocket'].token).toBe('test…ken');
    expect(reply['activated']).toBe(false);
    const { code, challenge } = reply['activation'];
    const waiting = await fetch(`${gw.url}/api/ota/activate`, post({ profile: name, challenge }));
    expect(waiting.status).toBe(202);
    expect(await waiting.json()).toMatchObject({ status: 'waiting' });
    expect(dev.enterCode(code)).toBe(true);
    const done = await fetch(`${gw.url}/api/ota/activate`, post({ profile: name, challenge }));
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ status: 'activated' });
  });

  it('rate limit per address + Device-Id: 429 with Retry-After once the burst is spent', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${gw.url}/api/ota`, post(raw(9)));
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get('retry-after');
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('XZ_RATE_LIMITED');
      } else await r.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${gw.url}/api/ota`, post(raw(10)))).status).toBe(200); // another device has its own bucket
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/xiaozhi_gateway_ota_relay_requests_total\{route="\/api\/ota",outcome="429"\} 1/);
  });

  it('bad input is refused before any upstream call; upstream HTTP errors become 502', async () => {
    expect((await fetch(`${gw.url}/api/ota`, post({ ...raw(11), deviceId: 'aa\r\nX-Evil: 1' }))).status).toBe(400);
    expect((await fetch(`${gw.url}/api/ota`, post({ clientId: raw(11).clientId }))).status).toBe(400);
    expect((await fetch(`${gw.url}/api/ota`, post({ ...raw(11), payload: { pad: 'x'.repeat(17 * 1024) } }))).status).toBe(413);
    const notMac = await fetch(`${gw.url}/api/ota`, post({ ...raw(12), deviceId: 'not-a-mac' }));
    expect(notMac.status).toBe(502);
    expect(((await notMac.json()) as { error: { code: string } }).error.code).toBe('XZ_OTA_HTTP_STATUS');
  });
});

describe('error bodies inside HTTP 200', () => {
  // manager-api answers unknown devices with HTTP 200 + {"error": …} (protocol §5.2); the devserver does
  // not, so a minimal server with that exact behaviour stands in for it here.
  let managerApi: Server;
  let gw2: TestGateway;
  beforeAll(async () => {
    managerApi = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.url?.endsWith('/activate') ? '{"success":false,"message":"Device not bound"}' : '{"error":"Device not found","websocket":{"url":"ws://x/","token":"secret-in-error-reply-123"}}');
      });
    });
    await new Promise<void>((r) => managerApi.listen(0, '127.0.0.1', r));
    const port = (managerApi.address() as AddressInfo).port;
    gw2 = await startTestGateway({ backendWsUrl: dev.wsUrl, otaUrl: `http://127.0.0.1:${port}/xiaozhi/ota/` });
  });
  afterAll(async () => {
    await gw2?.close();
    await new Promise((r) => managerApi.close(r));
  });

  it('are answered as failures with the server\'s words, and bodies are never logged', async () => {
    const r = await fetch(`${gw2.url}/api/ota`, post(raw(20)));
    expect(r.status).toBe(502);
    const body = (await r.json()) as { error: { code: string; detail: string } };
    expect(body.error.code).toBe('XZ_OTA_ERROR_BODY');
    expect(body.error.detail).toBe('Device not found');
    const a = await fetch(`${gw2.url}/api/ota/activate`, post(raw(20)));
    expect(a.status).toBe(502);
    expect(((await a.json()) as { error: { detail: string } }).error.detail).toBe('Device not bound');
    expect(gw2.logs.join('\n')).not.toContain('secret-in-error-reply-123');
  });
});
