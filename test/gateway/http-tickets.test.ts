import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type ConnectionEvent, type DevServer } from '../../src/devserver/index.ts';
import { helloRoundTrip, openWs, startTestGateway, type TestGateway } from './helpers.ts';

let dev: DevServer;
let gw: TestGateway;
const connections: ConnectionEvent[] = [];
const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'cloud', autoApprove: true, logger: false });
  dev.events.on('connection', (e) => connections.push(e));
  gw = await startTestGateway({ backendWsUrl: 'ws://127.0.0.1:9/unused', otaUrl: dev.otaUrl }, { activationPollIntervalMs: 100 });
});
afterAll(async () => {
  await gw?.close();
  await dev?.close();
});

async function waitForState(name: string, want: string[]): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const s = (await (await fetch(`${gw.url}/api/profiles/${name}/activation`)).json()) as Record<string, unknown>;
    if (want.includes(String(s['state']))) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`activation of ${name} never reached ${want.join('/')}`);
}

describe('profile activation + ticket flow against the devserver (cloud mode, auto-approve)', () => {
  let profileName = '';
  let deviceId = '';

  it('activation runs through the gateway API and streams its progress as SSE', async () => {
    const created = (await (await fetch(`${gw.url}/api/profiles`, post({ label: 'Living room' }))).json()) as { profile: Record<string, string> };
    profileName = created.profile['name']!;
    deviceId = created.profile['deviceId']!;
    // Subscribe first so every state is seen.
    const events = fetch(`${gw.url}/api/profiles/${profileName}/activation/events`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const start = await fetch(`${gw.url}/api/profiles/${profileName}/activation`, post({}));
    expect(start.status).toBe(202);
    const final = await waitForState(profileName, ['activated', 'failed']);
    expect(final['state']).toBe('activated');
    const sse = await events;
    const states = [...sse.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!).state as string);
    expect(states).toContain('code');
    expect(states.at(-1)).toBe('activated');
    expect(sse).toMatch(/"code":"\d{6}"/);
    const list = (await (await fetch(`${gw.url}/api/profiles`)).json()) as { profiles: Record<string, unknown>[] };
    const p = list.profiles.find((x) => x['name'] === profileName)!;
    expect(p).toMatchObject({ activated: true });
    expect(String(p['websocketUrl'])).toBe(dev.wsUrl);
  });

  it('a ticket connects with the profile identity; it is single-use', async () => {
    const t = (await (await fetch(`${gw.url}/api/tickets`, post({ profile: profileName }))).json()) as { url: string; ticket: string };
    const p = openWs(`${gw.wsBase}${t.url}`);
    const hello = await helloRoundTrip(p);
    expect(hello['session_id']).toBeTruthy();
    expect(connections.at(-1)).toMatchObject({ deviceId, headersSource: 'header' });
    const again = await openWs(`${gw.wsBase}${t.url}`).closed;
    expect(again.code).toBe(4002);
    p.ws.close();
    const recent = (await (await fetch(`${gw.url}/api/sessions/recent`)).json()) as { sessions: Record<string, unknown>[] };
    expect(recent.sessions.some((s) => s['via'] === 'ticket' && s['profileName'] === profileName)).toBe(true);
    expect(JSON.stringify(recent)).not.toContain(deviceId);
  });

  it('activation can be cancelled; unknown profiles are 404', async () => {
    expect((await fetch(`${gw.url}/api/profiles/nope/activation`)).status).toBe(404);
    const del = (await (await fetch(`${gw.url}/api/profiles/${profileName}/activation`, { method: 'DELETE' })).json()) as Record<string, unknown>;
    expect(del['cancelled']).toBe(false); // already finished
  });
});
