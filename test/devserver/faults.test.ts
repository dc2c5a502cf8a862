import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { connect, deviceHeaders, sleep } from './client.ts';

describe('faults', () => {
  let s: DevServer;
  beforeAll(async () => { s = await startDevServer({ port: 0, auth: 'open', logger: false }); });
  afterEach(() => s.setFaults({ noHello: false, closeAfterHello: false, rejectUpgrade: 0, dropMidTurn: false, handshakeDelayMs: 0, stopReading: false }));
  afterAll(() => s.close());

  it('noHello: the hello is never answered, the socket stays open', async () => {
    s.setFaults({ noHello: true });
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.opened;
    c.send({ type: 'hello' });
    await sleep(400);
    expect(c.texts).toHaveLength(0);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.ws.close();
  });

  it('closeAfterHello: hello answered, then a close without status (1005)', async () => {
    s.setFaults({ closeAfterHello: true });
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    expect((await c.closed).code).toBe(1005);
  });

  for (const status of [401, 403, 500] as const) {
    it(`rejectUpgrade ${status}: the upgrade is answered with HTTP ${status}`, async () => {
      s.setFaults({ rejectUpgrade: status });
      const c = connect(s.wsUrl, { headers: deviceHeaders() });
      await expect(c.opened).rejects.toThrow(`HTTP ${status}`);
    });
  }

  it('dropMidTurn: TCP destroyed during reply audio (1006, no tts stop)', async () => {
    s.setFaults({ dropMidTurn: true });
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    c.send({ type: 'listen', state: 'detect', text: 'tell me something long enough to drop' });
    const closed = await c.closed;
    expect(closed.code).toBe(1006);
    expect(c.audio.length).toBeGreaterThan(0);
    expect(c.order).toContain('tts:sentence_start');
    expect(c.order).not.toContain('tts:stop');
  });

  it('handshakeDelayMs: the 101 comes after the delay', async () => {
    s.setFaults({ handshakeDelayMs: 400 });
    const t0 = performance.now();
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.opened;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(380);
    c.ws.close();
  });

  it('stopReading: the server stops reading (backpressure builds), and resumes when switched off', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    s.setFaults({ stopReading: true });
    await sleep(50);
    const chunk = new Uint8Array(200 * 1024);
    for (let i = 0; i < 100; i++) c.ws.send(chunk); // 20 MB: more than loopback socket buffers hold
    c.send({ type: 'ping' });
    await sleep(500);
    expect(c.ws.bufferedAmount).toBeGreaterThan(1024 * 1024);
    expect(c.texts.some((t) => t.json?.type === 'pong')).toBe(false);
    const res = await fetch(`${s.baseUrl}/xiaozhi/devserver/faults`, { method: 'POST', body: JSON.stringify({ stopReading: false }) });
    expect((await res.json()).faults.stopReading).toBe(false);
    await c.waitFor((m) => m.type === 'pong', 10_000);
    c.ws.close();
  });

  it('the control endpoint sets faults and refuses unknown ones', async () => {
    const ok = await fetch(`${s.baseUrl}/xiaozhi/devserver/faults`, { method: 'POST', body: JSON.stringify({ closeAfterHello: true }) });
    expect(ok.status).toBe(200);
    expect(s.faults().closeAfterHello).toBe(true);
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    expect((await c.closed).code).toBe(1005);
    const bad = await fetch(`${s.baseUrl}/xiaozhi/devserver/faults`, { method: 'POST', body: JSON.stringify({ closeAfterHelo: true }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/unknown fault "closeAfterHelo"/);
    const badType = await fetch(`${s.baseUrl}/xiaozhi/devserver/faults`, { method: 'POST', body: JSON.stringify({ rejectUpgrade: 404 }) });
    expect(badType.status).toBe(400);
  });

  it('faults given as options apply from the start', async () => {
    const s2 = await startDevServer({ port: 0, auth: 'open', logger: false, faults: { rejectUpgrade: 401 } });
    try {
      await expect(connect(s2.wsUrl, { headers: deviceHeaders() }).opened).rejects.toThrow('HTTP 401');
    } finally { await s2.close(); }
  });
});
