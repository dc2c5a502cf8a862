/**
 * Load another part of the app only when its command runs, so the CLI works (and its tests pass)
 * in builds where that part is absent. A missing file is `null`; any other load error propagates.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `relPath` is relative to src/cli/, e.g. '../gateway/index.ts'. */
export async function importOptional<T>(relPath: string): Promise<T | null> {
  const url = new URL(relPath, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return null;
  return (await import(url.href)) as T;
}

/** Path shown to the user for a missing part (relative to the repo root). */
export function partFile(relPath: string): string {
  return `src/${relPath.replace(/^\.\.\//, '')}`;
}
