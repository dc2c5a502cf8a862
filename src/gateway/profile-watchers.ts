/**
 * Keep one ProfileStore watcher per profile so a config.json rewritten by py-xiaozhi (new token after
 * OTA) is noticed: the next ticket reads the fresh files anyway, and the change is logged (without the
 * token). Refreshed whenever profiles are created, imported or removed.
 */
import type { ProfileStore, ProfileWatcher } from '../device/index.ts';
import type { Logger } from '../node/logger.ts';

export class ProfileWatchers {
  readonly #watchers = new Map<string, ProfileWatcher>();
  #closed = false;
  #refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly store: ProfileStore, private readonly logger: Logger, private readonly onChange?: (name: string) => void) {}

  refresh(): Promise<void> {
    this.#refreshing = this.#refreshing.then(() => this.#sync()).catch(() => {});
    return this.#refreshing;
  }

  async #sync(): Promise<void> {
    if (this.#closed) return;
    const names = new Set((await this.store.list()).profiles.map((p) => p.name));
    for (const [name, w] of this.#watchers) {
      if (!names.has(name)) {
        w.close();
        this.#watchers.delete(name);
      }
    }
    for (const name of names) {
      if (this.#watchers.has(name) || this.#closed) continue;
      try {
        const w = await this.store.watch(name, (ev) => {
          if (ev.type === 'changed') {
            this.logger.info({ event: 'profile_changed', profile: name, tokenChanged: ev.tokenChanged, activated: ev.profile.activated }, 'profile files changed on disk; new sessions use them');
            this.onChange?.(name);
          } else {
            this.logger.warn({ event: 'profile_unreadable', profile: name, code: ev.error.code }, 'profile files unreadable; keeping the last good values');
          }
        });
        if (this.#closed) w.close();
        else this.#watchers.set(name, w);
      } catch {
        // broken profile: listed under `broken` by the API
      }
    }
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }
}
