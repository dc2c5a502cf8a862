/**
 * `npm run demo`: the whole product offline in a minute. Starts the local XiaoZhi-compatible devserver
 * (cloud-like auth, activation codes auto-approved) on a free port and the gateway wired to it (both
 * BACKEND_WS_URL and OTA_URL), with its own data folder (./data/demo) holding an activated "demo" profile.
 * Extra flags go to the gateway (e.g. `npm run demo -- --port 9090`). Ctrl-C stops both.
 */
import { join } from 'node:path';
import { activateProfile } from '../device/activate-profile.ts';
import { ProfileStore } from '../device/profile-store.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startGateway, startupBanner } from './gateway.ts';
import { installShutdown } from './shutdown.ts';

interface DevServerHandle {
  port: number;
  wsUrl: string;
  otaUrl: string;
  close(): Promise<void>;
}
type StartDevServer = (opts: { port: number; auth: 'open' | 'token' | 'cloud'; autoApprove: boolean; logger: false }) => Promise<DevServerHandle>;

const DEVSERVER_MODULE = '../devserver/index.ts';

async function main(argv: string[]): Promise<void> {
  const { startDevServer } = (await import(DEVSERVER_MODULE)) as { startDevServer: StartDevServer };
  const dev = await startDevServer({ port: 0, auth: 'cloud', autoApprove: true, logger: false });
  let config;
  try {
    config = loadConfig({
      argv: ['--data-dir', join(process.cwd(), 'data', 'demo'), ...argv, '--backend-ws-url', dev.wsUrl, '--ota-url', dev.otaUrl],
    });
  } catch (err) {
    await dev.close();
    if (err instanceof ConfigError) {
      process.stderr.write(`xiaozhi-web demo: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const store = new ProfileStore({ dataDir: config.dataDir });
  const existing = (await store.list()).profiles.find((p) => p.name === 'demo');
  // A profile from an earlier demo points at an old devserver port: start fresh each time.
  if (existing) await store.remove('demo');
  await store.create({ name: 'demo', label: 'Demo device (devserver)', otaUrl: dev.otaUrl, makeDefault: true });
  const result = await activateProfile(store, 'demo', {
    pollIntervalMs: 200,
    deadlineMs: 30_000,
    onProgress: (e) => {
      if (e.type === 'code-issued') process.stdout.write(`demo: activation code ${e.code} (auto-approved by the devserver)\n`);
    },
  });
  if (result.outcome !== 'activated') {
    process.stderr.write(`demo: activation failed: ${JSON.stringify(result)}\n`);
  }

  const running = await startGateway(config);
  const stopAll = {
    close: async () => {
      await running.close();
      await dev.close();
    },
  };
  installShutdown(stopAll, { logger: running.gateway.logger, shutdownTimeoutMs: config.shutdownTimeoutMs });
  process.stdout.write(
    `${startupBanner(running.gateway, running.url)}\n` +
      `  devserver (local XiaoZhi server): ${dev.wsUrl}  OTA ${dev.otaUrl}\n\n` +
      `Open ${running.url}/ and talk to the "demo" device, or ${running.url}/test.html. Ctrl-C stops both.\n`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`xiaozhi-web demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
