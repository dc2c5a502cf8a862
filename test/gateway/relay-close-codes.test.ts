/**
 * Close-code mapping through real sockets (xiaozhi-protocol.md §2.7, reliability-performance.md §2.8):
 * an upstream that closes with each representative code — including invalid codes and an oversize
 * multibyte reason written as raw frames, which only a hand-rolled server can send — and the browser
 * side's closes forwarded upstream. The process never throws and every reason fits 123 bytes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { utf8Length } from '../../src/protocol/close-codes.ts';
import { connectClient, startRelayHarness, target, waitFor, type RelayHarness } from './relay-harness.ts';
import { startUpstream, type TestUpstream } from './relay-upstream.ts';

let up: TestUpstream;
let h: RelayHarness;

beforeAll(async () => {
  up = await startUpstream();
  h = await startRelayHarness((req) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const query = q.get('q') ?? '';
    const device = q.get('device') ?? 'a0:85:e3:f4:49:34';
    const activated = q.get('activated');
    return target(`${up.url}?${query}`, {
      deviceId: device,
      context: { via: 'ticket', ...(activated === null ? {} : { deviceActivated: activated === '1' }) },
    });
  });
});

afterAll(async () => {
  await h.close();
  await up.close();
});

/** Opens a session whose upstream behaves per `query`, sends hello unless told not to, returns the close. */
async function session(query: string, opts: { hello?: boolean; device?: string; activated?: boolean } = {}) {
  const params = new URLSearchParams({ q: query });
  if (opts.device) params.set('device', opts.device);
  if (opts.activated !== undefined) params.set('activated', opts.activated ? '1' : '0');
  const c = connectClient(`${h.url}?${params}`);
  await c.opened;
  if (opts.hello !== false) c.ws.send('{"type":"hello","version":1,"transport":"websocket"}');
  return c.closed;
}

const MULTI_123 = '语'.repeat(41); // 123 UTF-8 bytes
const MULTI_300 = '语'.repeat(100); // 300 UTF-8 bytes: not a legal control frame

describe('upstream close → browser close', () => {
  test.each([
    ['close=1000&reason=bye', 1000, 'bye'],
    ['close=1001&reason=away', 1001, 'away'],
    ['close=1011&reason=boom', 1011, 'boom'],
    ['close=1013', 1013, ''],
    ['close=3000&reason=app', 3000, 'app'],
    ['close=4000&reason=custom', 4000, 'custom'],
    ['close=4999', 4999, ''],
    [`close=4001&reason=${encodeURIComponent(MULTI_123)}`, 4001, MULTI_123],
  ])('sendable: %s → %i', async (q, code, reason) => {
    const r = await session(q);
    expect(r.code).toBe(code);
    if (code === 1013 || code === 4999) expect(r.reason === '' || r.reason.length > 0).toBe(true);
    else expect(r.reason).toBe(reason);
  });

  test.each([1004, 1005, 1006, 1015, 999, 2999, 5000])('invalid code %i on the wire → 1011, no crash', async (code) => {
    const r = await session(`rawclose=${code}&reason=x`);
    expect(r.code).toBe(1011);
    expect(r.reason).toMatch(/^XZ_UPSTREAM_PROTOCOL: /);
    expect(utf8Length(r.reason)).toBeLessThanOrEqual(123);
  });

  test('a 300-byte multibyte reason (illegal control frame) → 1011, reason within 123 bytes', async () => {
    const r = await session(`rawclose=4000&reason=${encodeURIComponent(MULTI_300)}`);
    expect(r.code).toBe(1011);
    expect(utf8Length(r.reason)).toBeLessThanOrEqual(123);
  });

  test('connection dropped without a Close frame (1006) → 1014 with an explanation', async () => {
    const r = await session('drop=after-hello');
    expect(r.code).toBe(1014);
    expect(r.reason).toMatch(/^XZ_UPSTREAM_UNREACHABLE: /);
  });
});

describe('close without status (1005) is diagnosed, never "authentication failed"', () => {
  test.each([
    ['empty Close before any answer', 'rawclose=-1', {}, 'XZ_DIAG_HELLO_UNANSWERED'],
    ['empty Close before the client said hello', 'closeonopen=1', { hello: false }, 'XZ_DIAG_HELLO_NOT_SENT'],
    ['empty Close right after the server hello', 'close=empty', {}, 'XZ_DIAG_CLOSED_AFTER_HELLO'],
    ['placeholder device id', 'close=empty', { device: 'web-test-device' }, 'XZ_DIAG_PLACEHOLDER_DEVICE'],
    ['device known not to be activated', 'close=empty', { activated: false }, 'XZ_DIAG_NOT_ACTIVATED'],
  ] as const)('%s → 1000 + %s', async (_name, q, opts, diag) => {
    const r = await session(q, opts);
    expect(r.code).toBe(1000);
    expect(r.reason.startsWith(`${diag}: `)).toBe(true);
    expect(r.reason.toLowerCase()).not.toContain('authentication failed');
    expect(utf8Length(r.reason)).toBeLessThanOrEqual(123);
    await waitFor(() => h.relay.recentSessions().some((s) => s.diagnosis?.code === diag && s.state === 'closed'));
    const line = h.logs.filter((l) => l.includes('"relay_close"')).at(-1)!;
    expect(JSON.parse(line).diagnosis).toBe(diag);
  });

  test('the session record says what was seen: hello sent/answered, test-token noted as normal', async () => {
    await session('close=empty');
    await waitFor(() => h.relay.sessionCount() === 0);
    const rec = h.relay.recentSessions().at(-1)!;
    expect(rec).toMatchObject({ helloSent: true, helloAnswered: true, sessionIdSeen: true, state: 'closed' });
    expect(rec.upstreamClose).toMatchObject({ code: 1005, by: 'upstream' });
    expect(rec.clientClose).toMatchObject({ code: 1000, by: 'gateway' });
    const line = JSON.parse(h.logs.filter((l) => l.includes('"relay_close"')).at(-1)!);
    expect(line).toMatchObject({ tokenPlaceholder: true, devicePlaceholder: false, helloSent: true, helloAnswered: true });
  });
});

describe('browser close → upstream close with a valid code', () => {
  test.each([
    ['1000 "done"', (ws: import('ws').WebSocket) => ws.close(1000, 'done'), 1000, 'done'],
    ['4001 "app"', (ws: import('ws').WebSocket) => ws.close(4001, 'app'), 4001, 'app'],
    ['no status (1005)', (ws: import('ws').WebSocket) => ws.close(), 1000, ''],
    ['vanished (1006)', (ws: import('ws').WebSocket) => ws.terminate(), 1001, 'client went away'],
  ])('%s', async (_n, act, code, reason) => {
    const before = up.closes.length;
    const c = connectClient(`${h.url}?q=`);
    await c.opened;
    c.ws.send('{"type":"hello"}');
    await waitFor(() => c.messages.length > 0);
    act(c.ws);
    await waitFor(() => up.closes.length > before, 3000, 'upstream close');
    expect(up.closes.at(-1)).toEqual({ code, reason });
  });
});
