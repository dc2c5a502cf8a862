import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { helloRoundTrip, openWs, startTestGateway, type TestGateway, type WsProbe } from './helpers.ts';

let dev: DevServer;
let gw: TestGateway | undefined;
const open: WsProbe[] = [];

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'open', logger: false });
});
afterEach(async () => {
  for (const p of open.splice(0)) p.ws.terminate();
  await gw?.close();
  gw = undefined;
});
afterAll(async () => {
  await dev.close();
});

const legacy = (g: TestGateway, n: number) => `${g.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:00:${String(n).padStart(2, '0')}&client_id=975b0760-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;

async function connected(url: string): Promise<WsProbe> {
  const p = openWs(url);
  open.push(p);
  await helloRoundTrip(p);
  return p;
}

describe('admission limits, enforced before the upgrade', () => {
  it('per-IP concurrent cap → 429 with Retry-After; the upstream never sees the extra dial', async () => {
    gw = await startTestGateway({ backendWsUrl: dev.wsUrl, maxSessionsPerIp: 2, maxNewSessionsPerIpPerSec: 1000 });
    await connected(legacy(gw, 1));
    await connected(legacy(gw, 2));
    const before = dev.connectionCount();
    const third = openWs(legacy(gw, 3));
    open.push(third);
    const r = await third.refused;
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(r.body).error.code).toBe('XZ_RATE_LIMITED');
    expect(dev.connectionCount()).toBe(before);
    // A closed session frees its slot.
    open[0]!.ws.close();
    await open[0]!.closed;
    await new Promise((res) => setTimeout(res, 50));
    await connected(legacy(gw, 4));
  });

  it('per-IP new-sessions-per-second cap → 429', async () => {
    gw = await startTestGateway({ backendWsUrl: dev.wsUrl, maxNewSessionsPerIpPerSec: 2 });
    const probes = [1, 2, 3].map((n) => openWs(legacy(gw!, n)));
    open.push(...probes);
    const results = await Promise.all(probes.map((p) => p.opened.then(() => 101, () => p.closed.then((c) => -c.code))));
    expect(results.filter((s) => s === 429).length).toBe(1);
    expect(results.filter((s) => s === 101).length).toBe(2);
  });

  it('global cap → 503 with Retry-After', async () => {
    gw = await startTestGateway({ backendWsUrl: dev.wsUrl, maxSessions: 1, maxNewSessionsPerIpPerSec: 1000 });
    await connected(legacy(gw, 1));
    const second = openWs(legacy(gw, 2));
    open.push(second);
    const r = await second.refused;
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBeDefined();
    expect(JSON.parse(r.body).error.code).toBe('XZ_CAPACITY');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/rejected_connections_total\{reason="XZ_CAPACITY"\} 1/);
  });
});
