/**
 * OTA client over real sockets. The devserver is the XiaoZhi server; the few replies it never sends
 * (errors inside HTTP 200, non-JSON, a hang) come from a tiny node:http endpoint in this file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { activate, makeIdentity, runOta, type DeviceError } from '../../src/device/index.ts';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';

const identity = makeIdentity({ mac: '02:aa:bb:cc:dd:01', hostname: 'h', machineId: 'm', clientId: '975b0760-1234-4abc-8def-0123456789ab' });
let devserver: DevServer | undefined;
let stub: Server | undefined;

afterEach(async () => {
  await devserver?.close();
  devserver = undefined;
  stub?.closeAllConnections();
  await new Promise<void>((r) => (stub ? stub.close(() => r()) : r()));
  stub = undefined;
});

interface Seen { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: unknown }

/** A one-route OTA endpoint answering every POST with `status` and `body` (or never, when body is null). */
async function startStub(status: number, body: string | null): Promise<{ url: string; seen: Seen }> {
  const seen: Seen = {};
  stub = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      Object.assign(seen, { method: req.method, url: req.url, headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
      if (body === null) return; // hang
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    });
  });
  stub.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((r) => stub!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(stub.address() as AddressInfo).port}/xiaozhi/ota/`, seen };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const err = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: DeviceError) => e);

describe('runOta', () => {
  it('sends py-xiaozhi headers and body', async () => {
    const { url, seen } = await startStub(200, JSON.stringify({ websocket: { url: 'wss://x.test/xiaozhi/v1/', token: 't' } }));
    const { reply } = await runOta({ identity, otaUrl: url }, { client: { ip: '10.1.2.3' } });
    expect(reply.websocket?.url).toBe('wss://x.test/xiaozhi/v1/');
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/xiaozhi/ota/');
    expect(seen.headers).toMatchObject({
      'device-id': '02:aa:bb:cc:dd:01',
      'client-id': '975b0760-1234-4abc-8def-0123456789ab',
      'activation-version': '2.1.1',
      'user-agent': 'bread-compact-wifi/xiaozhi-web-2.1.1',
      'accept-language': 'zh-CN',
      'content-type': 'application/json',
    });
    expect(seen.body).toEqual({
      application: { version: '2.1.1', elf_sha256: identity.hmacKey },
      board: { type: 'bread-compact-wifi', name: 'xiaozhi-web', ip: '10.1.2.3', mac: '02:aa:bb:cc:dd:01' },
    });
  });

  it('gets a valid reply from the devserver, and its HTTP 400 error as XZ_OTA_HTTP_STATUS', async () => {
    devserver = await startDevServer({ port: 0, auth: 'open', logger: false });
    const { reply } = await runOta({ identity, otaUrl: devserver.otaUrl });
    expect(reply.websocket).toEqual({ url: devserver.wsUrl, token: 'test-token' });
    expect(reply.activation).toBeUndefined();
    const bad = await err(runOta({ identity: { ...identity, deviceId: 'web-client' }, otaUrl: devserver.otaUrl }));
    expect(bad).toMatchObject({ code: 'XZ_OTA_HTTP_STATUS', status: 400 });
  });

  it.each([
    ['manager-api style', { error: 'Device not found' }, /Device not found/],
    ['ES style', { success: false, message: '设备未绑定' }, /设备未绑定/],
  ])('an error body inside HTTP 200 (%s) is an error', async (_name, body, detail) => {
    const { url } = await startStub(200, JSON.stringify(body));
    const e = await err(runOta({ identity, otaUrl: url }));
    expect(e.code).toBe('XZ_OTA_REJECTED');
    expect(e.message).toMatch(detail);
  });

  it('an error body inside HTTP 200 ends activation as failed', async () => {
    const { url } = await startStub(200, JSON.stringify({ error: 'Device not found' }));
    const result = await activate({ identity, otaUrl: url }, { pollIntervalMs: 50 });
    expect(result).toMatchObject({ outcome: 'failed', code: 'XZ_OTA_REJECTED', status: 200 });
  });

  it('non-JSON and invalid replies are XZ_OTA_BAD_REPLY', async () => {
    const { url } = await startStub(200, '<html>proxy login</html>');
    expect(await err(runOta({ identity, otaUrl: url }))).toMatchObject({ code: 'XZ_OTA_BAD_REPLY' });
    await new Promise<void>((r) => stub!.close(() => r()));
    const second = await startStub(200, JSON.stringify({ websocket: { url: 'http://not-ws', token: 'x' } }));
    expect(await err(runOta({ identity, otaUrl: second.url }))).toMatchObject({ code: 'XZ_OTA_BAD_REPLY' });
  });

  it('a silent server times out, a closed port is a network error, an abort is a cancel', async () => {
    const { url } = await startStub(200, null);
    expect(await err(runOta({ identity, otaUrl: url }, { timeoutMs: 200 }))).toMatchObject({ code: 'XZ_OTA_TIMEOUT' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect(await err(runOta({ identity, otaUrl: url }, { signal: ac.signal }))).toMatchObject({ code: 'XZ_CANCELLED' });
    const port = await freePort(); // nothing listens there any more
    const refused = await err(runOta({ identity, otaUrl: `http://127.0.0.1:${port}/xiaozhi/ota/` }));
    expect(refused.code).toBe('XZ_OTA_NETWORK');
    expect(refused.message).toContain('ECONNREFUSED');
    expect(await err(runOta({ identity, otaUrl: 'ftp://x/' }))).toMatchObject({ code: 'XZ_OTA_URL_INVALID' });
  });

  it('TLS verification is on: a self-signed devserver certificate is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xzw-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      devserver = await startDevServer({
        port: 0, auth: 'open', logger: false,
        tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) },
      });
      expect(devserver.otaUrl).toMatch(/^https:/);
      const e = await err(runOta({ identity, otaUrl: devserver.otaUrl }));
      expect(e.code).toBe('XZ_OTA_NETWORK');
      expect(e.message).toMatch(/SELF_SIGNED|CERT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
