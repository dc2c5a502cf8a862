import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { connect, deviceHeaders, type TestClient } from './client.ts';

async function stillServes(c: TestClient) {
  c.send({ type: 'ping' });
  await c.waitFor((m) => m.type === 'pong');
}

describe('bad input', () => {
  let s: DevServer;
  beforeAll(async () => { s = await startDevServer({ port: 0, auth: 'open', logger: false, helloTimeoutMs: 300 }); });
  afterAll(() => s.close());

  const cases: [string, (c: TestClient) => void, RegExp][] = [
    ['invalid JSON', (c) => c.ws.send('{"type": "listen",'), /not valid JSON/],
    ['a JSON array', (c) => c.ws.send('[1,2]'), /JSON object/],
    ['listen without state', (c) => c.send({ type: 'listen', mode: 'auto' }), /^listen: state/],
    ['an unknown type', (c) => c.send({ type: 'teleport' }), /unknown message type "teleport"/],
  ];
  for (const [name, act, message] of cases) {
    it(`${name} → {type:"error"} and the session goes on`, async () => {
      const c = connect(s.wsUrl, { headers: deviceHeaders() });
      await c.hello();
      act(c);
      const err = await c.waitFor((m) => m.type === 'error');
      expect(String(err.message)).toMatch(message);
      await stillServes(c);
      c.ws.close();
    });
  }

  it('binary or listen before hello → error; hello still works afterwards', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.opened;
    c.ws.send(new Uint8Array([0x58, 0, 0]));
    expect(String((await c.waitFor((m) => m.type === 'error')).message)).toMatch(/binary audio before hello/);
    c.send({ type: 'listen', state: 'start' });
    await c.waitFor((m) => m.type === 'error' && /before hello/.test(String(m.message)) && /listen/.test(String(m.message)));
    await c.hello();
    await stillServes(c);
    c.ws.close();
  });

  it('no hello within helloTimeoutMs → close 1000 with a reason', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    const closed = await c.closed;
    expect(closed).toEqual({ code: 1000, reason: 'no hello within 300 ms' });
  });

  it('a 1 MiB frame closes that connection with 1009; another connection is unaffected', async () => {
    const other = connect(s.wsUrl, { headers: deviceHeaders() });
    await other.hello();
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    c.ws.send(new Uint8Array(1024 * 1024));
    expect((await c.closed).code).toBe(1009);
    await stillServes(other);
    other.ws.close();
  });

  it('garbage audio while listening → one error, not one per frame', async () => {
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    await c.hello();
    c.send({ type: 'listen', state: 'start', mode: 'manual' });
    for (let i = 0; i < 5; i++) c.ws.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]));
    await stillServes(c);
    expect(c.texts.filter((t) => t.json?.type === 'error')).toHaveLength(1);
    c.ws.close();
  });

  it('an invalid Protocol-Version is refused before the upgrade (400)', async () => {
    const c = connect(s.wsUrl, { headers: { ...deviceHeaders(), 'protocol-version': '9' } });
    await expect(c.opened).rejects.toThrow('HTTP 400');
  });

  it('HTTP: GET / answers, unknown routes 404, bad OTA JSON 400', async () => {
    expect(await (await fetch(`${s.baseUrl}/`)).text()).toBe('devserver running\n');
    expect((await fetch(`${s.baseUrl}/nope`)).status).toBe(404);
    const bad = await fetch(s.otaUrl, { method: 'POST', headers: { 'device-id': 'aa:bb:cc:dd:ee:ff', 'client-id': 'x' }, body: '{' });
    expect(bad.status).toBe(400);
  });
});
