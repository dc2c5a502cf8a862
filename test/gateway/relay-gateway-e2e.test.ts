/**
 * The relay behind the real gateway (`startGateway`, legacy `/api/ws-proxy` query API) with the devserver
 * upstream: hello on open under a delayed upstream handshake, a marker token in 0 of the gateway's log
 * lines, an upstream DNS failure delivered as 4020, and the relay's metrics on the gateway.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { openWs, startTestGateway, type TestGateway } from './helpers.ts';

const MARKER = 'MARKER-TOKEN-e2e-9d41';
const DEVICE = '58:11:22:b7:26:42';
const CLIENT = '975b0760-0000-4000-8000-000000000001';
const HELLO = JSON.stringify({ type: 'hello', version: 1, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } });

let dev: DevServer;
let gw: TestGateway;
let gwDns: TestGateway;

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'open', logger: false });
  gw = await startTestGateway({ backendWsUrl: dev.wsUrl, maxNewSessionsPerIpPerSec: 1000 });
  gwDns = await startTestGateway({ backendWsUrl: 'ws://xiaozhi-gateway-e2e.invalid/xiaozhi/v1/', maxNewSessionsPerIpPerSec: 1000 });
});

afterAll(async () => {
  await gw?.close();
  await gwDns?.close();
  await dev?.close();
});

const legacy = (base: string) => `${base}/api/ws-proxy?token=${MARKER}&device_id=${DEVICE}&client_id=${CLIENT}`;

describe('relay behind startGateway', () => {
  test('hello sent on open reaches the server through a 500 ms upstream handshake; frames relay both ways', async () => {
    dev.setFaults({ handshakeDelayMs: 500 });
    try {
      const p = openWs(legacy(gw.wsBase));
      p.ws.on('open', () => {
        p.ws.send(HELLO);
        p.ws.send(JSON.stringify({ type: 'listen', state: 'detect', text: 'through the gateway' }));
      });
      const first = JSON.parse(String(await p.nextMessage()));
      expect(first.type).toBe('hello');
      const second = JSON.parse(String(await p.nextMessage()));
      expect(second).toMatchObject({ type: 'stt', text: 'through the gateway' });
      let binary = 0;
      for (let i = 0; i < 80 && binary < 3; i++) if (Buffer.isBuffer(await p.nextMessage())) binary++;
      expect(binary).toBe(3);
      p.ws.close(1000);
      expect((await p.closed).code).toBe(1000);
    } finally {
      dev.setFaults({ handshakeDelayMs: 0 });
    }
  });

  test('an unresolvable upstream is reported as 4020 on an accepted socket', async () => {
    const p = openWs(legacy(gwDns.wsBase));
    await p.opened;
    const c = await p.closed;
    expect(c.code).toBe(4020);
    expect(c.reason).toMatch(/resolved/);
  });

  test('the marker token appears in 0 gateway log lines; relay metrics are served', async () => {
    await new Promise((r) => setTimeout(r, 100)); // let the last close lines land
    const all = [...gw.logs, ...gwDns.logs];
    expect(all.some((l) => l.includes('relay_close'))).toBe(true);
    expect(all.filter((l) => l.includes(MARKER))).toEqual([]);
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/xiaozhi_gateway_relayed_frames_total\{direction="down",type="binary"\} [1-9]/);
    expect(text).not.toContain(MARKER);
  });
});
