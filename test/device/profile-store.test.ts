import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError, ProfileStore, isLocallyAdministeredUnicast, serialNumberFor } from '../../src/device/index.ts';
import { PY_CONFIG, PY_EFUSE } from './fixtures/py-xiaozhi-config.ts';

let root: string;
let store: ProfileStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xzw-store-'));
  store = new ProfileStore({ dataDir: join(root, 'data') });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function pyFolder(name = 'py-home'): Promise<string> {
  const dir = join(root, name, 'config');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), PY_CONFIG);
  await writeFile(join(dir, 'efuse.json'), PY_EFUSE);
  return join(root, name);
}

describe('ProfileStore: create / list / default / remove', () => {
  it('creates py-xiaozhi-shaped files with mode 0600 and a random locally administered MAC', async () => {
    const p = await store.create({ name: 'kitchen', label: 'Kitchen speaker', otaUrl: 'http://127.0.0.1:9/xiaozhi/ota/' });
    expect(p.paths.config).toBe(join(root, 'data', 'kitchen', 'config', 'config.json'));
    expect(p.paths.efuse).toBe(join(root, 'data', 'kitchen', 'config', 'efuse.json'));
    expect(isLocallyAdministeredUnicast(p.identity.deviceId)).toBe(true);
    expect(p.identity.serialNumber).toBe(serialNumberFor({ mac_address: p.identity.deviceId }));
    expect(p.isDefault).toBe(true); // first profile becomes the default
    expect(p.activated).toBe(false);
    for (const f of [p.paths.config, p.paths.efuse, p.paths.meta, join(root, 'data', 'profiles.json')]) {
      expect((await stat(f)).mode & 0o777).toBe(0o600);
    }
    const config = JSON.parse(await readFile(p.paths.config, 'utf8'));
    expect(config.SYSTEM_OPTIONS.DEVICE_ID).toBe(p.identity.deviceId);
    expect(config.SYSTEM_OPTIONS.CLIENT_ID).toBe(p.identity.clientId);
    expect(config.SYSTEM_OPTIONS.NETWORK.OTA_VERSION_URL).toBe('http://127.0.0.1:9/xiaozhi/ota/');
    const efuse = JSON.parse(await readFile(p.paths.efuse, 'utf8'));
    expect(efuse).toMatchObject({ mac_address: p.identity.deviceId, hmac_key: p.identity.hmacKey, activation_status: false });
  });

  it('keeps several profiles side by side with one default', async () => {
    const a = await store.create({ name: 'a' });
    const b = await store.create({ name: 'b' });
    expect(a.identity.deviceId).not.toBe(b.identity.deviceId);
    expect(await store.defaultName()).toBe('a');
    await store.setDefault('b');
    const { profiles, broken } = await store.list();
    expect(broken).toEqual([]);
    expect(profiles.map((p) => [p.name, p.isDefault])).toEqual([['a', false], ['b', true]]);
    await store.remove('b');
    expect(await store.defaultName()).toBe('a'); // the only one left
    await expect(store.get('b')).rejects.toMatchObject({ code: 'XZ_PROFILE_NOT_FOUND' });
    await expect(store.create({ name: 'a' })).rejects.toMatchObject({ code: 'XZ_PROFILE_EXISTS' });
    await expect(store.create({ name: '../evil' })).rejects.toMatchObject({ code: 'XZ_PROFILE_NAME_INVALID' });
  });
});

