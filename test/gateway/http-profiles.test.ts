import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers.ts';

const SECRET_TOKEN = 'sekrit-profile-token-0123456789';
let gw: TestGateway;

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? '{}' : JSON.stringify(body),
});

beforeAll(async () => {
  gw = await startTestGateway({ backendWsUrl: 'ws://127.0.0.1:9/never', otaUrl: 'http://127.0.0.1:9/xiaozhi/ota/' });
});
afterAll(async () => {
  await gw.close();
});

function pyFiles(mac: string, token: string) {
  const configJson = {
    CONFIG_VERSION: 1,
    SYSTEM_OPTIONS: {
      CLIENT_ID: '975b0760-0000-4000-8000-000000000001',
      DEVICE_ID: mac,
      NETWORK: {
        OTA_VERSION_URL: 'http://127.0.0.1:9/xiaozhi/ota/',
        WEBSOCKET_URL: 'ws://127.0.0.1:9/xiaozhi/v1/',
        WEBSOCKET_ACCESS_TOKEN: token,
        ACTIVATION_VERSION: 'v2',
        AUTHORIZATION_URL: 'https://xiaozhi.me/',
      },
    },
    WAKE_WORD_OPTIONS: { USE_WAKE_WORD: true },
  };
  const efuseJson = { mac_address: mac, serial_number: 'SN-1A2B3C4D-581122b72642', hmac_key: 'f'.repeat(64), activation_status: true };
  return { configJson, efuseJson };
}

