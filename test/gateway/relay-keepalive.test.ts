/**
 * Keepalive (reliability-performance.md §2.5–§2.6): both legs are pinged by one shared timer; a leg that
 * misses two pongs is terminated and the other leg is closed. Black-hole TCP relays make each leg silent
 * without closing it. Short intervals keep the test quick.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectClient, startRelayHarness, target, waitFor, type RelayHarness } from './relay-harness.ts';
import { startTcpProxy, type TcpProxy } from './relay-tcp-proxy.ts';
import { startUpstream, type TestUpstream } from './relay-upstream.ts';

const INTERVAL = 100;
let up: TestUpstream;
let h: RelayHarness;
let upProxy: TcpProxy;

beforeAll(async () => {
  up = await startUpstream();
  upProxy = await startTcpProxy(up.port);
  h = await startRelayHarness(
    (req) => target(req.url?.includes('via=proxy') ? `ws://127.0.0.1:${upProxy.port}/xiaozhi/v1/` : up.url),
    { keepaliveIntervalMs: INTERVAL },
  );
});

afterAll(async () => {
  await h.close();
  await upProxy.close();
  await up.close();
});

async function openSession(url: string) {
  const c = connectClient(url);
  await c.opened;
  c.ws.send('{"type":"hello"}');
  await waitFor(() => c.messages.length > 0, 3000, 'server hello');
  return c;
}

describe('keepalive', () => {
  test('a healthy idle session survives many ping intervals', async () => {
    const c = await openSession(h.url);
    await new Promise((r) => setTimeout(r, INTERVAL * 8));
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.ws.send('still here');
    await waitFor(() => c.messages.length === 2);
    c.ws.close(1000);
    await c.closed;
  });

  test('a silent upstream leg is terminated and the browser gets 1011 with the keepalive reason', async () => {
    const c = await openSession(`${h.url}?via=proxy`);
    const t0 = Date.now();
    upProxy.blackHole();
    const closed = await c.closed;
    const ms = Date.now() - t0;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/server leg/);
    expect(ms).toBeLessThan(INTERVAL * 4 + 2000); // two missed pongs, plus the phase of the shared timer
    await waitFor(() => h.relay.sessionCount() === 0);
    const rec = h.relay.recentSessions().at(-1)!;
    expect(rec.diagnosis?.code).toBe('XZ_KEEPALIVE_TIMEOUT');
    expect(h.metrics.keepaliveTerminations.get({ side: 'upstream' })).toBe(1);
  });

  test('a silent browser leg is terminated and the upstream gets a close', async () => {
    const clientProxy = await startTcpProxy(h.port);
    const before = up.closes.length;
    const c = await openSession(`ws://127.0.0.1:${clientProxy.port}/ws`);
    const t0 = Date.now();
    clientProxy.blackHole();
    await waitFor(() => up.closes.length > before, INTERVAL * 4 + 3000, 'upstream closed');
    expect(Date.now() - t0).toBeLessThan(INTERVAL * 4 + 2000);
    expect(up.closes.at(-1)).toEqual({ code: 1001, reason: 'client keepalive timeout' });
    await waitFor(() => h.relay.sessionCount() === 0);
    expect(h.metrics.keepaliveTerminations.get({ side: 'client' })).toBe(1);
    c.ws.terminate();
    await clientProxy.close();
  });
});
