/**
 * Activation against the devserver in cloud mode (real sockets): the code is entered the way a
 * person does it, through the devserver's control route.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ProfileStore, activate, activateProfile, buildActivationBody, buildOtaHeaders, makeIdentity, runOta,
  type ActivationProgress,
} from '../../src/device/index.ts';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';

let root: string;
let store: ProfileStore;
let server: DevServer;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xzw-act-'));
  store = new ProfileStore({ dataDir: join(root, 'data') });
});
afterEach(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

async function enterCode(code: string): Promise<number> {
  const res = await fetch(`${server.baseUrl}/xiaozhi/devserver/activate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  await res.text();
  return res.status;
}

/** Open a WebSocket as the device and report whether the server keeps the session after hello. */
function sessionAccepted(p: { deviceId: string; clientId: string; token: string; url: string }): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(p.url, {
      headers: { Authorization: `Bearer ${p.token}`, 'Protocol-Version': '1', 'Device-Id': p.deviceId, 'Client-Id': p.clientId },
    });
    let timer: NodeJS.Timeout | undefined;
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', version: 1, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })));
    ws.on('message', (data, isBinary) => {
      if (isBinary || JSON.parse(String(data)).type !== 'hello') return;
      timer = setTimeout(() => {
        ws.close(1000);
        resolve(true);
      }, 300);
    });
    ws.on('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

describe('activation flow against the devserver (cloud mode)', () => {
  it('happy path: code shown with the devserver page, polled until entered, then stored', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    await store.create({ name: 'dev', otaUrl: server.otaUrl });
    const events: ActivationProgress[] = [];
    const result = await activateProfile(store, 'dev', {
      pollIntervalMs: 50,
      deadlineMs: 10_000,
      onProgress: (e) => {
        events.push(e);
        if (e.type === 'waiting' && e.attempt === 2) {
          const issued = events.find((x) => x.type === 'code-issued');
          if (issued?.type === 'code-issued') void enterCode(issued.code);
        }
      },
    });
    expect(result.outcome).toBe('activated');
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['ota-sent', 'code-issued', 'waiting']);
    expect(types.slice(-2)).toEqual(['ota-sent', 'activated']);
    const issued = events[1]!;
    expect(issued).toMatchObject({ type: 'code-issued', code: expect.stringMatching(/^\d{6}$/), portalUrl: `${server.baseUrl}/xiaozhi/devserver/` });
    expect(events.filter((e) => e.type === 'waiting').every((e) => e.type === 'waiting' && e.status === 202)).toBe(true);

    const p = result.profile;
    expect(p.activated).toBe(true);
    expect(p.token).toBe('test-token');
    expect(p.server.websocketUrl).toBe(server.wsUrl);
    expect(p.lastOta).toMatchObject({ activationRequired: false, serverTime: { timestamp: expect.any(Number) }, firmware: { version: '2.1.1' } });
    // The cloud-mode devserver keeps sessions only for activated devices (the token is not checked).
    expect(await sessionAccepted({ deviceId: p.identity.deviceId, clientId: p.identity.clientId, token: p.token!, url: p.server.websocketUrl! })).toBe(true);

    const again = await activateProfile(store, 'dev', { pollIntervalMs: 50 });
    expect(again).toMatchObject({ outcome: 'activated', alreadyActivated: true });
  });

  it('the session is refused before activation (so the check above can fail)', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    const id = makeIdentity({ mac: '02:00:00:00:00:07', hostname: 'h' });
    await runOta({ identity: id, otaUrl: server.otaUrl });
    expect(await sessionAccepted({ deviceId: id.deviceId, clientId: id.clientId, token: 'test-token', url: server.wsUrl })).toBe(false);
  });

  it('cancel: aborting while waiting ends with "cancelled" and leaves the profile not activated', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    await store.create({ name: 'dev', otaUrl: server.otaUrl });
    const ac = new AbortController();
    const events: ActivationProgress[] = [];
    const t0 = Date.now();
    const result = await activateProfile(store, 'dev', {
      signal: ac.signal,
      pollIntervalMs: 10_000, // the abort must cut the sleep short
      onProgress: (e) => {
        events.push(e);
        if (e.type === 'waiting') setTimeout(() => ac.abort(), 20);
      },
    });
    expect(result.outcome).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(events.at(-1)).toEqual({ type: 'cancelled' });
    expect(result.profile.activated).toBe(false);
  });

  it('deadline: gives up with XZ_ACTIVATION_TIMEOUT when the code is never entered', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    await store.create({ name: 'dev', otaUrl: server.otaUrl });
    const events: ActivationProgress[] = [];
    const result = await activateProfile(store, 'dev', { deadlineMs: 400, pollIntervalMs: 50, onProgress: (e) => events.push(e) });
    expect(result).toMatchObject({ outcome: 'failed', code: 'XZ_ACTIVATION_TIMEOUT' });
    expect(events.filter((e) => e.type === 'waiting').length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ type: 'failed', code: 'XZ_ACTIVATION_TIMEOUT' });
  });

  it('wrong HMAC: another OTA re-registers a different key for the same Device-Id → 401, reported with status', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    const mine = await store.create({ name: 'dev', otaUrl: server.otaUrl });
    // Same MAC and Client-Id, different key: a copied config.json on a host with another efuse.json.
    const other = { ...mine.identity, hmacKey: createHmac('sha256', 'other').update('host').digest('hex') };
    const result = await activateProfile(store, 'dev', {
      pollIntervalMs: 50,
      onProgress: (e) => {
        if (e.type === 'waiting' && e.attempt === 1) void runOta({ identity: other, otaUrl: server.otaUrl });
      },
    });
    expect(result).toMatchObject({ outcome: 'failed', code: 'XZ_ACTIVATION_HTTP_STATUS', status: 401 });
    expect(result.outcome === 'failed' && result.detail).toMatch(/HTTP 401.*HMAC/);
  });

  it('the devserver checks our py-xiaozhi signature: correct key 202, hex-decoded key 401', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    const id = makeIdentity({ mac: '02:00:00:00:00:08', hostname: 'h' });
    const { reply } = await runOta({ identity: id, otaUrl: server.otaUrl });
    const challenge = reply.activation!.challenge!;
    const headers = buildOtaHeaders({ identity: id, otaUrl: server.otaUrl }, { appVersion: '2.1.1', appName: 'xiaozhi-web', boardType: 'bread-compact-wifi', language: 'zh-CN', ip: '127.0.0.1' });
    const post = (body: unknown) => fetch(`${server.otaUrl}activate`, { method: 'POST', headers, body: JSON.stringify(body) }).then((r) => r.status);
    expect(await post(buildActivationBody(id, challenge))).toBe(202);
    const decodedKeyHmac = createHmac('sha256', Buffer.from(id.hmacKey, 'hex')).update(challenge).digest('hex');
    expect(await post({ Payload: { algorithm: 'hmac-sha256', serial_number: id.serialNumber, challenge, hmac: decodedKeyHmac } })).toBe(401);
  });

  it('an expired code (HTTP 410) fails with the status, not a silent retry', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false, codeTtlMs: 1000 });
    await store.create({ name: 'dev', otaUrl: server.otaUrl });
    const result = await activateProfile(store, 'dev', { pollIntervalMs: 300, deadlineMs: 10_000 });
    expect(result).toMatchObject({ outcome: 'failed', code: 'XZ_ACTIVATION_HTTP_STATUS', status: 410 });
  });

  it('auto-approving server: activation completes without a code being typed', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false, autoApprove: true });
    const id = makeIdentity({ mac: '02:00:00:00:00:09', hostname: 'h' });
    const result = await activate({ identity: id, otaUrl: server.otaUrl }, { pollIntervalMs: 50 });
    expect(result).toMatchObject({ outcome: 'activated', alreadyActivated: false });
    expect(result.outcome === 'activated' && result.reply.websocket?.token).toBe('test-token');
  });
});
