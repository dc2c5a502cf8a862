import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { startTestGateway, type TestGateway } from './helpers.ts';

let dev: DevServer;
let gw: TestGateway;
const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'cloud', logger: false });
  gw = await startTestGateway({ backendWsUrl: dev.wsUrl, otaUrl: dev.otaUrl });
});
afterAll(async () => {
  await gw?.close();
  await dev?.close();
});

describe('POST /api/doctor', () => {
  it('runs the staged check for a profile: activated → ok; not activated → fails at activation; no secrets', async () => {
    const { profile } = (await (await fetch(`${gw.url}/api/profiles`, post({ label: 'doc' }))).json()) as { profile: { name: string; deviceId: string } };
    const notYet = (await (await fetch(`${gw.url}/api/doctor`, post({ profile: profile.name }))).json()) as Record<string, unknown>;
    expect(notYet['ok']).toBe(false);
    expect(notYet['failedStage']).toBe('activation');

    dev.activateDevice(profile.deviceId);
    const res = await fetch(`${gw.url}/api/doctor`, post({ profile: profile.name, turn: true, lang: 'zh' }));
    expect(res.status).toBe(200);
    const text = await res.text();
    const report = JSON.parse(text) as { ok: boolean; stages: { id: string; status: string }[]; lang: string };
    expect(report.ok).toBe(true);
    expect(report.lang).toBe('zh');
    expect(report.stages.length).toBeGreaterThan(2);
    const hmacKey = JSON.parse(((await (await fetch(`${gw.url}/api/profiles/${profile.name}/export`)).json()) as { efuseJson: string }).efuseJson).hmac_key as string;
    expect(text).not.toContain(hmacKey);
  });

  it('rejects malformed requests', async () => {
    expect((await fetch(`${gw.url}/api/doctor`, post({ profile: 5 }))).status).toBe(400);
    expect((await fetch(`${gw.url}/api/doctor`, { method: 'POST', body: '{}' })).status).toBe(415);
  });
});
