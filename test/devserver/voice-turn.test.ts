import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/devserver/audio/wav.ts';
import { startDevServer, type DevServer, type TurnEvent } from '../../src/devserver/index.ts';
import { OpusDecoder, OpusEncoder } from '../../src/node/opus-codec.ts';
import type { ProtocolVersion } from '../../src/protocol/binary-frame.ts';
import { connect, deviceHeaders, sleep } from './client.ts';

const wav = parseWav(readFileSync(new URL('../fixtures/speech-16k.wav', import.meta.url)));

/** 20 ms RMS envelope. */
function envelope(pcm: Int16Array, rate: number): number[] {
  const win = rate / 50;
  const out: number[] = [];
  for (let i = 0; i + win <= pcm.length; i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) sum += pcm[j]! * pcm[j]!;
    out.push(Math.sqrt(sum / win));
  }
  return out;
}

/** Best Pearson correlation of two envelopes over lags of ±5 windows (±100 ms). */
function bestCorrelation(a: number[], b: number[]): number {
  let best = -1;
  for (let lag = -5; lag <= 5; lag++) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < a.length; i++) { const j = i + lag; if (j >= 0 && j < b.length) { xs.push(a[i]!); ys.push(b[j]!); } }
    const mx = xs.reduce((p, x) => p + x, 0) / xs.length;
    const my = ys.reduce((p, y) => p + y, 0) / ys.length;
    let num = 0, dx = 0, dy = 0;
    for (let i = 0; i < xs.length; i++) { num += (xs[i]! - mx) * (ys[i]! - my); dx += (xs[i]! - mx) ** 2; dy += (ys[i]! - my) ** 2; }
    best = Math.max(best, num / Math.sqrt(dx * dy));
  }
  return best;
}

/** The test's own measurement of the speech span: first to last 10 ms window above −40 dBFS. */
function measureSpeechMs(pcm: Int16Array, rate: number): number {
  const win = rate / 100;
  let first = -1;
  let last = -1;
  for (let i = 0; i + win <= pcm.length; i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) sum += pcm[j]! * pcm[j]!;
    if (20 * Math.log10(Math.sqrt(sum / win) / 32768) > -40) { if (first < 0) first = i; last = i + win; }
  }
  return first < 0 ? 0 : ((last - first) * 1000) / rate;
}

function encodeFixture(frameMs = 60): Uint8Array[] {
  expect(wav.sampleRate).toBe(16000);
  return new OpusEncoder({ sampleRate: 16000, frameMs }).encodeAll(wav.samples);
}

const REPLY_ORDER = ['stt', 'tts:start', 'llm', 'tts:sentence_start'];

async function voiceTurn(s: DevServer, mode: 'auto' | 'manual', version: ProtocolVersion = 1, frameMs = 60) {
  const c = connect(s.wsUrl, { headers: deviceHeaders(), version });
  const hellos: { id: string; sessionId: string }[] = [];
  const onHello = (e: { id: string; sessionId: string }) => hellos.push(e);
  s.events.on('hello', onHello);
  const hello = await c.hello();
  s.events.off('hello', onHello);
  expect(hello.version).toBe(version);
  const connId = hellos.find((e) => e.sessionId === hello.session_id)!.id;
  const turn = new Promise<TurnEvent>((resolve) => {
    const on = (e: TurnEvent) => { if (e.id === connId) { s.events.off('turn', on); resolve(e); } };
    s.events.on('turn', on);
  });
  const uplink = new Promise<Int16Array>((resolve) => {
    const on = (e: { id: string; pcm16k: Int16Array }) => { if (e.id === connId) { s.events.off('uplinkAudio', on); resolve(e.pcm16k); } };
    s.events.on('uplinkAudio', on);
  });
  c.send({ session_id: hello.session_id, type: 'listen', state: 'start', mode });
  const packets = encodeFixture(frameMs);
  // Real time would take ~5 s; send in bursts of 10 packets, which is what the server sees from a fast client.
  for (let i = 0; i < packets.length; i++) {
    if (mode === 'auto' && c.texts.some((t) => t.json?.type === 'tts')) break; // client stops uploading at tts start
    c.sendAudio(packets[i]!, 0);
    if (i % 10 === 9) await sleep(5);
  }
  if (mode === 'manual') c.send({ session_id: hello.session_id, type: 'listen', state: 'stop' });
  await c.waitFor((m) => m.type === 'tts' && m.state === 'stop', 15_000);
  return { c, turn: await turn, uplink: await uplink };
}

