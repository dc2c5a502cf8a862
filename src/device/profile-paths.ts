/**
 * Where profiles live (issue: "one folder per profile laid out exactly like py-xiaozhi"):
 *
 *   <dataDir>/profiles.json                 { "version": 1, "default": "<name>" }  (ours)
 *   <dataDir>/<name>/config/config.json     py-xiaozhi file (XIAOZHI_DATA_DIR=<dataDir>/<name> for py-xiaozhi)
 *   <dataDir>/<name>/config/efuse.json      py-xiaozhi file
 *   <dataDir>/<name>/xiaozhi-web.json       our metadata: label, link target, last OTA facts
 */
import { isAbsolute, join, resolve } from 'node:path';
import { DeviceError } from './errors.ts';

/** Folder used when neither `--data-dir` nor `XIAOZHI_DATA_DIR` is given. */
export const DEFAULT_DATA_DIR = './data';
export const INDEX_FILE = 'profiles.json';
export const META_FILE = 'xiaozhi-web.json';

const NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Resolve the data folder: explicit value, else `XIAOZHI_DATA_DIR`, else `./data` (relative to cwd). */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit || env['XIAOZHI_DATA_DIR'] || DEFAULT_DATA_DIR;
  return isAbsolute(chosen) ? chosen : resolve(chosen);
}

/** Profile names are folder names: lowercase letters, digits, `-`, `_`; 1–63 chars. */
export function isValidProfileName(name: string): boolean {
  return NAME_RE.test(name);
}

export function assertProfileName(name: string): void {
  if (!isValidProfileName(name)) {
    throw new DeviceError(
      'XZ_PROFILE_NAME_INVALID',
      `invalid profile name "${name}": use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
}

/** Turn any text (a folder name, a label) into a valid profile name, or '' if nothing is left. */
export function slugifyProfileName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 63);
}

export interface ProfilePaths {
  dir: string;
  meta: string;
  config: string;
  efuse: string;
}

/** Paths of a local profile (linked profiles override `config`/`efuse` from their metadata). */
export function localProfilePaths(dataDir: string, name: string): ProfilePaths {
  const dir = join(dataDir, name);
  return {
    dir,
    meta: join(dir, META_FILE),
    config: join(dir, 'config', 'config.json'),
    efuse: join(dir, 'config', 'efuse.json'),
  };
}
