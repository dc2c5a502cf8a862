/**
 * Notice when a profile's config.json / efuse.json change on disk (e.g. py-xiaozhi re-ran OTA and
 * wrote a new token) so the gateway uses the new values without a restart.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isDeviceError, type DeviceError } from './errors.ts';
import type { ProfileStore } from './profile-store.ts';
import type { DeviceProfile } from './profile-types.ts';

/** What a watcher reports. `tokenChanged` is true when `WEBSOCKET_ACCESS_TOKEN` differs from before. */
export type ProfileWatchEvent =
  | { type: 'changed'; profile: DeviceProfile; tokenChanged: boolean }
  | { type: 'error'; error: DeviceError };

export type ProfileWatchListener = (event: ProfileWatchEvent) => void;

/** Handle returned by `ProfileStore.watch`; `close()` is idempotent. */
export interface ProfileWatcher {
  close(): void;
}

/**
 * Watch the folders holding the two files (atomic writers replace the file, so the folder is
 * watched, not the inode). Changes are debounced; a `changed` event fires only when a field we
 * read (token, URLs, identity, activation) differs. A half-written or corrupt file gives an
 * `error` event (the last good profile stays in use by the caller) and a later good write a
 * `changed` event.
 */
export function watchProfile(
  store: ProfileStore,
  initial: DeviceProfile,
  listener: ProfileWatchListener,
  opts: { debounceMs?: number } = {},
): ProfileWatcher {
  const debounceMs = opts.debounceMs ?? 150;
  const files = new Set([basename(initial.paths.config), basename(initial.paths.efuse), basename(initial.paths.meta)]);
  const dirs = new Set([dirname(initial.paths.config), dirname(initial.paths.efuse), dirname(initial.paths.meta)]);
  let last = fingerprint(initial);
  let lastToken = initial.token;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const watchers: FSWatcher[] = [];

  const reload = async () => {
    if (closed) return;
    try {
      const p = await store.get(initial.name);
      const fp = fingerprint(p);
      if (closed || fp === last) return;
      last = fp;
      const tokenChanged = p.token !== lastToken;
      lastToken = p.token;
      listener({ type: 'changed', profile: p, tokenChanged });
    } catch (err) {
      if (closed) return;
      if (isDeviceError(err)) listener({ type: 'error', error: err });
    }
  };

  for (const dir of dirs) {
    try {
      const w = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename && !files.has(String(filename))) return; // temp files, unrelated files
        clearTimeout(timer);
        timer = setTimeout(() => void reload(), debounceMs);
      });
      w.on('error', () => {}); // folder removed: the next get() reports it
      watchers.push(w);
    } catch {
      // folder missing: nothing to watch
    }
  }

  return {
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

function fingerprint(p: DeviceProfile): string {
  return JSON.stringify([p.identity, p.server, p.token, p.activated, p.label, p.macAddress]);
}
