/**
 * Limits and leaks with the devserver upstream (reliability-performance.md §2.4, §2.9): a flood of empty
 * fragments is cut off (1008) without pinning memory, and browsers that vanish at every stage of the
 * handshake leave no upstream connection and no session behind.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { connectClient, rawClient, startRelayHarness, target, waitFor, type RelayHarness } from './relay-harness.ts';

let dev: DevServer;
let h: RelayHarness;

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'open', logger: false });
  h = await startRelayHarness(target(dev.wsUrl));
});

afterAll(async () => {
  await h.close();
  await dev.close();
});

describe('limits', () => {
  test('200 k empty continuation fragments → the browser leg is closed 1008, the upstream 1001', async () => {
    const c = await rawClient(h.port);
    c.sendText('{"type":"hello","version":1}');
    await waitFor(() => h.relay.recentSessions().some((s) => s.state === 'open' && s.helloAnswered), 3000);
    const upClosed = new Promise<number>((r) => dev.events.once('closed', (e) => r(e.code)));
    const rss0 = process.memoryUsage().rss;
    const batch = Buffer.concat([c.frame(1, false), ...Array.from({ length: 1999 }, () => c.frame(0, false))]);
    for (let i = 0; i < 100 && !c.socket.destroyed; i++) c.socket.write(batch);
    expect(await upClosed).toBe(1001);
    await waitFor(() => h.relay.sessionCount() === 0, 3000);
    expect(h.relay.recentSessions().at(-1)!.clientClose).toMatchObject({ code: 1008, by: 'gateway' });
    expect(process.memoryUsage().rss - rss0).toBeLessThan(32 * 1024 * 1024);
    c.socket.destroy();
  });
});

describe('early bytes', () => {
  test('more than 256 KiB sent before the upstream opened → 101 then Close 1013 (no upstream session)', async () => {
    dev.setFaults({ handshakeDelayMs: 1000 });
    try {
      const { randomBytes } = await import('node:crypto');
      const s = connect(h.port, '127.0.0.1');
      s.on('error', () => {});
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      const ended = new Promise((r) => s.once('close', r));
      await new Promise((r) => s.once('connect', r));
      s.write(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      s.write(Buffer.alloc(300 * 1024, 0x81)); // a non-browser client that does not wait for 101
      await ended;
      const all = Buffer.concat(chunks);
      expect(all.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
      const body = all.subarray(all.indexOf('\r\n\r\n') + 4);
      expect(body[0]).toBe(0x88); // Close frame
      expect(body.readUInt16BE(2)).toBe(1013);
      await waitFor(() => h.relay.sessionCount() === 0);
      expect(h.relay.recentSessions().at(-1)!.diagnosis?.code).toBe('XZ_OVERLOADED');
    } finally {
      dev.setFaults({ handshakeDelayMs: 0 });
    }
  });
});

describe('browsers that vanish mid-handshake leave nothing behind', () => {
  test('RST before the upgrade request, during the upstream dial, and right after open (100 each)', async () => {
    const base = dev.connectionCount();
    // 1. TCP connect then reset before any request.
    await Promise.all(Array.from({ length: 100 }, () => new Promise<void>((resolve) => {
      const s = connect(h.port, '127.0.0.1', () => { s.resetAndDestroy(); resolve(); });
      s.on('error', () => resolve());
    })));
    // 2. Upgrade request sent, socket reset while the upstream handshake is delayed.
    dev.setFaults({ handshakeDelayMs: 3000 });
    try {
      const dialing = Array.from({ length: 100 }, () => connectClient(h.url));
      await waitFor(() => h.relay.sessionCount() === 100, 5000, 'all 100 dialing');
      expect(h.relay.recentSessions().filter((s) => s.state === 'dialing').length).toBe(100);
      for (const c of dialing) c.ws.terminate();
      await Promise.all(dialing.map((c) => c.closed));
      await waitFor(() => h.relay.sessionCount() === 0, 2000, 'dials abandoned well before the 3 s handshake');
    } finally {
      dev.setFaults({ handshakeDelayMs: 0 });
    }
    // 3. Reset right after open.
    await Promise.all(Array.from({ length: 100 }, async () => {
      const c = connectClient(h.url);
      await c.opened;
      c.ws.terminate();
      await c.closed;
    }));
    await waitFor(() => h.relay.sessionCount() === 0, 5000, 'no relay sessions');
    await waitFor(() => dev.connectionCount() === base, 5000, 'no upstream connections left');
    expect(h.metrics.sessionsTotal.get()).toBeGreaterThanOrEqual(200);
  });
});
