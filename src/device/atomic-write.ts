/**
 * Crash-safe file replacement: temp file in the same folder → write → fsync → rename → fsync folder.
 * A crash at any point leaves either the old or the new file, never a half-written one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of our temp files; readers ignore such files and never load them. */
export const TEMP_SUFFIX = '.xzw-tmp';

export interface AtomicWriteOptions {
  /** File mode of the result (default 0o600: config files hold keys and tokens). */
  mode?: number;
  /** Test hook, runs after the temp file is durable and before the rename. */
  beforeRename?: (tempPath: string) => Promise<void> | void;
}

/** Atomically replace `path` with `data` (UTF-8 for strings). Creates the folder (0700) if needed. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
  const fh = await open(temp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode); // umask can only remove bits; make the mode exact anyway
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await opts.beforeRename?.(temp);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** fsync a folder so the rename itself is durable (no-op where folders cannot be opened, e.g. Windows). */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort: not supported on every platform / file system
  } finally {
    await fh?.close().catch(() => {});
  }
}
