/**
 * Headless Chromium for browser tests (ecosystem.md §5): the Debian /usr/bin/chromium through
 * playwright-core, a fake microphone fed from a WAV file, autoplay allowed. Skips cleanly when no
 * browser is installed (`chromiumPath()` returns null).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Path of a usable Chromium, or null. */
export function chromiumPath(): string | null {
  for (const c of CANDIDATES) if (c && existsSync(c)) return c;
  return null;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches a persistent context with the fake mic playing `micWav` (absolute path) in a loop. */
export async function launchChromium(micWav: string, extraArgs: string[] = []): Promise<LaunchedBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found (set CHROMIUM_PATH)');
  const dir = mkdtempSync(join(tmpdir(), 'xz-chr-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
      ...extraArgs,
    ],
  });
  await context.grantPermissions(['microphone']).catch(() => undefined);
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