describe('profile API', () => {
  it('creates, lists without secrets, renames, defaults, exports and deletes', async () => {
    const info0 = (await (await fetch(`${gw.url}/api/info`)).json()) as Record<string, unknown>;
    expect(info0).toMatchObject({ accessKeyRequired: false, defaultProfile: null });

    const created = await fetch(`${gw.url}/api/profiles`, json('POST', { label: 'Kitchen Speaker' }));
    expect(created.status).toBe(201);
    const { profile } = (await created.json()) as { profile: Record<string, unknown> };
    expect(profile).toMatchObject({ name: 'kitchen-speaker', label: 'Kitchen Speaker', activated: false, isDefault: true, otaUrl: 'http://127.0.0.1:9/xiaozhi/ota/' });
    expect(profile['deviceId']).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);

    const imported = await fetch(`${gw.url}/api/profiles/import`, json('POST', { ...pyFiles('58:11:22:b7:26:42', SECRET_TOKEN), label: 'From py-xiaozhi' }));
    expect(imported.status).toBe(201);
    const imp = ((await imported.json()) as { profile: Record<string, unknown> }).profile;
    expect(imp).toMatchObject({ name: 'from-py-xiaozhi', deviceId: '58:11:22:b7:26:42', activated: true, tokenHint: 'sekr…789', isDefault: false });

    const listText = await (await fetch(`${gw.url}/api/profiles`)).text();
    expect(listText).not.toContain(SECRET_TOKEN);
    expect(listText).not.toContain('f'.repeat(64));
    const list = JSON.parse(listText) as { profiles: Record<string, unknown>[] };
    expect(list.profiles.map((p) => p['name'])).toEqual(['from-py-xiaozhi', 'kitchen-speaker']);
    for (const p of list.profiles) {
      expect(Object.keys(p).sort()).toEqual(['activated', 'clientId', 'deviceId', 'isDefault', 'label', 'name', 'otaUrl', 'tokenHint', 'websocketUrl']);
    }

    const patched = await fetch(`${gw.url}/api/profiles/from-py-xiaozhi`, json('PATCH', { label: 'Desk', isDefault: true }));
    expect(((await patched.json()) as { profile: Record<string, unknown> }).profile).toMatchObject({ label: 'Desk', isDefault: true });
    expect(((await (await fetch(`${gw.url}/api/info`)).json()) as Record<string, unknown>)['defaultProfile']).toBe('from-py-xiaozhi');

    const exported = (await (await fetch(`${gw.url}/api/profiles/from-py-xiaozhi/export`)).json()) as { configJson: string; efuseJson: string };
    expect(JSON.parse(exported.configJson).SYSTEM_OPTIONS.NETWORK.WEBSOCKET_ACCESS_TOKEN).toBe(SECRET_TOKEN);
    expect(JSON.parse(exported.configJson).WAKE_WORD_OPTIONS).toEqual({ USE_WAKE_WORD: true }); // unknown keys kept
    expect(JSON.parse(exported.efuseJson).hmac_key).toBe('f'.repeat(64));
    expect((await fetch(`${gw.url}/api/profiles/from-py-xiaozhi/export`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await fetch(`${gw.url}/api/profiles/from-py-xiaozhi/export`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);

    expect((await fetch(`${gw.url}/api/profiles/kitchen-speaker`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${gw.url}/api/profiles/kitchen-speaker`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${gw.url}/api/profiles/NOT_VALID`, json('PATCH', { label: 'x' }))).status).toBe(400);
  });

  it('bad import bodies are refused clearly', async () => {
    const r = await fetch(`${gw.url}/api/profiles/import`, json('POST', { configJson: '{"nope":1}', efuseJson: '{}' }));
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string } };
    expect(body.error.code).toBe('XZ_IMPORT_SOURCE_INVALID');
    expect((await fetch(`${gw.url}/api/profiles/import`, json('POST', { configJson: 5 }))).status).toBe(400);
  });

  it('tickets: bound to the stored token, never returned; a profile without OTA reply is refused', async () => {
    const t = await fetch(`${gw.url}/api/tickets`, json('POST', { profile: 'from-py-xiaozhi' }));
    expect(t.status).toBe(200);
    const text = await t.text();
    expect(text).not.toContain(SECRET_TOKEN);
    const ticket = JSON.parse(text) as { ticket: string; url: string; expiresInMs: number };
    expect(ticket.expiresInMs).toBe(60_000);
    expect(ticket.url).toBe(`/api/ws?ticket=${ticket.ticket}`);
    expect(ticket.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The target holds the token the files had at issue time.
    expect(gw.gateway.tickets.consume(ticket.ticket)?.token).toBe(SECRET_TOKEN);
    expect(gw.gateway.tickets.consume(ticket.ticket)).toBeNull(); // single use

    await fetch(`${gw.url}/api/profiles`, json('POST', { label: 'fresh' }));
    const fresh = await fetch(`${gw.url}/api/tickets`, json('POST', { profile: 'fresh' }));
    expect(fresh.status).toBe(409);
    expect(((await fresh.json()) as { error: { code: string } }).error.code).toBe('XZ_PROFILE_NOT_ACTIVATED');
    expect((await fetch(`${gw.url}/api/tickets`, json('POST', { profile: 'missing' }))).status).toBe(404);
  });

  it('a token rewritten on disk (py-xiaozhi re-ran OTA) is used by the next ticket', async () => {
    const path = join(gw.dataDir, 'from-py-xiaozhi', 'config', 'config.json');
    const cfg = JSON.parse(readFileSync(path, 'utf8'));
    cfg.SYSTEM_OPTIONS.NETWORK.WEBSOCKET_ACCESS_TOKEN = 'rotated-token-abcdefghij';
    mkdirSync(join(gw.dataDir, 'from-py-xiaozhi', 'config'), { recursive: true });
    writeFileSync(path, JSON.stringify(cfg, null, 2));
    const t = (await (await fetch(`${gw.url}/api/tickets`, json('POST', { profile: 'from-py-xiaozhi' }))).json()) as { ticket: string };
    expect(gw.gateway.tickets.consume(t.ticket)?.token).toBe('rotated-token-abcdefghij');
    const list = (await (await fetch(`${gw.url}/api/profiles`)).json()) as { profiles: Record<string, unknown>[] };
    expect(list.profiles.find((p) => p['name'] === 'from-py-xiaozhi')?.['tokenHint']).toBe('rota…hij');
    // The watcher noticed it too, and logged it without the token.
    let line: string | undefined;
    for (let i = 0; i < 40 && !line; i++) {
      line = gw.logs.find((l) => l.includes('profile_changed') && l.includes('from-py-xiaozhi') && l.includes('"tokenChanged":true'));
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    expect(line).toContain('"tokenChanged":true');
    expect(gw.logs.join('\n')).not.toContain('rotated-token-abcdefghij');
  });

  it('tickets expire', async () => {
    const short = await startTestGateway({ backendWsUrl: 'ws://127.0.0.1:9/never', ticketTtlMs: 1000, dataDir: gw.dataDir });
    try {
      const t = (await (await fetch(`${short.url}/api/tickets`, json('POST', { profile: 'from-py-xiaozhi' }))).json()) as { ticket: string; expiresInMs: number };
      expect(t.expiresInMs).toBe(1000);
      await new Promise((r) => setTimeout(r, 1100));
      expect(short.gateway.tickets.consume(t.ticket)).toBeNull();
    } finally {
      await short.close();
    }
  });
});
