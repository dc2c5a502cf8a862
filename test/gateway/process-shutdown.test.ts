import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { helloRoundTrip, openWs, type WsProbe } from './helpers.ts';
import { spawnGateway } from './helpers-process.ts';

const MARKER = 'MARKERtok3n-5f1c2e9a7b';
let dev: DevServer;

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'open', logger: false });
});
afterAll(async () => {
  await dev?.close();
});

describe('gateway process: SIGTERM with live sessions, secrets in logs', () => {
  it('100 live sessions all get 1012, the process exits ≤ 10 s, and the marker token is in 0 log lines', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'xzw-sig-'));
    const p = spawnGateway([], {
      cwd,
      env: {
        PORT: '0', BACKEND_WS_URL: dev.wsUrl, LOG_LEVEL: 'trace', DATA_DIR: join(cwd, 'data'),
        MAX_SESSIONS_PER_IP: '500', MAX_NEW_SESSIONS_PER_IP_PER_SEC: '1000',
      },
    });
    const probes: WsProbe[] = [];
    try {
      const url = await p.ready;
      const wsBase = url.replace(/^http/, 'ws');
      // Give the marker every chance to leak: legacy query, ES names, a bad parameter, plain HTTP URLs.
      await (await fetch(`${url}/health?token=${MARKER}`)).arrayBuffer();
      await (await fetch(`${url}/nope?access_token=${MARKER}`)).arrayBuffer();
      expect((await openWs(`${wsBase}/api/ws-proxy?token=${MARKER}&device_id=bad%0d%0aid`).closed).code).toBe(4001);
      expect((await openWs(`${wsBase}/api/ws?ticket=${MARKER}${MARKER}`).closed).code).toBe(4002);
      for (let i = 0; i < 100; i++) {
        const q = i % 2 === 0
          ? `token=${MARKER}&device_id=02:00:00:00:02:${(i % 256).toString(16).padStart(2, '0')}&client_id=web-${i}`
          : `authorization=Bearer%20${MARKER}&device-id=02:00:00:00:03:${(i % 256).toString(16).padStart(2, '0')}&client-id=web-${i}`;
        probes.push(openWs(`${wsBase}/api/ws-proxy?${q}`));
      }
      const hellos = await Promise.all(probes.map((x) => helloRoundTrip(x)));
      expect(hellos.every((h) => typeof h['session_id'] === 'string')).toBe(true);
      const health = (await (await fetch(`${url}/health`)).json()) as { connections: number };
      expect(health.connections).toBe(100);

      const t0 = Date.now();
      p.child.kill('SIGTERM');
      const closes = await Promise.all(probes.map((x) => x.closed));
      const { code } = await p.exited;
      const elapsed = Date.now() - t0;
      expect(closes.filter((c) => c.code === 1012).length).toBe(100);
      expect(code).toBe(0);
      expect(elapsed).toBeLessThanOrEqual(10_000);
    } finally {
      for (const x of probes) x.ws.terminate();
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
    const lines = p.output().split('\n');
    expect(lines.length).toBeGreaterThan(100); // trace level: sessions were logged
    expect(lines.filter((l) => l.includes(MARKER))).toEqual([]);
  }, 40_000);
});
