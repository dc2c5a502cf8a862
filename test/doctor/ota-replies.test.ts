/**
 * OTA replies the devserver never sends, served by a plain node:http server on port 0: an error inside
 * HTTP 200 (manager-api style), an HTML page, a 404 — plus an unresolvable host and a slow upgrade.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { runDoctor, type DoctorReport } from '../../src/doctor/index.ts';
import { identity } from './helpers.ts';

let http: Server | undefined;
let dev: DevServer | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  http = undefined;
  await dev?.close();
  dev = undefined;
});

/** Serve one fixed answer to every request; returns the OTA URL and records the last request. */
async function serve(status: number, contentType: string, body: string) {
  const seen: { method?: string; headers?: Record<string, unknown>; body?: string } = {};
  http = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      Object.assign(seen, { method: req.method, headers: req.headers, body: b });
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((r) => http!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/xiaozhi/ota/`, seen };
}
const stage = (r: DoctorReport, id: string) => r.stages.find((s) => s.id === id)!;

describe('OTA stage', () => {
  it('treats an error inside HTTP 200 as a failure and sends py-xiaozhi headers and body', async () => {
    const id = identity();
    const { url, seen } = await serve(200, 'application/json', JSON.stringify({ error: 'Invalid OTA request' }));
    const r = await runDoctor({ otaUrl: url, ...id, identity: { hmacKey: 'k'.repeat(64) }, timeoutMs: 1500 });
    expect(r.failedStage).toBe('ota');
    expect(stage(r, 'ota').detail).toMatch(/error inside HTTP 200: Invalid OTA request/);
    expect(seen.method).toBe('POST');
    expect(seen.headers).toMatchObject({ 'device-id': id.deviceId, 'client-id': id.clientId, 'content-type': 'application/json', 'activation-version': expect.any(String) });
    const body = JSON.parse(seen.body!);
    expect(body.application).toMatchObject({ version: expect.any(String), elf_sha256: 'k'.repeat(64) });
    expect(body.board).toMatchObject({ type: 'bread-compact-wifi', mac: id.deviceId });
  });

  it('names ES-style success:false, an HTML page and a 404', async () => {
    let { url } = await serve(200, 'application/json', JSON.stringify({ success: false, message: 'device not allowed' }));
    let r = await runDoctor({ otaUrl: url, ...identity(), timeoutMs: 1500 });
    expect(stage(r, 'ota').detail).toMatch(/inside HTTP 200: device not allowed/);
    await new Promise<void>((res) => http!.close(() => res()));

    ({ url } = await serve(200, 'text/html', '<html><body>Welcome</body></html>'));
    r = await runDoctor({ otaUrl: url, ...identity(), timeoutMs: 1500, lang: 'zh' });
    expect(stage(r, 'ota').detail).toMatch(/OTA 回复不是 JSON/);
    await new Promise<void>((res) => http!.close(() => res()));

    ({ url } = await serve(404, 'application/json', '{"error":"no route"}'));
    r = await runDoctor({ otaUrl: url, ...identity(), timeoutMs: 1500 });
    expect(stage(r, 'ota').detail).toMatch(/HTTP 404/);
    expect(stage(r, 'ota').hint).toMatch(/\/xiaozhi\/ota\//);
  });

  it('names a reply with neither websocket, mqtt nor activation as malformed', async () => {
    const { url } = await serve(200, 'application/json', JSON.stringify({ firmware: { version: '1.0.0' } }));
    const r = await runDoctor({ otaUrl: url, ...identity(), timeoutMs: 1500 });
    expect(stage(r, 'ota').detail).toMatch(/malformed: .*neither websocket/);
  });
});

describe('OTA-driven WebSocket settings', () => {
  it('connects to the URL from the OTA reply with its token and Protocol-Version', async () => {
    dev = await startDevServer({ port: 0, logger: false, auth: 'open' });
    const versions: number[] = [];
    dev.events.on('connection', (c) => versions.push(c.protocolVersion));
    const { url } = await serve(200, 'application/json', JSON.stringify({ websocket: { url: dev.wsUrl, token: 'test-token', version: 3 } }));
    const r = await runDoctor({ otaUrl: url, ...identity(), turn: { text: 'hello there' }, timeoutMs: 5000 });
    expect(r.ok).toBe(true);
    expect(versions).toEqual([3]);
    expect(stage(r, 'ws-upgrade').data).toMatchObject({ protocolVersion: 3, urlSource: 'ota', tokenSource: 'ota' });
    expect(stage(r, 'turn').data?.audioPackets).toBeGreaterThan(0);
  });
});

describe('other network stages', () => {
  it('names an unresolvable host at DNS', async () => {
    const r = await runDoctor({ wsUrl: 'wss://no-such-host.invalid/xiaozhi/v1/', ...identity(), token: 'test-token', timeoutMs: 3000 });
    expect(r.failedStage).toBe('dns');
    expect(stage(r, 'dns').detail).toMatch(/could not be resolved|no answer in time/);
    expect(stage(r, 'dns').data?.code).toMatch(/XZ_UPSTREAM_(DNS|TIMEOUT)/);
  });

  it('names a WebSocket handshake that does not finish in time', async () => {
    dev = await startDevServer({ port: 0, logger: false, auth: 'open', faults: { handshakeDelayMs: 1500 } });
    const r = await runDoctor({ wsUrl: dev.wsUrl, ...identity(), timeoutMs: 500 });
    expect(r.failedStage).toBe('ws-upgrade');
    expect(stage(r, 'ws-upgrade').data?.code).toBe('XZ_UPSTREAM_TIMEOUT');
    expect(stage(r, 'ws-upgrade').ms).toBeLessThan(1200);
  });
});
