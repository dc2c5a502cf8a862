/**
 * Every upstream dial failure reaches the browser as an accepted socket closed with the catalogue's 4xxx
 * code and plain words (a browser cannot read an HTTP status from a failed handshake), and the process
 * keeps serving (reliability-performance.md §1.2, §2.7). The devserver plays the XiaoZhi server (healthy,
 * and refusing the upgrade with 401/403/500); conditions it cannot produce use tiny local servers: a closed
 * port, a TCP black hole, a self-signed TLS server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { utf8Length } from '../../src/protocol/close-codes.ts';
import { XZ_ERRORS } from '../../src/protocol/errors.ts';
import { connectClient, startRelayHarness, target, waitFor, type RelayHarness } from './relay-harness.ts';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';

let good: DevServer;
let refusing: DevServer;
let blackHole: NetServer;
let blackHoleSockets: Socket[] = [];
let tls: { server: HttpsServer; port: number; cert: string; dir: string };
let h: RelayHarness;
let routes: Record<string, string>;

function freePortThatRefuses(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function makeTlsServer(): Promise<typeof tls> {
  const dir = mkdtempSync(join(tmpdir(), 'xz-relay-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b })));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, cert, dir })),
  );
}

beforeAll(async () => {
  good = await startDevServer({ port: 0, auth: 'open', logger: false });
  refusing = await startDevServer({ port: 0, auth: 'open', logger: false });
  blackHole = createNetServer((s) => {
    blackHoleSockets.push(s);
    s.on('error', () => {});
    s.resume(); // read and discard, never answer (so the far end's FIN is seen)
  });
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  tls = await makeTlsServer();
  const refused = await freePortThatRefuses();
  routes = {
    good: good.wsUrl,
    dns: 'ws://xiaozhi-relay-test.invalid/xiaozhi/v1/',
    refused: `ws://127.0.0.1:${refused}/xiaozhi/v1/`,
    tls: `wss://127.0.0.1:${tls.port}/xiaozhi/v1/`,
    timeout: `ws://127.0.0.1:${(blackHole.address() as AddressInfo).port}/xiaozhi/v1/`,
    auth401: refusing.wsUrl,
    auth403: refusing.wsUrl,
    http500: refusing.wsUrl,
    longhost: `ws://${'h'.repeat(120)}.invalid/xiaozhi/v1/`,
  };
  h = await startRelayHarness(
    (req) => {
      const name = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? 'good';
      const extra = name === 'tls-trusted' ? { ca: tls.cert } : {};
      return target(name === 'tls-trusted' ? routes.tls! : routes[name]!, extra);
    },
    { upstreamConnectTimeoutMs: 400 },
  );
});

afterAll(async () => {
  await h.close();
  await good.close();
  await refusing.close();
  for (const s of blackHoleSockets) s.destroy();
  blackHole.close();
  tls.server.closeAllConnections();
  tls.server.close();
  rmSync(tls.dir, { recursive: true, force: true });
});

/** Opens a session to `to`, returns what the browser saw. */
async function attempt(to: string) {
  const status = /^auth(\d+)$|^http(\d+)$/.exec(to);
  refusing.setFaults({ rejectUpgrade: status ? (Number(status[1] ?? status[2]) as 401 | 403 | 500) : 0 });
  const c = connectClient(`${h.url}?to=${to}`);
  let opened = false;
  c.opened.then(() => (opened = true));
  const t0 = Date.now();
  const closed = await c.closed;
  return { ...closed, opened, ms: Date.now() - t0 };
}

/** The process still relays a normal session after a failure. */
async function stillServing() {
  const c = connectClient(`${h.url}?to=good`);
  await c.opened;
  c.ws.send('{"type":"hello","version":1}');
  await waitFor(() => c.messages.length > 0, 3000, 'server hello');
  c.ws.close(1000);
  await c.closed;
}

describe('upstream dial failures close the accepted browser socket with the catalogue code', () => {
  test.each([
    ['dns', 'XZ_UPSTREAM_DNS', 4020],
    ['refused', 'XZ_UPSTREAM_REFUSED', 4021],
    ['tls', 'XZ_UPSTREAM_TLS', 4022],
    ['timeout', 'XZ_UPSTREAM_TIMEOUT', 4023],
    ['auth401', 'XZ_UPSTREAM_AUTH_REJECTED', 4010],
    ['auth403', 'XZ_UPSTREAM_AUTH_REJECTED', 4010],
    ['http500', 'XZ_UPSTREAM_HTTP_ERROR', 4011],
    ['longhost', 'XZ_UPSTREAM_DNS', 4020],
  ] as const)('%s → %s (%i)', async (to, name, code) => {
    expect(XZ_ERRORS[name].closeCode).toBe(code);
    const r = await attempt(to);
    expect(r.opened).toBe(true);
    expect(r.code).toBe(code);
    expect(r.reason.length).toBeGreaterThan(10);
    expect(utf8Length(r.reason)).toBeLessThanOrEqual(123);
    if (to === 'timeout') expect(r.ms).toBeLessThan(3000);
    await stillServing();
    const rec = h.relay.recentSessions().find((s) => s.clientClose?.code === code);
    expect(rec?.diagnosis?.code).toBe(name);
  });

  test('the HTTP status is named in the reason for non-auth errors', async () => {
    const r = await attempt('http500');
    expect(r.reason).toMatch(/^HTTP 500: /);
  });

  test('a self-signed server is accepted only with its CA configured (verification stays on)', async () => {
    const c = connectClient(`${h.url}?to=tls-trusted`);
    await c.opened;
    c.ws.send('ping over tls');
    await waitFor(() => c.messages.length === 1, 3000, 'echo over TLS');
    expect(c.messages[0]!.data.toString()).toBe('ping over tls');
    c.ws.close(1000);
    await c.closed;
  });

  test('failures are counted by code and logged without crashing anything', async () => {
    const text = h.metrics.render();
    expect(text).toMatch(/upstream_failures_total\{code="XZ_UPSTREAM_DNS"\} [1-9]/);
    expect(text).toMatch(/upstream_failures_total\{code="XZ_UPSTREAM_TLS"\} [1-9]/);
    expect(h.logs.some((l) => l.includes('"dialFailure"'))).toBe(true);
    await waitFor(() => h.relay.sessionCount() === 0, 3000, 'no sessions left');
    await waitFor(() => blackHoleSockets.every((s) => s.destroyed), 3000, 'black-hole sockets released');
  });

  test('a browser that leaves during the dial leaves no upstream socket behind', async () => {
    const before = blackHoleSockets.length;
    const c = connectClient(`${h.url}?to=timeout`);
    await waitFor(() => blackHoleSockets.length > before, 2000, 'upstream dial started');
    const t0 = Date.now();
    c.ws.terminate();
    await waitFor(() => h.relay.sessionCount() === 0, 2000, 'session gone');
    await waitFor(() => blackHoleSockets.at(-1)!.destroyed, 2000, 'upstream socket closed');
    expect(Date.now() - t0).toBeLessThan(300); // abandoned at once, not at the 400 ms dial timeout
    expect(h.relay.recentSessions().at(-1)?.clientClose?.code).toBe(1006);
  });
});
