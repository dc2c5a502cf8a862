import { describe, expect, it } from 'vitest';
import { activationPortal } from './check-ota.ts';
import { exitCodeFor } from './entry.ts';
import { OFFICIAL_OTA_URL, OFFICIAL_WS_URL, ProfileLoadError, resolveHostOptions, type ProfileSource, type ProfileView } from './host-options.ts';
import type { DoctorReport } from './types.ts';

const profile: ProfileView = {
  name: 'desk',
  identity: { deviceId: '02:11:22:33:44:55', clientId: 'c8238260-aa41-46bf-a1af-2cb3e2955931', serialNumber: 'SN-1', hmacKey: 'k' },
  server: { otaUrl: 'http://ota.local/xiaozhi/ota/', websocketUrl: 'ws://ws.local/xiaozhi/v1/' },
  activated: true,
  token: 'test-token',
};
const store: ProfileSource = {
  async resolve(name?: string) {
    if (name && name !== 'desk') throw new Error(`no profile named ${name}`);
    return profile;
  },
};

describe('resolveHostOptions', () => {
  it('fills identity, token, OTA URL and activation state from the profile', async () => {
    const o = await resolveHostOptions({ store, profile: 'desk', otaUrl: 'https://gateway-default/ota/', upstreamCa: 'PEM' });
    expect(o).toMatchObject({ deviceId: profile.identity.deviceId, clientId: profile.identity.clientId, token: 'test-token',
      otaUrl: profile.server.otaUrl, activated: true, ca: 'PEM', identity: { serialNumber: 'SN-1', hmacKey: 'k' } });
    expect(o.wsUrl).toBeUndefined(); // taken fresh from OTA
    expect(o).not.toHaveProperty('store');
  });
  it('lets CLI flags win over the profile', async () => {
    const o = await resolveHostOptions({ command: 'doctor', store, profile: 'desk', otaUrl: 'http://flag/ota/', url: 'ws://flag/v1/' });
    expect(o.otaUrl).toBe('http://flag/ota/');
    expect(o.wsUrl).toBe('ws://flag/v1/');
  });
  it('check-token never runs OTA and defaults to the official WebSocket', async () => {
    const o = await resolveHostOptions({ command: 'check-token', store, token: 'x', deviceId: 'd', clientId: 'c', otaUrl: 'http://x/' });
    expect(o.otaUrl).toBeUndefined();
    expect(o.wsUrl).toBe(OFFICIAL_WS_URL);
  });
  it('doctor with explicit credentials and no URL uses the official OTA', async () => {
    const o = await resolveHostOptions({ command: 'doctor', store, token: 't', deviceId: 'd', clientId: 'c' });
    expect(o.otaUrl).toBe(OFFICIAL_OTA_URL);
    expect(o.deviceId).toBe('d');
  });
  it('reports an unknown profile as a ProfileLoadError', async () => {
    await expect(resolveHostOptions({ store, profile: 'nope' })).rejects.toBeInstanceOf(ProfileLoadError);
  });
});

describe('exitCodeFor', () => {
  const rep = (failedStage?: DoctorReport['failedStage'], code?: string): DoctorReport => ({
    ok: !failedStage, failedStage, lang: 'en', summary: '',
    stages: failedStage ? [{ id: failedStage, status: 'fail', ms: 0, detail: '', data: code ? { code } : undefined }] : [],
  });
  it('maps stages to the CLI exit codes', () => {
    expect(exitCodeFor(rep())).toBe(0);
    expect(exitCodeFor(rep('config'))).toBe(2);
    expect(exitCodeFor(rep('config', 'XZ_PROFILE_NOT_FOUND'))).toBe(1);
    expect(exitCodeFor(rep('activation'))).toBe(3);
    expect(exitCodeFor(rep('hello', 'XZ_ABORTED'))).toBe(4);
    expect(exitCodeFor(rep('tcp-tls'))).toBe(5);
  });
});

describe('activationPortal', () => {
  const ota = new URL('https://api.tenclass.net/xiaozhi/ota/');
  it('takes the first non-code line of the message, else the console for the server', () => {
    expect(activationPortal('xiaozhi.me\n123456', '123456', ota)).toBe('xiaozhi.me');
    expect(activationPortal('123456', '123456', ota)).toBe('https://xiaozhi.me/');
    expect(activationPortal(undefined, '123456', new URL('http://10.0.0.2:8002/xiaozhi/ota/'))).toBe('http://10.0.0.2:8002/');
  });
});
