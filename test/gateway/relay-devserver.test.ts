/**
 * The relay end to end with the devserver as the XiaoZhi server: frames relayed in order with their type
 * (Protocol-Version 2 timestamps prove downlink order, decoded uplink audio proves uplink order), the
 * hello sent on `open` never lost whatever the upstream handshake delay (reliability §2.2), mid-session
 * resets, cloud-style closes without status diagnosed, oversize messages, graceful shutdown.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { OpusEncoder } from '../../src/node/opus-codec.ts';
import { decodeAudioFrame, encodeAudioFrame } from '../../src/protocol/binary-frame.ts';
import { connectClient, startRelayHarness, target, waitFor, type RelayHarness } from './relay-harness.ts';

const DEVICE = 'a0:85:e3:f4:49:34';
const UNACTIVATED = 'a0:85:e3:00:00:01';
let dev: DevServer;
let h: RelayHarness;

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'cloud', logger: false });
  dev.activateDevice(DEVICE);
  h = await startRelayHarness((req) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const activated = q.get('activated');
    return target(dev.wsUrl, {
      protocolVersion: 2,
      deviceId: q.get('device') ?? DEVICE,
      context: { via: 'ticket', ...(activated === null ? {} : { deviceActivated: activated === '1' }) },
    });
  });
});

afterAll(async () => {
  await h.close();
  await dev.close();
});

const HELLO = JSON.stringify({ type: 'hello', version: 2, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } });
const json = (m: { data: Buffer; binary: boolean }) => JSON.parse(m.data.toString()) as Record<string, unknown>;

async function openHelloed(query = '') {
  const c = connectClient(`${h.url}${query}`);
  c.ws.on('open', () => c.ws.send(HELLO));
  await waitFor(() => c.messages.length > 0, 5000, 'server hello');
  expect(json(c.messages[0]!).type).toBe('hello');
  return c;
}

describe('relay through the devserver', () => {
  test('downlink: JSON and binary keep their type and order (v2 timestamps strictly increase)', async () => {
    const c = await openHelloed();
    c.ws.send(JSON.stringify({ type: 'listen', state: 'detect', text: 'hello relay' }));
    await waitFor(() => c.messages.some((m) => !m.binary && json(m).type === 'tts' && json(m).state === 'stop'), 10000, 'tts stop');
    const seq = c.messages.slice(1);
    const kinds = seq.map((m) => (m.binary ? 'audio' : `${json(m).type}${json(m).state ? `:${json(m).state}` : ''}`));
    const firstAudio = kinds.indexOf('audio');
    expect(kinds.slice(0, firstAudio)).toEqual(['stt', 'tts:start', 'llm', 'tts:sentence_start']);
    expect(kinds.at(-1)).toBe('tts:stop');
    const audio = seq.filter((m) => m.binary).map((m) => decodeAudioFrame(2, m.data));
    expect(audio.length).toBeGreaterThan(3);
    expect(kinds.slice(firstAudio, -1).every((k) => k === 'audio')).toBe(true);
    audio.forEach((f, i) => {
      expect(f.ok).toBe(true);
      if (f.ok) expect(f.timestamp).toBe(i * 60);
    });
    expect(json(seq[0]!).text).toBe('hello relay');
    c.ws.close(1000);
    await c.closed;
  });

  test('uplink: every binary frame arrives as binary, in order (silence first, then tone)', async () => {
    const c = await openHelloed();
    const enc = new OpusEncoder({ sampleRate: 16000, frameMs: 60 });
    const frame = (loud: boolean) => {
      const pcm = new Int16Array(960);
      if (loud) for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000));
      return pcm;
    };
    const got = new Promise<Int16Array>((resolve) => dev.events.once('uplinkAudio', (e) => resolve(e.pcm16k)));
    c.ws.send(JSON.stringify({ type: 'listen', state: 'start', mode: 'manual' }));
    for (let i = 0; i < 20; i++) c.ws.send(encodeAudioFrame(2, enc.encode(frame(i >= 10)), i * 60));
    c.ws.send(JSON.stringify({ type: 'listen', state: 'stop' }));
    const pcm = await got;
    expect(pcm.length).toBe(20 * 960);
    const energy = (a: Int16Array) => a.reduce((s, v) => s + Math.abs(v), 0) / a.length;
    expect(energy(pcm.subarray(0, 9 * 960))).toBeLessThan(100);
    expect(energy(pcm.subarray(11 * 960))).toBeGreaterThan(1000);
    c.ws.close(1000);
    await c.closed;
  });

  test('handshake headers reach the server as headers (Device-Id, Client-Id, Protocol-Version)', async () => {
    const seen = new Promise<import('../../src/devserver/index.ts').ConnectionEvent>((r) => dev.events.once('connection', r));
    const c = await openHelloed();
    expect(await seen).toMatchObject({ deviceId: DEVICE, clientId: 'c8238260-aa41-46bf-a1af-2cb3e2955931', protocolVersion: 2, headersSource: 'header' });
    c.ws.close(1000);
    await c.closed;
  });

  test.each([0, 50, 500, 3000])('hello sent on open is never lost (upstream handshake delayed %i ms)', async (delay) => {
    dev.setFaults({ handshakeDelayMs: delay });
    try {
      const clients = Array.from({ length: delay >= 500 ? 2 : 5 }, () => {
        const c = connectClient(h.url);
        // The first frames a browser sends on open: hello, then a text turn right behind it.
        c.ws.on('open', () => {
          c.ws.send(HELLO);
          c.ws.send(JSON.stringify({ type: 'listen', state: 'detect', text: `delay ${delay}` }));
        });
        return c;
      });
      for (const c of clients) {
        await waitFor(() => c.messages.filter((m) => !m.binary).length >= 2, delay + 5000, 'hello + stt');
        expect(json(c.messages[0]!).type).toBe('hello');
        expect(json(c.messages[1]!)).toMatchObject({ type: 'stt', text: `delay ${delay}` });
        c.ws.close(1000);
        await c.closed;
      }
    } finally {
      dev.setFaults({ handshakeDelayMs: 0 });
    }
  });

  test('upstream reset mid-turn (no Close frame) → 1014 with an explanation; the process keeps serving', async () => {
    dev.setFaults({ dropMidTurn: true });
    try {
      const c = await openHelloed();
      c.ws.send(JSON.stringify({ type: 'listen', state: 'detect', text: 'drop me' }));
      const closed = await c.closed;
      expect(closed.code).toBe(1014);
      expect(closed.reason).toMatch(/^XZ_UPSTREAM_UNREACHABLE: /);
      expect(c.messages.some((m) => m.binary)).toBe(true); // some reply audio got through first
    } finally {
      dev.setFaults({ dropMidTurn: false });
    }
    const again = await openHelloed();
    again.ws.close(1000);
    await again.closed;
  });

  test.each([
    ['activation unknown', '', 'XZ_DIAG_CLOSED_AFTER_HELLO'],
    ['profile known not activated', '&activated=0', 'XZ_DIAG_NOT_ACTIVATED'],
  ])('cloud: an unactivated device is answered then closed without status (%s) → 1000 + %s', async (_n, extra, diag) => {
    const c = connectClient(`${h.url}?device=${UNACTIVATED}${extra}`);
    c.ws.on('open', () => c.ws.send(HELLO));
    const closed = await c.closed;
    expect(closed.code).toBe(1000);
    expect(closed.reason.startsWith(`${diag}: `)).toBe(true);
    expect(json(c.messages[0]!).type).toBe('hello');
  });

  test('noHello: the server never answers → 4030 after the hello timeout; the upstream gets 1000', async () => {
    const own = await startRelayHarness(target(dev.wsUrl), { helloTimeoutMs: 300 });
    dev.setFaults({ noHello: true });
    try {
      const upClosed = new Promise<number>((r) => dev.events.once('closed', (e) => r(e.code)));
      const c = connectClient(own.url);
      c.ws.on('open', () => c.ws.send(HELLO));
      const t0 = Date.now();
      const closed = await c.closed;
      expect(closed.code).toBe(4030);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect(closed.reason).toMatch(/did not answer the hello/);
      expect(await upClosed).toBe(1000);
      await waitFor(() => own.relay.sessionCount() === 0);
      expect(own.relay.recentSessions().at(-1)).toMatchObject({ helloSent: true, helloAnswered: false, diagnosis: { code: 'XZ_HELLO_TIMEOUT' } });
    } finally {
      dev.setFaults({ noHello: false });
      await own.close();
    }
  });

  test('a browser message over 64 KiB closes 1009; the upstream gets 1001; exactly 64 KiB passes', async () => {
    const c = await openHelloed();
    c.ws.send(Buffer.alloc(64 * 1024, 1));
    c.ws.send('{"type":"listen","state":"detect","text":"still open"}');
    await waitFor(() => c.messages.some((m) => !m.binary && json(m).text === 'still open'), 5000, 'session alive after 64 KiB');
    const upClosed = new Promise<number>((r) => dev.events.once('closed', (e) => r(e.code)));
    c.ws.send(Buffer.alloc(64 * 1024 + 1, 1));
    const closed = await c.closed;
    expect(closed.code).toBe(1009);
    expect(await upClosed).toBe(1001);
    await waitFor(() => h.relay.sessionCount() === 0);
    expect(h.relay.recentSessions().at(-1)!.diagnosis?.code).toBe('XZ_FRAME_TOO_LARGE');
  });
});

describe('shutdown', () => {
  test('every browser gets 1012, every upstream a close, within the deadline', async () => {
    const own = await startRelayHarness(target(dev.wsUrl));
    const clients = await Promise.all(Array.from({ length: 10 }, async () => {
      const c = connectClient(own.url);
      c.ws.on('open', () => c.ws.send(HELLO));
      await waitFor(() => c.messages.length > 0, 5000);
      return c;
    }));
    const upCodes: number[] = [];
    const onClosed = (e: { code: number }) => upCodes.push(e.code);
    dev.events.on('closed', onClosed);
    const t0 = Date.now();
    await own.relay.shutdown(2000);
    const closes = await Promise.all(clients.map((c) => c.closed));
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(closes.every((c) => c.code === 1012)).toBe(true);
    expect(own.relay.sessionCount()).toBe(0);
    await waitFor(() => upCodes.length >= 10, 3000, 'upstream closes');
    expect(upCodes.every((c) => c === 1001)).toBe(true);
    dev.events.off('closed', onClosed);
    await own.close();
  });
});
