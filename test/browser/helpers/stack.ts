/**
 * The whole product for a browser test: the web app built into a temp folder, the devserver as the
 * XiaoZhi server and the gateway serving the page, everything on 127.0.0.1 port 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { startGateway, type RunningGateway } from '../../../src/gateway/gateway.ts';
import { startDevServer } from '../../../src/devserver/index.ts';
import type { DevServer } from '../../../src/devserver/types.ts';

export interface Stack {
  dev: DevServer;
  gateway: RunningGateway;
  /** http://127.0.0.1:PORT/ of the gateway (a secure context for Chromium). */
  url: string;
  close(): Promise<void>;
}

const configFile = fileURLToPath(new URL('../../../web/vite.config.ts', import.meta.url));

/** Builds web/ into a fresh temp folder (so dist/web is never touched by tests). */
export async function buildWeb(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'xz-web-'));
  await build({ configFile, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export async function startStack(webDir: string): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xz-gw-'));
  const dev = await startDevServer({ port: 0, logger: false });
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(
      { port: 0, host: '127.0.0.1', dataDir, otaUrl: dev.otaUrl, logLevel: 'warn' },
      { logger: false, webDir, activationPollIntervalMs: 100 },
    );
  } catch (err) {
    await dev.close();
    throw err;
  }
  return {
    dev,
    gateway,
    url: gateway.url.endsWith('/') ? gateway.url : `${gateway.url}/`,
    async close() {
      await gateway.close().catch(() => undefined);
      await dev.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
