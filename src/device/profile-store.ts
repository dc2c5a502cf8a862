/**
 * ProfileStore: device profiles on disk, one py-xiaozhi-compatible folder per profile
 * (layout in profile-paths.ts). Every write is atomic, 0600, and changes only the fields we own;
 * a corrupt file is reported with its path and never overwritten.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OtaReply } from '../protocol/ota.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { DeviceError, isDeviceError } from './errors.ts';
import { createIdentity } from './identity.ts';
import {
  DEFAULT_TOKEN, OFFICIAL_OTA_URL, extractFields, newConfigObject, newEfuseObject, patchConfig, patchEfuse,
  readJsonFile, serializePyJson, type FieldPatch, type JsonFile, type JsonObject,
} from './py-xiaozhi-files.ts';
import {
  INDEX_FILE, assertProfileName, isValidProfileName, localProfilePaths, type ProfilePaths,
} from './profile-paths.ts';
import { exportFiles, resolveImportSource } from './profile-transfer.ts';
import type {
  CreateProfileOptions, DeviceProfile, ImportOptions, LastOta, ProfileList, ProfileUpdate,
} from './profile-types.ts';
import { watchProfile, type ProfileWatchListener, type ProfileWatcher } from './profile-watch.ts';

export type { CreateProfileOptions, DeviceProfile, ImportOptions, LastOta, ProfileList, ProfileUpdate };

export class ProfileStore {
  readonly dataDir: string;
  readonly #locks = new Map<string, Promise<unknown>>();

  /** `dataDir` should be absolute (see `resolveDataDir`). Nothing is touched until a method runs. */
  constructor(opts: { dataDir: string }) {
    this.dataDir = opts.dataDir;
  }

  /** All profiles, sorted by name. Unreadable ones are listed under `broken`, never dropped silently. */
  async list(): Promise<ProfileList> {
    const names = await this.#profileNames();
    const def = await this.#declaredDefault();
    const out: ProfileList = { profiles: [], broken: [] };
    for (const name of names) {
      try {
        out.profiles.push(await this.#load(name, def, names.length));
      } catch (err) {
        if (!isDeviceError(err)) throw err;
        out.broken.push({ name, error: err });
      }
    }
    return out;
  }

  /** One profile; `XZ_PROFILE_NOT_FOUND`, or `XZ_PROFILE_CORRUPT` naming the bad file. */
  async get(name: string): Promise<DeviceProfile> {
    assertProfileName(name);
    const names = await this.#profileNames();
    if (!names.includes(name)) throw notFound(name);
    return this.#load(name, await this.#declaredDefault(), names.length);
  }

  /** True when a profile folder with that name exists (even if its files are unreadable). */
  async has(name: string): Promise<boolean> {
    return isValidProfileName(name) && (await this.#profileNames()).includes(name);
  }

  /** The default profile: the one named in profiles.json, else the only profile; null if none/ambiguous. */
  async getDefault(): Promise<DeviceProfile | null> {
    const name = await this.defaultName();
    return name === null ? null : this.get(name);
  }

  /** Name of the default profile (see {@link getDefault}). */
  async defaultName(): Promise<string | null> {
    const names = await this.#profileNames();
    const declared = await this.#declaredDefault();
    if (declared !== null && names.includes(declared)) return declared;
    return names.length === 1 ? names[0]! : null;
  }

  /** `name` if given, else the default; throws `XZ_PROFILE_NOT_FOUND` when there is none. */
  async resolve(name?: string): Promise<DeviceProfile> {
    if (name) return this.get(name);
    const def = await this.getDefault();
    if (def === null) throw new DeviceError('XZ_PROFILE_NOT_FOUND', `no default profile in ${this.dataDir}; create one or pass a profile name`);
    return def;
  }

  /** Make `name` the default profile. */
  async setDefault(name: string): Promise<void> {
    await this.get(name);
    await this.#writeIndex({ default: name });
  }

  /** Create a profile with a fresh identity (random locally administered MAC unless `mac` is given). */
  async create(opts: CreateProfileOptions): Promise<DeviceProfile> {
    assertProfileName(opts.name);
    const otaUrl = opts.otaUrl ?? OFFICIAL_OTA_URL;
    assertHttpUrl(otaUrl);
    const { identity, fingerprint } = createIdentity(opts.mac === undefined ? {} : { mac: opts.mac });
    const paths = localProfilePaths(this.dataDir, opts.name);
    return this.#withLock(opts.name, async () => {
      await this.#claimFolder(paths.dir, opts.name);
      await writeFileAtomic(paths.efuse, serializePyJson(newEfuseObject(identity, fingerprint as JsonObject)));
      await writeFileAtomic(paths.config, serializePyJson(newConfigObject(identity, otaUrl)));
      await writeFileAtomic(paths.meta, serializePyJson({ version: 1, label: opts.label ?? opts.name, createdAt: new Date().toISOString() }));
      await this.#maybeDefault(opts.name, opts.makeDefault);
      return this.get(opts.name);
    });
  }

  /** Import a py-xiaozhi config.json + efuse.json pair (copied byte-for-byte, or linked in place). */
  async importProfile(opts: ImportOptions): Promise<DeviceProfile> {
    const src = await resolveImportSource(opts.from, opts.efuseFrom);
    const name = opts.name ?? src.suggestedName;
    assertProfileName(name);
    const paths = localProfilePaths(this.dataDir, name);
    return this.#withLock(name, async () => {
      await this.#claimFolder(paths.dir, name);
      const meta: JsonObject = { version: 1, label: opts.label ?? name, createdAt: new Date().toISOString() };
      if (opts.link) {
        meta['link'] = { config: src.config.path, efuse: src.efuse.path };
      } else {
        await writeFileAtomic(paths.efuse, src.efuse.text);
        await writeFileAtomic(paths.config, src.config.text);
      }
      await writeFileAtomic(paths.meta, serializePyJson(meta));
      await this.#maybeDefault(name, opts.makeDefault);
      return this.get(name);
    });
  }

  /**
   * Write the profile's config.json and efuse.json into `destDir` (py-xiaozhi's `config/` folder),
   * byte-for-byte as stored. Refuses to overwrite unless `force`.
   */
  async exportProfile(name: string, destDir: string, opts: { force?: boolean } = {}): Promise<{ config: string; efuse: string }> {
    const p = await this.get(name);
    return exportFiles(p.paths, destDir, opts.force === true);
  }

  /** The two files' exact text (e.g. for an HTTP download). */
  async readFiles(name: string): Promise<{ config: string; efuse: string }> {
    const p = await this.get(name);
    const [config, efuse] = await Promise.all([readJsonFile(p.paths.config), readJsonFile(p.paths.efuse)]);
    return { config: config.text, efuse: efuse.text };
  }

  /** Change label and/or fields we own; everything else in the files stays as it is. */
  async update(name: string, patch: ProfileUpdate): Promise<DeviceProfile> {
    assertProfileName(name);
    if (patch.otaUrl !== undefined) assertHttpUrl(patch.otaUrl);
    return this.#withLock(name, async () => {
      const p = await this.get(name);
      await this.#patchFiles(p, patch, (meta) => {
        if (patch.label !== undefined) meta['label'] = patch.label;
      });
      return this.get(name);
    });
  }

  /**
   * Store what an OTA reply said (py-xiaozhi `_process_ota_response`): websocket url + token
   * (missing/empty token → "test-token", normal for the official cloud, §2.5), mqtt verbatim,
   * server time and firmware in our metadata. `activated` is set from the reply: no `activation`
   * section means the device is usable (§5.2 client rules).
   */
  async recordOta(name: string, reply: OtaReply): Promise<DeviceProfile> {
    return this.#withLock(name, async () => {
      const p = await this.get(name);
      const patch: FieldPatch = { activated: reply.activation === undefined };
      if (reply.websocket) {
        patch.websocketUrl = reply.websocket.url;
        patch.token = reply.websocket.token ? reply.websocket.token : DEFAULT_TOKEN;
      }
      if (reply.mqtt) patch.mqtt = reply.mqtt as JsonObject;
      await this.#patchFiles(p, patch, (meta) => {
        const last: JsonObject = { at: new Date().toISOString(), activationRequired: reply.activation !== undefined };
        if (reply.server_time) last['serverTime'] = reply.server_time;
        if (reply.firmware) last['firmware'] = reply.firmware;
        if (reply.websocket?.version !== undefined) last['websocketVersion'] = reply.websocket.version;
        meta['lastOta'] = last;
      });
      return this.get(name);
    });
  }

  /** Delete a profile. A linked profile's external py-xiaozhi files are left alone. */
  async remove(name: string): Promise<void> {
    assertProfileName(name);
    const names = await this.#profileNames();
    if (!names.includes(name)) throw notFound(name);
    await this.#withLock(name, async () => {
      await rm(localProfilePaths(this.dataDir, name).dir, { recursive: true, force: true });
      if ((await this.#declaredDefault()) === name) await this.#writeIndex({ default: null });
    });
  }

  /** Watch a profile's files (e.g. py-xiaozhi rewrote config.json) — see profile-watch.ts. */
  async watch(name: string, listener: ProfileWatchListener, opts: { debounceMs?: number } = {}): Promise<ProfileWatcher> {
    const p = await this.get(name);
    return watchProfile(this, p, listener, opts);
  }

  // ── internals ──

  async #load(name: string, declaredDefault: string | null, count: number): Promise<DeviceProfile> {
    const local = localProfilePaths(this.dataDir, name);
    const meta = await readMeta(local.meta);
    const link = meta['link'];
    const linked = typeof link === 'object' && link !== null && typeof (link as JsonObject)['config'] === 'string';
    const paths: ProfilePaths = linked
      ? { ...local, config: String((link as JsonObject)['config']), efuse: String((link as JsonObject)['efuse']) }
      : local;
    const [config, efuse] = await Promise.all([readJsonFile(paths.config), readJsonFile(paths.efuse)]);
    const f = extractFields(config, efuse);
    return {
      name,
      label: typeof meta['label'] === 'string' ? meta['label'] : name,
      isDefault: declaredDefault === name || (declaredDefault === null && count === 1),
      identity: f.identity,
      macAddress: f.macAddress,
      server: f.server,
      activated: f.activated,
      token: f.token,
      lastOta: (meta['lastOta'] as LastOta | undefined) ?? null,
      linked,
      createdAt: typeof meta['createdAt'] === 'string' ? meta['createdAt'] : null,
      paths,
    };
  }

  async #patchFiles(p: DeviceProfile, patch: FieldPatch, metaPatch: (meta: JsonObject) => void): Promise<void> {
    // Re-read right before writing so keys another program added meanwhile survive.
    const [config, efuse] = await Promise.all([readJsonFile(p.paths.config), readJsonFile(p.paths.efuse)]);
    await writeIfChanged(efuse, (data) => patchEfuse(data, patch));
    await writeIfChanged(config, (data) => patchConfig(data, patch));
    const meta = await readMeta(p.paths.meta);
    const before = serializePyJson(meta);
    metaPatch(meta);
    if (serializePyJson(meta) !== before) await writeFileAtomic(p.paths.meta, serializePyJson(meta));
  }

  async #profileNames(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.dataDir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new DeviceError('XZ_PROFILE_IO', `cannot read data folder ${this.dataDir}`, { path: this.dataDir, cause: err });
    }
    const names: string[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || !isValidProfileName(e.name)) continue;
      const p = localProfilePaths(this.dataDir, e.name);
      if ((await exists(p.meta)) || (await exists(p.config))) names.push(e.name);
    }
    return names.sort();
  }

  async #declaredDefault(): Promise<string | null> {
    const path = join(this.dataDir, INDEX_FILE);
    if (!(await exists(path))) return null;
    const idx = await readJsonFile(path);
    const d = idx.data['default'];
    return typeof d === 'string' ? d : null;
  }

  async #writeIndex(patch: { default: string | null }): Promise<void> {
    const path = join(this.dataDir, INDEX_FILE);
    const idx: JsonObject = (await exists(path)) ? (await readJsonFile(path)).data : { version: 1 };
    idx['default'] = patch.default;
    await writeFileAtomic(path, serializePyJson(idx));
  }

  async #maybeDefault(name: string, makeDefault: boolean | undefined): Promise<void> {
    if (makeDefault || (await this.#declaredDefault()) === null) await this.#writeIndex({ default: name });
  }

  async #claimFolder(dir: string, name: string): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    try {
      await mkdir(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new DeviceError('XZ_PROFILE_EXISTS', `a profile named "${name}" already exists (${dir})`, { path: dir });
      }
      throw new DeviceError('XZ_PROFILE_IO', `cannot create ${dir}`, { path: dir, cause: err });
    }
  }

  async #withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(name) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.#locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(name) === tail) this.#locks.delete(name);
    }
  }
}

async function readMeta(path: string): Promise<JsonObject> {
  if (!(await exists(path))) return {};
  return (await readJsonFile(path)).data;
}

/** Apply `mutate`; rewrite only when a value really changed, so untouched files keep their exact bytes. */
async function writeIfChanged(file: JsonFile, mutate: (data: JsonObject) => void): Promise<void> {
  const before = serializePyJson(file.data);
  mutate(file.data);
  const after = serializePyJson(file.data);
  if (after !== before) await writeFileAtomic(file.path, after);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function notFound(name: string): DeviceError {
  return new DeviceError('XZ_PROFILE_NOT_FOUND', `no profile named "${name}"`);
}

function assertHttpUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DeviceError('XZ_OTA_URL_INVALID', `not a URL: ${url}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DeviceError('XZ_OTA_URL_INVALID', `OTA URL must be http(s): ${url}`);
}
