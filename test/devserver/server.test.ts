import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer } from '../../src/devserver/index.ts';
import { createLogger } from '../../src/node/logger.ts';
import { OpusEncoder } from '../../src/node/opus-codec.ts';
import { connect, deviceHeaders, MAC, UUID } from './client.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'devserver-test-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS', () => {
  it('serves wss and https with the given certificate (verification on, trusted CA)', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'c.pem'));
    const s = await startDevServer({ port: 0, auth: 'open', logger: false, tls: { cert, key: readFileSync(join(dir, 'k.pem')) } });
    try {
      expect(s.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/xiaozhi\/v1\/$/);
      expect(s.otaUrl).toMatch(/^https:\/\//);
      const c = connect(s.wsUrl, { headers: deviceHeaders(), ca: cert });
      await c.hello();
      c.ws.close();
      const untrusted = connect(s.wsUrl, { headers: deviceHeaders() });
      await expect(untrusted.opened).rejects.toThrow();
      const body = await new Promise<Record<string, any>>((resolve, reject) => {
        const req = request(s.otaUrl, { method: 'POST', ca: cert, headers: { 'device-id': MAC, 'client-id': UUID } }, (res) => {
          let t = '';
          res.on('data', (d) => (t += d));
          res.on('end', () => resolve(JSON.parse(t)));
        });
        req.on('error', reject);
        req.end('{}');
      });
      expect(body.websocket.url).toBe(s.wsUrl);
    } finally { await s.close(); }
  });
});

describe('persistence', () => {
  it('dataFile keeps activated devices across restarts', async () => {
    const file = join(dir, 'devices.json');
    const a = await startDevServer({ port: 0, logger: false, dataFile: file });
    a.activateDevice(MAC);
    await a.close();
    const b = await startDevServer({ port: 0, logger: false, dataFile: file });
    try {
      const c = connect(b.wsUrl, { headers: deviceHeaders() });
      await c.hello();
      c.send({ type: 'ping' });
      await c.waitFor((m) => m.type === 'pong');
      c.ws.close();
    } finally { await b.close(); }
  });
});

describe('logs', () => {
  it('one line per connection open/close and per turn; no token values; nothing per frame', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ destination: { write: (l: string) => { lines.push(JSON.parse(l)); } } });
    const s = await startDevServer({ port: 0, auth: 'token', logger });
    try {
      const token = s.makeToken(UUID, MAC);
      const c = connect(s.wsUrl, { headers: { ...deviceHeaders(), authorization: `Bearer ${token}` } });
      await c.hello();
      c.send({ type: 'listen', state: 'start', mode: 'manual' });
      const enc = new OpusEncoder();
      for (let f = 0; f < 12; f++) c.sendAudio(enc.encode(Int16Array.from({ length: 960 }, (_, i) => Math.round(6000 * Math.sin((f * 960 + i) / 5)))));
      c.send({ type: 'listen', state: 'stop' });
      await c.waitFor((m) => m.type === 'tts' && m.state === 'stop');
      c.ws.close();
      await c.closed;
      await new Promise((r) => setTimeout(r, 100));
      const msgs = lines.map((l) => l.msg);
      expect(msgs.filter((m) => m === 'connection open')).toHaveLength(1);
      expect(msgs.filter((m) => m === 'turn')).toHaveLength(1);
      expect(msgs.filter((m) => m === 'connection closed')).toHaveLength(1);
      expect(lines.length).toBeLessThan(8);
      const text = JSON.stringify(lines);
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[0]);
      expect(text).not.toContain(MAC);
      const turn = lines.find((l) => l.msg === 'turn')!;
      expect(turn).toMatchObject({ conn: expect.any(String), mode: 'manual' });
    } finally { await s.close(); }
  });
});

describe('events and counts', () => {
  it('connection, hello and closed events; connectionCount follows open sockets', async () => {
    const s = await startDevServer({ port: 0, auth: 'open', logger: false });
    try {
      const seen: string[] = [];
      s.events.on('connection', (e) => seen.push(`connection:${e.id}`));
      s.events.on('hello', (e) => seen.push(`hello:${e.id}:${e.answered}`));
      const closed = new Promise<{ id: string; code: number }>((r) => s.events.once('closed', r));
      const c = connect(s.wsUrl, { headers: deviceHeaders() });
      await c.hello();
      expect(s.connectionCount()).toBe(1);
      c.ws.close(1000);
      expect(await closed).toEqual({ id: 'c1', code: 1000 });
      expect(seen).toEqual(['connection:c1', 'hello:c1:true']);
      expect(s.connectionCount()).toBe(0);
    } finally { await s.close(); }
  });
});

describe('control page and state', () => {
  it('serves the code-entry page and a state dump without secrets', async () => {
    const s = await startDevServer({ port: 0, logger: false });
    try {
      const page = await fetch(`${s.baseUrl}/xiaozhi/devserver/`);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('6-digit code');
      await fetch(s.otaUrl, { method: 'POST', headers: { 'device-id': MAC, 'client-id': UUID }, body: JSON.stringify({ application: { version: '1', elf_sha256: 'secret-key-value' } }) });
      const state = await (await fetch(`${s.baseUrl}/xiaozhi/devserver/state`)).json();
      expect(state.auth).toBe('cloud');
      expect(state.devices[0]).toMatchObject({ deviceId: MAC, activated: false });
      expect(state.pending[0].code).toMatch(/^\d{6}$/);
      expect(JSON.stringify(state)).not.toContain('secret-key-value');
      const bad = await fetch(`${s.baseUrl}/xiaozhi/devserver/activate`, { method: 'POST', body: JSON.stringify({ code: '99999' }) });
      expect(bad.status).toBe(404);
    } finally { await s.close(); }
  });
});

describe('CLI (npm run devserver)', () => {
  it('starts, prints its URLs, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/devserver/main.ts', '--port', '0', '--auth', 'open', '--log-level', 'silent', '--fault-close-after-hello'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const wsUrl = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
        child.stdout.on('data', (d) => {
          out += d;
          const m = /WebSocket\s+(ws:\/\/\S+)/.exec(out);
          if (m) { clearTimeout(t); resolve(m[1]!); }
        });
      });
      const base = wsUrl.replace(/^ws/, 'http').replace('/xiaozhi/v1/', '');
      expect(await (await fetch(`${base}/`)).text()).toBe('devserver running\n');
      const c = connect(wsUrl, { headers: deviceHeaders() });
      await c.hello();
      expect((await c.closed).code).toBe(1005); // --fault-close-after-hello took effect
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally { if (child.exitCode === null) child.kill('SIGKILL'); }
  });

  it('refuses a bad flag value with a message', () => {
    let err: { status?: number; stderr?: Buffer } = {};
    try { execFileSync(process.execPath, ['--import', 'tsx', 'src/devserver/main.ts', '--auth', 'nope'], { cwd: ROOT, stdio: 'pipe' }); } catch (e) { err = e as typeof err; }
    expect(err.status).not.toBe(0);
    expect(String(err.stderr)).toMatch(/--auth/);
  });
});