// Replies are paced in real time (~3.5 s each), so these run concurrently on one server.
describe.concurrent('voice turns with real Opus', () => {
  let s: DevServer;
  beforeAll(async () => { s = await startDevServer({ port: 0, auth: 'open', logger: false }); });
  afterAll(() => s.close());

  const speechMs = measureSpeechMs(wav.samples, wav.sampleRate);

  for (const mode of ['manual', 'auto'] as const) {
    it(`${mode}: stt reports the speech duration, audio comes back as 24 kHz Opus of the same length, in order`, async () => {
      const { c, turn } = await voiceTurn(s, mode);
      expect(speechMs).toBeGreaterThan(2000);
      const stt = c.texts.find((t) => t.json?.type === 'stt')!.json!;
      const m = /^\[voice (\d+\.\d\d) s, level (-?\d+) dBFS\]$/.exec(String(stt.text));
      expect(m, String(stt.text)).not.toBeNull();
      expect(Math.abs(Number(m![1]) * 1000 - speechMs)).toBeLessThanOrEqual(120);
      expect(Math.abs(turn.durationMs - speechMs)).toBeLessThanOrEqual(120);
      expect(turn.mode).toBe(mode);
      // exact order: stt, tts start, llm, sentence_start, audio…, tts stop
      const firstAudio = c.order.indexOf('audio');
      expect(c.order.slice(0, firstAudio).filter((x) => x !== 'hello')).toEqual(REPLY_ORDER);
      expect(c.order.at(-1)).toBe('tts:stop');
      expect(c.order.slice(firstAudio, -1).every((x) => x === 'audio')).toBe(true);
      // valid 24 kHz Opus (TOC config for 60 ms frames), decodes to about the speech length
      const dec = new OpusDecoder(24000);
      const pcm = dec.decodeAll(c.audio.map((a) => a.payload));
      expect(c.audio.every((a) => a.payload.length > 0)).toBe(true);
      expect(Math.abs((pcm.length / 24) - speechMs)).toBeLessThanOrEqual(120);
      expect(Math.abs(measureSpeechMs(pcm, 24000) - speechMs)).toBeLessThanOrEqual(150);
      // what came back is what went in: the loudness contours of sent speech and reply match
      const sent = envelope(wav.samples.subarray(8000), 16000); // minus the fixture's 0.5 s lead-in
      const back = envelope(pcm, 24000);
      expect(bestCorrelation(sent, back)).toBeGreaterThan(0.9);
      expect(bestCorrelation(sent, [...back].reverse())).toBeLessThan(0.6); // the measure can tell
      c.ws.close();
    });
  }

  it('paces reply audio: first 4 packets at once, then about one per 60 ms', async () => {
    const t0 = performance.now();
    const { c } = await voiceTurn(s, 'manual');
    const t = c.audio.map((a) => a.at);
    // A burst first (a paced sender would need 180 ms for 4 packets)…
    expect(t[3]! - t[0]!).toBeLessThan(100);
    // …then real time: the last packet cannot come before (n − 4) × 60 ms after the turn ended
    // (t0 is earlier than the server's first send, so this bound holds on a busy machine too).
    expect(t.at(-1)! - t0).toBeGreaterThanOrEqual((t.length - 4) * 60);
    const gaps = t.slice(4).map((x, i) => x - t[i + 3]!).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    expect(median).toBeGreaterThan(40);
    expect(median).toBeLessThan(80);
    c.ws.close();
  });

  it('20 ms uplink frames (py-xiaozhi default) measure the same', async () => {
    const { c, turn } = await voiceTurn(s, 'auto', 1, 20);
    expect(Math.abs(turn.durationMs - speechMs)).toBeLessThanOrEqual(120);
    c.ws.close();
  });

  it('emits uplinkAudio with the whole decoded turn', async () => {
    const { c, uplink } = await voiceTurn(s, 'manual');
    expect(uplink.length).toBe(encodeFixture().length * 960);
    c.ws.close();
  });

  for (const version of [2, 3] as const) {
    it(`Protocol-Version ${version}: framed both directions`, async () => {
      const { c, turn } = await voiceTurn(s, 'manual', version);
      expect(Math.abs(turn.durationMs - speechMs)).toBeLessThanOrEqual(120);
      expect(c.audio.length).toBeGreaterThan(10);
      const pcm = new OpusDecoder(24000).decodeAll(c.audio.map((a) => a.payload));
      expect(Math.abs(pcm.length / 24 - speechMs)).toBeLessThanOrEqual(120);
      c.ws.close();
    });
  }

  it('v1 frames sent to a v3 session are reported as bad frames, not decoded as audio', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders(), version: 3 });
    await c.hello();
    c.send({ type: 'listen', state: 'start', mode: 'manual' });
    c.ws.send(new Uint8Array([0x58, 1, 2])); // raw Opus TOC byte, no v3 header
    const err = await c.waitFor((m) => m.type === 'error');
    expect(String(err.message)).toMatch(/Protocol-Version 3/);
    c.ws.close();
  });
});