describe('ProfileStore: py-xiaozhi import / export', () => {
  it('imports a py-xiaozhi data folder and exports it back byte-for-byte', async () => {
    const src = await pyFolder();
    const p = await store.importProfile({ from: src, name: 'home', label: 'Home' });
    expect(p.identity).toEqual({
      deviceId: '58:11:22:b7:26:42',
      clientId: '975b0760-1234-4abc-8def-0123456789ab',
      serialNumber: 'SN-24C37EE9-581122b72642',
      hmacKey: '4d38539a8e0a1923a72bbdbb66b9e0d1e9cafe11cd8bc536cb3223be72a946ac',
    });
    expect(p.token).toBe('test-token');
    expect(p.activated).toBe(true);
    expect(p.server.mqtt).toMatchObject({ endpoint: 'mqtt.xiaozhi.me' });
    const out = await store.exportProfile('home', join(root, 'export'));
    expect(await readFile(out.config, 'utf8')).toBe(PY_CONFIG);
    expect(await readFile(out.efuse, 'utf8')).toBe(PY_EFUSE);
    await expect(store.exportProfile('home', join(root, 'export'))).rejects.toMatchObject({ code: 'XZ_EXPORT_TARGET_EXISTS' });
  });

  it('changes only our fields and keeps unknown keys when an OTA reply is recorded', async () => {
    await store.importProfile({ from: join(await pyFolder(), 'config', 'config.json'), name: 'home' });
    await store.recordOta('home', {
      websocket: { url: 'wss://example.test/xiaozhi/v1/', token: '' },
      server_time: { timestamp: 1772084756816, timezone_offset: 480 },
      firmware: { version: '2.0.4', url: '' },
    });
    const p = await store.get('home');
    expect(p.token).toBe('test-token'); // empty token → py-xiaozhi's default
    expect(p.server.websocketUrl).toBe('wss://example.test/xiaozhi/v1/');
    expect(p.lastOta).toMatchObject({ serverTime: { timestamp: 1772084756816 }, firmware: { version: '2.0.4' } });
    const before = JSON.parse(PY_CONFIG);
    before.SYSTEM_OPTIONS.NETWORK.WEBSOCKET_URL = 'wss://example.test/xiaozhi/v1/';
    expect(JSON.parse(await readFile(p.paths.config, 'utf8'))).toEqual(before); // unknown keys intact, in order
    expect(await readFile(p.paths.config, 'utf8')).toBe(JSON.stringify(before, null, 2));
    expect(await readFile(p.paths.efuse, 'utf8')).toBe(PY_EFUSE); // nothing changed there: bytes untouched
  });

  it('a linked import reads and writes the py-xiaozhi files in place', async () => {
    const src = await pyFolder();
    const p = await store.importProfile({ from: src, name: 'linked', link: true });
    expect(p.linked).toBe(true);
    expect(p.paths.config).toBe(join(src, 'config', 'config.json'));
    await store.update('linked', { token: 'fresh-token-123' });
    expect(JSON.parse(await readFile(join(src, 'config', 'config.json'), 'utf8')).SYSTEM_OPTIONS.NETWORK.WEBSOCKET_ACCESS_TOKEN).toBe('fresh-token-123');
    await store.remove('linked');
    expect(await readFile(join(src, 'config', 'efuse.json'), 'utf8')).toBe(PY_EFUSE); // external files survive
  });

  it('refuses an import source without efuse.json, naming the path', async () => {
    const dir = join(root, 'half', 'config');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), PY_CONFIG);
    await expect(store.importProfile({ from: join(root, 'half') })).rejects.toThrow(join(dir, 'efuse.json'));
    expect(await readdir(root)).not.toContain('data');
  });
});

describe('ProfileStore: corrupt files', () => {
  it('reports the corrupt file by path, lists it as broken and never overwrites it', async () => {
    const p = await store.create({ name: 'x' });
    await store.create({ name: 'y' });
    const halfWritten = '{\n  "SYSTEM_OPTIONS": {\n    "CLIENT_ID": "975b';
    await writeFile(p.paths.config, halfWritten);
    const err = await store.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({ code: 'XZ_PROFILE_CORRUPT', path: p.paths.config });
    expect((err as Error).message).toContain(p.paths.config);
    const { profiles, broken } = await store.list();
    expect(profiles.map((q) => q.name)).toEqual(['y']);
    expect(broken.map((b) => [b.name, b.error.path])).toEqual([['x', p.paths.config]]);
    await expect(store.update('x', { token: 'new-token-value' })).rejects.toMatchObject({ code: 'XZ_PROFILE_CORRUPT' });
    expect(await readFile(p.paths.config, 'utf8')).toBe(halfWritten);
  });

  it('a corrupt profiles.json is reported with its path', async () => {
    await store.create({ name: 'x' });
    await writeFile(join(root, 'data', 'profiles.json'), 'not json');
    await expect(store.getDefault()).rejects.toThrow(join(root, 'data', 'profiles.json'));
  });
});
