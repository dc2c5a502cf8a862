/** `xiaozhi-web doctor` / `check-token` wiring: options reach src/doctor, its exit code comes back. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/device/index.ts';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { runCli } from './run-cli.ts';

let root: string;
let server: DevServer | undefined;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xzw-cli-doc-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(root, { recursive: true, force: true });
});

describe('xiaozhi-web doctor', () => {
  it('checks the default profile against the devserver: exit 0 when it works, 3 when not activated', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    const data = join(root, 'data');
    const p = await new ProfileStore({ dataDir: data }).create({ name: 'dev', otaUrl: server.otaUrl });

    const before = await runCli(['--data-dir', data, 'doctor', '--json']);
    expect(before.code).toBe(3);
    expect(JSON.parse(before.stdout)).toMatchObject({ ok: false, failedStage: 'activation' });

    server.activateDevice(p.identity.deviceId);
    const after = await runCli(['--data-dir', data, 'doctor', '--profile', 'dev', '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true });

    const tok = await runCli(['--data-dir', data, 'check-token', 'test-token', '--device-id', p.identity.deviceId, '--client-id', p.identity.clientId, '--url', server.wsUrl, '--json']);
    expect(JSON.parse(tok.stdout)).toMatchObject({ ok: true });
    expect(tok.code).toBe(0);
  });
});
