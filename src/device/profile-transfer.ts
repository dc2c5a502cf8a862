/** Import sources and export targets for py-xiaozhi's config.json + efuse.json pair (§5.5). */
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { DeviceError } from './errors.ts';
import { extractFields, readJsonFile, type JsonFile } from './py-xiaozhi-files.ts';
import { slugifyProfileName, type ProfilePaths } from './profile-paths.ts';

/** A validated pair ready to import. */
export interface ImportSource {
  config: JsonFile;
  efuse: JsonFile;
  /** Profile name derived from the source folder (or from the MAC when the folder says nothing). */
  suggestedName: string;
}

/**
 * Accepts: a py-xiaozhi data folder (`<dir>/config/config.json`), its `config/` folder, or a
 * config.json path; efuse.json is taken from the same folder unless `efusePath` is given.
 * Both files are parsed and the identity fields checked before anything is written.
 */
export async function resolveImportSource(from: string, efusePath?: string): Promise<ImportSource> {
  const abs = resolve(from);
  const kind = await statKind(abs);
  let configPath: string;
  if (kind === 'file') configPath = abs;
  else if (kind === 'dir') {
    if ((await statKind(join(abs, 'config.json'))) === 'file') configPath = join(abs, 'config.json');
    else if ((await statKind(join(abs, 'config', 'config.json'))) === 'file') configPath = join(abs, 'config', 'config.json');
    else throw new DeviceError('XZ_IMPORT_SOURCE_INVALID', `no config.json in ${abs} or ${join(abs, 'config')}`, { path: abs });
  } else {
    throw new DeviceError('XZ_IMPORT_SOURCE_INVALID', `import source not found: ${abs}`, { path: abs });
  }
  const efuseAbs = efusePath ? resolve(efusePath) : join(dirname(configPath), 'efuse.json');
  const config = await readJsonFile(configPath, 'XZ_IMPORT_SOURCE_INVALID');
  const efuse = await readJsonFile(efuseAbs, 'XZ_IMPORT_SOURCE_INVALID');
  const fields = extractFields(config, efuse); // throws naming the file when an identity field is missing
  return { config, efuse, suggestedName: suggestName(configPath, fields.identity.deviceId) };
}

/** Copy the stored files into `destDir` as config.json + efuse.json (0600, atomic). */
export async function exportFiles(paths: ProfilePaths, destDir: string, force: boolean): Promise<{ config: string; efuse: string }> {
  const out = { config: join(resolve(destDir), 'config.json'), efuse: join(resolve(destDir), 'efuse.json') };
  if (!force) {
    for (const p of [out.config, out.efuse]) {
      if ((await statKind(p)) !== 'none') {
        throw new DeviceError('XZ_EXPORT_TARGET_EXISTS', `${p} already exists (use --force to overwrite)`, { path: p });
      }
    }
  }
  const [config, efuse] = await Promise.all([readJsonFile(paths.config), readJsonFile(paths.efuse)]);
  await writeFileAtomic(out.efuse, efuse.text);
  await writeFileAtomic(out.config, config.text);
  return out;
}

function suggestName(configPath: string, deviceId: string): string {
  // …/<name>/config/config.json → <name>; …/<name>/config.json → <name>
  let dir = dirname(configPath);
  if (basename(dir) === 'config') dir = dirname(dir);
  const fromDir = slugifyProfileName(basename(dir));
  const generic = ['', 'py-xiaozhi', 'data', 'xiaozhi'];
  return generic.includes(fromDir) ? `device-${deviceId.replace(/:/g, '').slice(6)}` : fromDir;
}

async function statKind(path: string): Promise<'file' | 'dir' | 'none'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}
