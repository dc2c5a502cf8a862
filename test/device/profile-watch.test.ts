import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileStore, writeFileAtomic, type ProfileWatchEvent, type ProfileWatcher } from '../../src/device/index.ts';
import { PY_CONFIG, PY_EFUSE } from './fixtures/py-xiaozhi-config.ts';

let root: string;
let watcher: ProfileWatcher | undefined;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xzw-watch-'));
});
afterEach(async () => {
  watcher?.close();
  await rm(root, { recursive: true, force: true });
});

function nextEvent(events: ProfileWatchEvent[], timeoutMs = 5000): Promise<ProfileWatchEvent> {
  const start = events.length;
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = setInterval(() => {
      if (events.length > start) {
        clearInterval(tick);
        resolve(events[start]!);
      } else if (Date.now() - t0 > timeoutMs) {
        clearInterval(tick);
        reject(new Error('no watch event'));
      }
    }, 20);
  });
}

describe('ProfileStore.watch', () => {
  it('reports a new token written by another program, then a corrupt write, then recovery', async () => {
    const store = new ProfileStore({ dataDir: join(root, 'data') });
    const p = await store.create({ name: 'dev' });
    const events: ProfileWatchEvent[] = [];
    watcher = await store.watch('dev', (e) => events.push(e), { debounceMs: 50 });

    // Another program (py-xiaozhi) rewrites config.json the way it does: tmp + os.replace.
    const cfg = JSON.parse(await readFile(p.paths.config, 'utf8'));
    cfg.SYSTEM_OPTIONS.NETWORK.WEBSOCKET_ACCESS_TOKEN = 'rotated-token-1';
    await writeFileAtomic(p.paths.config, JSON.stringify(cfg, null, 2));
    const changed = await nextEvent(events);
    expect(changed).toMatchObject({ type: 'changed', tokenChanged: true });
    expect(changed.type === 'changed' && changed.profile.token).toBe('rotated-token-1');

    await writeFile(p.paths.config, '{ "SYSTEM_OPTIONS": ');
    const bad = await nextEvent(events);
    expect(bad).toMatchObject({ type: 'error', error: { code: 'XZ_PROFILE_CORRUPT', path: p.paths.config } });

    cfg.SYSTEM_OPTIONS.NETWORK.WEBSOCKET_ACCESS_TOKEN = 'rotated-token-2';
    await writeFileAtomic(p.paths.config, JSON.stringify(cfg, null, 2));
    const ok = await nextEvent(events);
    expect(ok.type === 'changed' && ok.profile.token).toBe('rotated-token-2');
  });

  it('a linked py-xiaozhi import: py-xiaozhi rewriting its own config.json (tmp + os.replace) is noticed', async () => {
    const py = join(root, 'py-home', 'config');
    await mkdir(py, { recursive: true });
    await writeFile(join(py, 'config.json'), PY_CONFIG);
    await writeFile(join(py, 'efuse.json'), PY_EFUSE);
    const store = new ProfileStore({ dataDir: join(root, 'data') });
    await store.importProfile({ from: join(root, 'py-home'), name: 'desk', link: true });
    const events: ProfileWatchEvent[] = [];
    watcher = await store.watch('desk', (e) => events.push(e), { debounceMs: 50 });

    // What py-xiaozhi's _save_config does: write config.tmp, then os.replace onto config.json.
    const cfg = JSON.parse(PY_CONFIG);
    cfg.SYSTEM_OPTIONS.NETWORK.WEBSOCKET_ACCESS_TOKEN = 'from-py-xiaozhi-ota';
    await writeFile(join(py, 'config.tmp'), JSON.stringify(cfg, null, 2));
    await rename(join(py, 'config.tmp'), join(py, 'config.json'));
    const ev = await nextEvent(events);
    expect(ev).toMatchObject({ type: 'changed', tokenChanged: true });
    expect(ev.type === 'changed' && ev.profile.token).toBe('from-py-xiaozhi-ota');
  });
});