describe.concurrent('text turns and abort', () => {
  let s: DevServer;
  beforeAll(async () => { s = await startDevServer({ port: 0, auth: 'open', logger: false }); });
  afterAll(() => s.close());

  it('listen detect with text answers stt(text), tts start, llm, sentence_start, audio, tts stop', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    c.send({ type: 'listen', state: 'detect', text: 'what a nice day' });
    await c.waitFor((m) => m.type === 'tts' && m.state === 'stop');
    expect(c.texts.find((t) => t.json?.type === 'stt')?.json?.text).toBe('what a nice day');
    const firstAudio = c.order.indexOf('audio');
    expect(c.order.slice(1, firstAudio)).toEqual(REPLY_ORDER);
    const pcm = new OpusDecoder(24000).decodeAll(c.audio.map((a) => a.payload));
    expect(pcm.length).toBeGreaterThan(24000 * 0.5);
    c.ws.close();
  });

  it('abort mid-reply stops audio within one packet and sends tts stop', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    c.send({ type: 'listen', state: 'detect', text: 'please tell me a long story about many many different things today' });
    await c.waitFor((m) => m.type === 'tts' && m.state === 'sentence_start');
    while (c.audio.length < 7) await sleep(10);
    c.send({ type: 'abort', reason: 'wake_word_detected' });
    const abortAt = c.audio.length;
    await c.waitFor((m) => m.type === 'tts' && m.state === 'stop');
    const atStop = c.audio.length;
    await sleep(300);
    // Nothing after tts stop; before it at most one packet the server had already put on the wire.
    expect(c.audio.length).toBe(atStop);
    expect(atStop - abortAt).toBeLessThanOrEqual(1);
    expect(c.order.at(-1)).toBe('tts:stop');
    expect(c.order.filter((x) => x === 'tts:stop')).toHaveLength(1);
    c.ws.close();
  });

  it('a wake word (listen detect 你好小智) gets no reply of its own', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    c.send({ type: 'listen', state: 'detect', text: '你好小智' });
    c.send({ type: 'ping' });
    await c.waitFor((m) => m.type === 'pong');
    await sleep(200);
    expect(c.order).toEqual(['hello', 'pong']);
    c.ws.close();
  });

  it('listen start during a reply (barge-in) stops the audio and closes it with tts stop', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    c.send({ type: 'listen', state: 'detect', text: 'a fairly long answer would be spoken here now' });
    while (c.audio.length < 6) await sleep(10);
    c.send({ type: 'listen', state: 'start', mode: 'manual' });
    await c.waitFor((m) => m.type === 'tts' && m.state === 'stop');
    const n = c.audio.length;
    await sleep(250);
    expect(c.audio.length - n).toBeLessThanOrEqual(1);
    c.send({ type: 'listen', state: 'stop' });
    // an empty manual turn is still answered: "no speech"
    const stt = await c.waitFor((m) => m.type === 'stt' && String(m.text).startsWith('[no speech'));
    expect(stt.text).toMatch(/^\[no speech, 0\.00 s of audio\]$/);
    c.ws.close();
  });

  it('external TTS command is used when set (espeak-ng)', async () => {
    const s2 = await startDevServer({ port: 0, auth: 'open', logger: false, ttsCommand: 'espeak-ng --stdout' });
    try {
      const c = connect(s2.wsUrl, { headers: deviceHeaders() });
      await c.hello();
      c.send({ type: 'listen', state: 'detect', text: 'testing one two three' });
      await c.waitFor((m) => m.type === 'tts' && m.state === 'stop', 10_000);
      const pcm = new OpusDecoder(24000).decodeAll(c.audio.map((a) => a.payload));
      expect(measureSpeechMs(pcm, 24000)).toBeGreaterThan(800);
      c.ws.close();
    } finally { await s2.close(); }
  });
});
