/**
 * Logs and headers (reliability-performance.md §2.13, §2.15, §2.16): a marker token appears in 0 captured
 * log lines (sessions, failures, diagnoses), each session logs one open and one close line and nothing
 * per frame even at debug level, and no browser header reaches the upstream except what the relay sets.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { connectClient, logRecords, startRelayHarness, target, waitFor, type RelayHarness } from './relay-harness.ts';
import { startUpstream, type TestUpstream } from './relay-upstream.ts';

const MARKER = 'MARKER-TOKEN-51c0ffee';
let dev: DevServer;
let up: TestUpstream;
let h: RelayHarness;

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'open', logger: false });
  up = await startUpstream();
  h = await startRelayHarness((req) => {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    const url = to === 'dns' ? `ws://${MARKER.toLowerCase()}.invalid/?token=${MARKER}`
      : to === 'raw' ? up.url : `${dev.wsUrl}?token=${MARKER}`; // a stored URL may carry a token too
    return target(url, { token: MARKER });
  });
});

afterAll(async () => {
  await h.close();
  await up.close();
  await dev.close();
});

const HELLO = '{"type":"hello","version":1,"transport":"websocket"}';

describe('logging', () => {
  test('one open and one close line per session, none per frame, at debug level', async () => {
    const before = h.logs.length;
    const c = connectClient(h.url);
    c.ws.on('open', () => c.ws.send(HELLO));
    await waitFor(() => c.messages.length > 0);
    for (let i = 0; i < 100; i++) c.ws.send(i % 2 ? Buffer.alloc(120, i) : '{"type":"listen","state":"detect","text":"x"}');
    c.ws.send('{"type":"listen","state":"detect","text":"last"}');
    await waitFor(() => c.messages.filter((m) => !m.binary && m.data.includes('"last"')).length > 0, 10000);
    c.ws.close(1000);
    await c.closed;
    await waitFor(() => h.relay.sessionCount() === 0);
    const lines = logRecords(h.logs.slice(before));
    expect(lines.map((l) => l.evt)).toEqual(['relay_open', 'relay_close']);
    const close = lines[1]!;
    expect(close).toMatchObject({ framesUp: 102, helloSent: true, helloAnswered: true, tokenPlaceholder: false });
    expect(close.framesDown as number).toBeGreaterThan(10);
    expect(close.bytesUp as number).toBeGreaterThan(50 * 120);
    expect(close).toHaveProperty('clientClose');
    expect(close).toHaveProperty('upstreamClose');
    expect(close.device).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(lines)).not.toContain('a0:85:e3:f4:49:34');
    // ≤1 KB per session in the log (reliability §2.16 target: per session-minute).
    expect(h.logs.slice(before).join('').length).toBeLessThan(1024 * 2);
  });

  test('a marker token appears in 0 log lines, records or metrics across normal, failed and diagnosed sessions', async () => {
    // normal session
    const a = connectClient(h.url);
    a.ws.on('open', () => a.ws.send(HELLO));
    await waitFor(() => a.messages.length > 0);
    a.ws.close(1000);
    await a.closed;
    // DNS failure with the token in the configured URL
    const b = connectClient(`${h.url}?to=dns`);
    expect((await b.closed).code).toBe(4020);
    // close without status, diagnosed
    dev.setFaults({ closeAfterHello: true });
    try {
      const c = connectClient(h.url);
      c.ws.on('open', () => c.ws.send(HELLO));
      expect((await c.closed).code).toBe(1000);
    } finally {
      dev.setFaults({ closeAfterHello: false });
    }
    await waitFor(() => h.relay.sessionCount() === 0);
    expect(h.logs.length).toBeGreaterThan(4);
    expect(h.logs.filter((l) => l.includes(MARKER)).length).toBe(0);
    expect(h.logs.filter((l) => l.toLowerCase().includes(MARKER.toLowerCase())).length).toBe(0);
    expect(JSON.stringify(h.relay.recentSessions())).not.toContain(MARKER);
    expect(h.metrics.render()).not.toContain(MARKER);
    expect(h.logs.some((l) => l.includes('token=[REDACTED]'))).toBe(true);
  });
});

describe('handshake hygiene', () => {
  test('browser headers are not forwarded: only the XiaoZhi headers and our User-Agent', async () => {
    const c = connectClient(`${h.url}?to=raw`, {
      headers: { Origin: 'http://evil.example', Cookie: `sid=${MARKER}`, 'X-Forwarded-For': '6.6.6.6', Authorization: 'Bearer from-browser', 'User-Agent': 'BrowserUA/1', 'Device-Id': 'spoofed' },
    });
    await c.opened;
    c.ws.close(1000);
    await c.closed;
    const sent = up.requests.at(-1)!;
    const names = Object.keys(sent).sort();
    expect(names).toEqual(['authorization', 'client-id', 'connection', 'device-id', 'host', 'protocol-version',
      'sec-websocket-key', 'sec-websocket-version', 'upgrade', 'user-agent']);
    expect(sent.authorization).toBe(`Bearer ${MARKER}`);
    expect(sent['device-id']).toBe('a0:85:e3:f4:49:34');
    expect(sent['user-agent']).toBe('xiaozhi-web-gateway/0.1');
    expect(sent).not.toHaveProperty('sec-websocket-extensions'); // permessage-deflate never offered
  });
});
