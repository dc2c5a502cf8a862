import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { helloRoundTrip, openWs, startTestGateway, type TestGateway } from './helpers.ts';

/** A throw-away self-signed certificate for 127.0.0.1 made with the openssl CLI. */
function makeCert(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=test-upstream', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

let dir: string;
let cert: { certFile: string; keyFile: string };
let dev: DevServer;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xzw-tls-'));
  cert = makeCert(dir);
  dev = await startDevServer({ port: 0, auth: 'open', logger: false, tls: { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) } });
});
afterAll(async () => {
  for (const g of gateways) await g.close();
  await dev?.close();
});

describe('TLS', () => {
  it('upstream verification is on: a self-signed wss upstream is refused unless UPSTREAM_CA_FILE trusts it', async () => {
    expect(dev.wsUrl).toMatch(/^wss:/);
    const plain = await startTestGateway({ backendWsUrl: dev.wsUrl });
    gateways.push(plain);
    const refused = openWs(`${plain.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:04:01&client_id=c`);
    expect((await refused.closed).code).toBe(4022); // XZ_UPSTREAM_TLS

    const trusting = await startTestGateway({ backendWsUrl: dev.wsUrl, upstreamCaFile: cert.certFile });
    gateways.push(trusting);
    const ok = openWs(`${trusting.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:04:02&client_id=c`);
    expect((await helloRoundTrip(ok))['session_id']).toBeTruthy();
    // Splice mode engages on a TLS upstream socket too (the relay reads decrypted bytes from it).
    expect(trusting.gateway.relay.recentSessions().at(-1)?.relayMode).toBe('splice');
    ok.ws.close();
  });

  it('activation started from the web API trusts UPSTREAM_CA_FILE for a self-hosted https OTA server too', async () => {
    const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const activationOf = async (g: TestGateway) => {
      const created = await fetch(`${g.url}/api/profiles`, post({ label: 'Private CA' }));
      expect(created.status).toBe(201);
      const { profile } = (await created.json()) as { profile: { name: string } };
      expect((await fetch(`${g.url}/api/profiles/${profile.name}/activation`, post({}))).status).toBeLessThan(300);
      for (let i = 0; i < 100; i++) {
        const st = (await (await fetch(`${g.url}/api/profiles/${profile.name}/activation`)).json()) as { state: string; error?: { code: string; detail: string } };
        if (st.state === 'activated' || st.state === 'failed' || st.state === 'code') return st;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('activation did not settle');
    };
    const plain = await startTestGateway({ otaUrl: dev.otaUrl });
    gateways.push(plain);
    const refused = await activationOf(plain);
    expect(refused.state).toBe('failed');
    expect(refused.error?.detail).toMatch(/SELF_SIGNED|certificate/i); // verification stays on

    const trusting = await startTestGateway({ otaUrl: dev.otaUrl, upstreamCaFile: cert.certFile });
    gateways.push(trusting);
    expect((await activationOf(trusting)).state).not.toBe('failed');
  });

  it('the gateway serves HTTPS/WSS from TLS_CERT + TLS_KEY', async () => {
    const g = await startTestGateway({ backendWsUrl: dev.wsUrl, upstreamCa: readFileSync(cert.certFile, 'utf8'), tlsCertFile: cert.certFile, tlsKeyFile: cert.keyFile });
    gateways.push(g);
    expect(g.url).toMatch(/^https:/);
    const ca = readFileSync(cert.certFile, 'utf8');
    const h = await httpsGet(`${g.url}/health`, ca);
    expect(h.status).toBe(200);
    const ws = new WebSocket(`${g.wsBase}/api/ws-proxy?token=t&device_id=02:00:00:00:04:03&client_id=c`, { ca });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    // …and on a TLS browser socket.
    expect(g.gateway.relay.recentSessions().at(-1)?.relayMode).toBe('splice');
    ws.close();
  });

  it('--tls-self-signed makes a certificate with openssl, reused on the next start', async () => {
    const dataDir = join(dir, 'data');
    const g = await startTestGateway({ backendWsUrl: dev.wsUrl, tlsSelfSigned: true, dataDir });
    const ca = readFileSync(join(dataDir, 'tls', 'self-signed-cert.pem'), 'utf8');
    expect((await httpsGet(`${g.url}/healthz`, ca)).status).toBe(200);
    await g.close();
    const again = await startTestGateway({ backendWsUrl: dev.wsUrl, tlsSelfSigned: true, dataDir });
    gateways.push(again);
    expect(readFileSync(join(dataDir, 'tls', 'self-signed-cert.pem'), 'utf8')).toBe(ca);
    expect((await httpsGet(`${again.url}/healthz`, ca)).status).toBe(200);
  });
});
