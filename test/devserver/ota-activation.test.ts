import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { parseOtaReply } from '../../src/protocol/ota.ts';
import { connect, sleep, UUID } from './client.ts';

const HMAC_KEY = 'a'.repeat(56) + '0123abcd';
const sign = (key: string, challenge: string) => createHmac('sha256', Buffer.from(key, 'utf8')).update(challenge, 'utf8').digest('hex');

function ota(s: DevServer, deviceId: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) {
  return fetch(s.otaUrl, {
    method: 'POST',
    headers: { 'device-id': deviceId, 'client-id': UUID, 'content-type': 'application/json', 'activation-version': '2', ...opts.headers },
    body: JSON.stringify(opts.body ?? { application: { version: '2.1.1', elf_sha256: HMAC_KEY }, board: { type: 'bread-compact-wifi', name: 'py-xiaozhi', mac: deviceId } }),
  });
}
function activate(s: DevServer, deviceId: string, body: unknown) {
  return fetch(`${s.otaUrl}activate`, { method: 'POST', headers: { 'device-id': deviceId, 'client-id': UUID, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
const pyBody = (challenge: string, hmac: string) => ({ Payload: { algorithm: 'hmac-sha256', serial_number: 'SN-TEST', challenge, hmac } });

describe('OTA and activation (cloud mode)', () => {
  let s: DevServer;
  beforeAll(async () => { s = await startDevServer({ port: 0, logger: false, codeTtlMs: 400 }); });
  afterAll(() => s.close());

  it('answers the full §5.2 shape with an activation for a new device, reusing the pending code', async () => {
    const res = await ota(s, '02:00:00:00:01:01');
    expect(res.status).toBe(200);
    const body = await res.json();
    const parsed = parseOtaReply(body);
    expect(parsed.ok).toBe(true);
    expect(body.websocket).toEqual({ url: s.wsUrl, token: 'test-token' });
    expect(body.firmware).toEqual({ version: '2.1.1', url: '' });
    expect(typeof body.server_time.timestamp).toBe('number');
    expect(typeof body.server_time.timezone_offset).toBe('number');
    expect(body.activation.code).toMatch(/^\d{6}$/);
    expect(body.activation.message).toBe(`${s.baseUrl}/xiaozhi/devserver/\n${body.activation.code}`);
    expect(body.activation.challenge.length).toBeGreaterThanOrEqual(16);
    const again = await (await ota(s, '02:00:00:00:01:01')).json();
    expect(again.activation.code).toBe(body.activation.code);
    expect(again.activation.challenge).toBe(body.activation.challenge);
  });

  it('derives the websocket url from the Host header', async () => {
    // fetch may not set Host, so use node:http.
    const body = await new Promise<Record<string, any>>((resolve, reject) => {
      const req = request(s.otaUrl, { method: 'POST', headers: { host: `localhost:${s.port}`, 'device-id': '02:00:00:00:01:02', 'client-id': UUID } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(body.websocket.url).toBe(`ws://localhost:${s.port}/xiaozhi/v1/`);
  });

  it('OTA → activate 202 → code entered → 200 → OTA without activation → websocket accepted', async () => {
    const dev = '02:00:00:00:01:03';
    const { activation } = await (await ota(s, dev)).json();
    const hmac = sign(HMAC_KEY, activation.challenge);
    const early = connect(s.wsUrl, { headers: { 'device-id': dev, 'client-id': UUID } });
    await early.hello();
    expect((await early.closed).code).toBe(1005); // not activated yet
    expect((await activate(s, dev, pyBody(activation.challenge, hmac))).status).toBe(202);
    expect((await activate(s, dev, pyBody(activation.challenge, hmac))).status).toBe(202);
    // what a person does on the page
    const entered = await fetch(`${s.baseUrl}/xiaozhi/devserver/activate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: activation.code }) });
    expect(entered.status).toBe(200);
    expect((await entered.json()).deviceId).toBe(dev);
    const done = await activate(s, dev, pyBody(activation.challenge, hmac));
    expect(done.status).toBe(200);
    const after = await (await ota(s, dev)).json();
    expect(after.activation).toBeUndefined();
    const c = connect(s.wsUrl, { headers: { 'device-id': dev, 'client-id': UUID, authorization: 'Bearer test-token' } });
    await c.hello();
    c.send({ type: 'ping' });
    await c.waitFor((m) => m.type === 'pong');
    c.ws.close();
  });

  it('accepts the bare firmware body shape', async () => {
    const dev = '02:00:00:00:01:04';
    const { activation } = await (await ota(s, dev)).json();
    expect(s.enterCode(activation.code)).toBe(true);
    const res = await activate(s, dev, { algorithm: 'hmac-sha256', serial_number: 'SN-X', challenge: activation.challenge, hmac: sign(HMAC_KEY, activation.challenge) });
    expect(res.status).toBe(200);
  });

  it('rejects a wrong HMAC (hex-decoded key) with 401 and a JSON error', async () => {
    const dev = '02:00:00:00:01:05';
    const { activation } = await (await ota(s, dev)).json();
    const wrong = createHmac('sha256', Buffer.from(HMAC_KEY, 'hex')).update(activation.challenge).digest('hex');
    const res = await activate(s, dev, pyBody(activation.challenge, wrong));
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/HMAC/);
  });

  it('rejects an unknown challenge with 404', async () => {
    const res = await activate(s, '02:00:00:00:01:06', pyBody('nope', 'x'));
    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatch(/challenge/);
  });

  it('rejects an expired code with 410, and the console refuses it', async () => {
    const dev = '02:00:00:00:01:07';
    const { activation } = await (await ota(s, dev)).json();
    await sleep(450);
    expect(s.enterCode(activation.code)).toBe(false);
    const res = await activate(s, dev, pyBody(activation.challenge, sign(HMAC_KEY, activation.challenge)));
    expect([404, 410]).toContain(res.status);
    const fresh = await (await ota(s, dev)).json();
    expect(fresh.activation.challenge).not.toBe(activation.challenge);
  });

  it('410 when the code expired but is still on record', async () => {
    const dev = '02:00:00:00:01:08';
    const { activation } = await (await ota(s, dev)).json();
    await sleep(450);
    const res = await activate(s, dev, pyBody(activation.challenge, sign(HMAC_KEY, activation.challenge)));
    expect(res.status).toBe(410);
  });

  it('refuses OTA without Device-Id/Client-Id or with a non-MAC Device-Id (400 + error body)', async () => {
    const noClient = await fetch(s.otaUrl, { method: 'POST', headers: { 'device-id': '02:00:00:00:01:09' }, body: '{}' });
    expect(noClient.status).toBe(400);
    expect(await noClient.json()).toMatchObject({ success: false, error: expect.stringMatching(/Client-Id/) });
    const notMac = await ota(s, 'web-test-device');
    expect(notMac.status).toBe(400);
    expect(parseOtaReply(await notMac.json()).ok).toBe(false);
  });

  it('accepts upper-case MACs and non-UUID client ids', async () => {
    const res = await fetch(s.otaUrl, { method: 'POST', headers: { 'device-id': '02:AB:CD:00:01:0A', 'client-id': 'web_test_client' }, body: '{}' });
    expect(res.status).toBe(200);
  });

  it('answers CORS preflights on OTA routes', async () => {
    for (const path of ['', 'activate']) {
      const res = await fetch(`${s.otaUrl}${path}`, { method: 'OPTIONS', headers: { origin: 'http://example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'device-id,client-id,activation-version' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const allowed = res.headers.get('access-control-allow-headers') ?? '';
      for (const h of ['device-id', 'client-id', 'content-type', 'authorization', 'activation-version', 'accept-language']) expect(allowed).toContain(h);
    }
  });
});

describe('OTA in token and auto-approve modes', () => {
  it('token mode hands out an ES token that the websocket accepts', async () => {
    const s = await startDevServer({ port: 0, auth: 'token', logger: false });
    try {
      const body = await (await ota(s, '02:00:00:00:02:01')).json();
      expect(body.activation).toBeUndefined();
      expect(body.websocket.token).toMatch(/^[\w-]+\.\d+$/);
      const c = connect(s.wsUrl, { headers: { 'device-id': '02:00:00:00:02:01', 'client-id': UUID, authorization: `Bearer ${body.websocket.token}` } });
      await c.hello();
      c.send({ type: 'ping' });
      await c.waitFor((m) => m.type === 'pong');
      c.ws.close();
    } finally { await s.close(); }
  });

  it('autoApprove answers 200 at the first activation call', async () => {
    const s = await startDevServer({ port: 0, autoApprove: true, logger: false });
    try {
      const dev = '02:00:00:00:02:02';
      const { activation } = await (await ota(s, dev)).json();
      expect((await activate(s, dev, pyBody(activation.challenge, sign(HMAC_KEY, activation.challenge)))).status).toBe(200);
    } finally { await s.close(); }
  });
});
